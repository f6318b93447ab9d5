"""Real `preppath jobs resume` processes running evaluation jobs against the OpenAI stub (real
SDK, 127.0.0.1, slowed replies): killed with SIGKILL half way, or stopped with Ctrl-C (SIGINT),
the next run finishes the batch and no job's effect is applied twice."""

from __future__ import annotations

import dataclasses
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from conftest import db_rows, service_interview, subprocess_env
from openai_stub import OpenAIStub, chat_reply, transcription_reply
from preppath.services.context import AppContext
from test_jobs import _submit
from test_openai_providers import CHAT, TRANSCRIBE, _grade

PREPPATH = Path(sys.executable).with_name("preppath")
KEY = "sk-jobs-processes-0123456789"


@pytest.fixture
def slow_stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as stub:
        stub.script(CHAT, dataclasses.replace(chat_reply(_grade()), delay_s=0.4))
        yield stub


def _resume(home: Path, stub: OpenAIStub, *args: str) -> subprocess.Popen[str]:
    env = subprocess_env(
        home,
        PREPPATH_OPENAI_BASE_URL=stub.base_url,
        PREPPATH_OPENAI_API_KEY=KEY,
        PREPPATH_JOBS_EVALUATION_CONCURRENCY="2",
        PREPPATH_JOBS_EVALUATION_PER_MINUTE="100000",
        PREPPATH_JOBS_BACKOFF_S="0",
    )
    return subprocess.Popen(
        [str(PREPPATH), *(args or ("jobs", "resume"))],
        env=env,
        cwd=home.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(home: Path, sql: str) -> int:
    with closing(sqlite3.connect(home / "data" / "preppath.db", timeout=10)) as db:
        return int(db.execute(sql).fetchone()[0])


def _wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60  # a bound against hanging, not a timing assertion
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the jobs never started"
        time.sleep(0.02)


def _assert_each_answer_scored_once(home: Path, count: int) -> None:
    assert db_rows(home, "SELECT status, count(*) FROM job GROUP BY status") == [("done", count)], (
        db_rows(home, "SELECT last_error FROM job WHERE status = 'failed'")
    )
    assert _count(home, "SELECT count(*) FROM interview_feedback") == count
    assert _count(home, "SELECT count(DISTINCT question_id) FROM interview_feedback") == count
    assert db_rows(home, "SELECT DISTINCT scoring FROM answer") == [("scored",)]
    assert _count(home, "SELECT count(DISTINCT feedback_id) FROM answer") == count
    answered = "SELECT count(*) FROM activity WHERE type = 'question_answered'"
    assert _count(home, answered) == count
    assert _count(home, "SELECT coalesce(sum(answers), 0) FROM daily_activity") == count


def test_a_batch_killed_half_way_resumes_with_every_job_done_once(
    app: AppContext, home: Path, slow_stub: OpenAIStub
) -> None:
    """SIGKILL mid-batch: the next run claims the dead process's jobs again, and every answer
    ends with exactly one feedback row, one activity and one job done."""
    view = service_interview(app, count=8)
    _submit(app, view.id, range(1, 9))
    first = _resume(home, slow_stub)
    _wait_for(lambda: _count(home, "SELECT count(*) FROM job WHERE status = 'done'") >= 2, first)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=30)
    left = _count(home, "SELECT count(*) FROM job WHERE status != 'done'")
    assert 0 < left < 8  # killed half way, with work left and some of it mid-flight
    second = _resume(home, slow_stub)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    failed = db_rows(home, "SELECT last_error FROM job WHERE status = 'failed'")
    assert "0 failed" in out, failed
    _assert_each_answer_scored_once(home, 8)
    assert KEY not in (home / "logs" / "jobs.log").read_text()


def test_ctrl_c_finishes_running_jobs_takes_no_new_ones_and_exits_130(
    app: AppContext, home: Path, slow_stub: OpenAIStub
) -> None:
    """SIGINT while two jobs run: those finish, no other starts, nothing is left running, the
    exit status is 130; the next run does the rest."""
    view = service_interview(app, count=5)
    _submit(app, view.id, range(1, 6))
    proc = _resume(home, slow_stub)
    _wait_for(lambda: _count(home, "SELECT count(*) FROM job WHERE status = 'running'") == 2, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert _count(home, "SELECT count(*) FROM job WHERE status = 'running'") == 0
    done = _count(home, "SELECT count(*) FROM job WHERE status = 'done'")
    assert 2 <= done < 5
    assert _count(home, "SELECT count(*) FROM interview_feedback") == done
    again = _resume(home, slow_stub)
    assert again.communicate(timeout=120) and again.returncode == 0
    _assert_each_answer_scored_once(home, 5)


def _tone(path: Path) -> Path:
    import numpy as np
    import soundfile

    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(16_000) / 16_000)
    soundfile.write(path, (tone * 32767).astype(np.int16), 16_000, subtype="PCM_16")
    return path


def test_an_import_killed_mid_transcription_is_transcribed_and_scored_once_by_resume(
    app: AppContext, home: Path, tmp_path: Path
) -> None:
    """SIGKILL while the cloud transcribes an imported recording: the answer and recording are
    stored already and shown as awaiting transcription; `jobs resume` then writes one
    transcript, one scoring job and one feedback, and asks the model to score it once."""
    view = service_interview(app, count=1)
    recording = _tone(tmp_path / "answer.wav")
    spoken = transcription_reply([("one", 0.0, 0.4), ("thread", 0.5, 0.9)], 1.0)
    with OpenAIStub() as stub:
        stub.script(TRANSCRIBE, dataclasses.replace(spoken, delay_s=3), spoken)
        stub.script(CHAT, chat_reply(_grade()))
        proc = _resume(home, stub, "audio", "import", str(view.id), "1", str(recording))
        _wait_for(lambda: len(stub.requests_to(TRANSCRIBE)) == 1, proc)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert db_rows(home, "SELECT answer_text, scoring FROM answer") == [("", "transcribing")]
        assert _count(home, "SELECT count(*) FROM interview_recording") == 1
        show = _resume(home, stub, "interview", "show", str(view.id))
        out, err = show.communicate(timeout=60)
        assert show.returncode == 0, err
        assert "recording saved; transcription pending" in " ".join(out.split())

        again = _resume(home, stub)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert "0 failed" in out
        assert len(stub.requests_to(CHAT)) == 1  # scored once
    assert db_rows(home, "SELECT answer_text, scoring FROM answer") == [("one thread", "scored")]
    assert db_rows(home, "SELECT kind, status FROM job ORDER BY id") == [
        ("transcription", "done"),
        ("evaluation", "done"),
    ]
    assert _count(home, "SELECT count(*) FROM interview_feedback") == 1
    assert _count(home, "SELECT count(*) FROM activity WHERE type = 'question_answered'") == 1
    assert _count(home, "SELECT coalesce(sum(answers), 0) FROM daily_activity") == 1
    (key,) = db_rows(home, "SELECT path FROM interview_recording")[0]
    assert (home / "data" / key).read_bytes() == recording.read_bytes()
