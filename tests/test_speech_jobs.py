"""Speech as a job: the next question is synthesised into the speech cache by a pool job while
the current one is asked (real SQLite file, real openai SDK against the stub on 127.0.0.1);
the current question is never left waiting on a queued job; a killed run does no speech twice."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import db_rows, service_interview, subprocess_env
from openai_stub import OpenAIStub, error_reply, pcm_reply
from preppath.jobs import store
from preppath.jobs.pool import Pool, utc_now
from preppath.jobs.speech import SPEECH, speech_key
from preppath.providers import factory
from preppath.services.context import AppContext, open_app
from preppath.services.speech_ahead import SpeechAhead
from preppath.settings import Settings
from test_openai_providers import SPEECH as SPEECH_PATH

PREPPATH = Path(sys.executable).with_name("preppath")
KEY = "sk-speech-jobs-0123456789abcdef"
PCM = (1000 + np.arange(4800) % 300).astype("<i2").tobytes()
BOUND_S = 30  # a bound against hanging, never a timing assertion


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        server.script(SPEECH_PATH, pcm_reply(PCM))
        yield server


def _cloud_speech(stub: OpenAIStub) -> dict[str, Any]:
    """Cloud speech on the stub; questions and scoring stay offline (the bank, the rubric)."""
    return {
        "openai_base_url": stub.base_url,
        "openai_api_key": KEY,
        "question_provider": "offline",
        "evaluation_provider": "offline",
        "transcription_provider": "offline",
    }


@pytest.fixture
def cloud(home: Path, stub: OpenAIStub) -> Iterator[AppContext]:
    ctx = open_app(Settings(**_cloud_speech(stub)))
    yield ctx


def _wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND_S
    while not condition():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.01)


def _spoken(stub: OpenAIStub) -> list[str]:
    return [r.json()["input"] for r in stub.requests_to(SPEECH_PATH)]


def _speech_jobs(home: Path) -> list[tuple[Any, ...]]:
    return db_rows(home, "SELECT key, status, attempts FROM job WHERE kind = 'speech' ORDER BY id")


def test_the_next_question_is_synthesised_by_a_job_before_it_is_asked(
    cloud: AppContext, stub: OpenAIStub, home: Path
) -> None:
    """Asking question 1 queues question 2's speech; its job makes the audio (one request) and,
    when question 2 is asked, it plays from the cache with no further request."""
    view = service_interview(cloud, count=2)
    first, second = view.questions
    ahead = SpeechAhead(cloud, factory.text_to_speech(cloud.settings, cloud.paths))
    assert ahead.ready(view.id, first.id, first.text) is None  # nothing made it ahead
    ahead.queue(view.id, second.id, second.text)
    key = speech_key(view.id, second.id)
    _wait(lambda: _speech_jobs(home) == [(key, "done", 1)])
    assert _spoken(stub) == [second.text]  # made by the job, before question 2 was asked

    speech = ahead.ready(view.id, second.id, second.text)
    assert speech is not None and speech.pcm == PCM and speech.sample_rate == 24_000
    assert _spoken(stub) == [second.text]  # asking it cost nothing more
    ahead.stop()


def test_a_question_whose_job_has_not_started_is_synthesised_directly_and_once(
    cloud: AppContext, stub: OpenAIStub, home: Path
) -> None:
    """A queued job for the question being asked is cancelled, not waited for: the question is
    synthesised now, and no pool later makes the same audio again."""
    view = service_interview(cloud, count=1)
    (question,) = view.questions
    with cloud.transaction() as db:  # queued, but no pool runs it yet
        store.enqueue(
            db, profile_id=cloud.profile_id, kind=SPEECH, key=speech_key(view.id, 1),
            payload={"interview_id": view.id, "position": 1, "text": question.text},
            max_attempts=5, now=utc_now(),
        )  # fmt: skip
    tts = factory.text_to_speech(cloud.settings, cloud.paths)
    ahead = SpeechAhead(cloud, tts)
    assert ahead.ready(view.id, 1, question.text) is None
    assert _speech_jobs(home) == [(speech_key(view.id, 1), "cancelled", 0)]
    assert tts.synthesize(question.text).pcm == PCM  # the direct path, as before speech jobs
    Pool(cloud).run()  # `jobs resume`: nothing left to speak
    assert _spoken(stub) == [question.text]


def test_a_failed_speech_job_leaves_the_question_to_be_synthesised_when_asked(
    cloud: AppContext, stub: OpenAIStub, home: Path
) -> None:
    """A job the service refuses (401) fails at once; asking the question then finds no audio
    and synthesises it directly, which works once the service answers again."""
    view = service_interview(cloud, count=2)
    second = view.questions[1]
    stub.script(SPEECH_PATH, error_reply(401, "Incorrect API key provided"), pcm_reply(PCM))
    ahead = SpeechAhead(cloud, factory.text_to_speech(cloud.settings, cloud.paths))
    ahead.queue(view.id, second.id, second.text)
    _wait(lambda: [row[1] for row in _speech_jobs(home)] == ["failed"])
    assert ahead.ready(view.id, second.id, second.text) is None
    assert ahead.tts.synthesize(second.text).pcm == PCM
    assert len(_spoken(stub)) == 2
    assert KEY not in str(db_rows(home, "SELECT last_error FROM job"))


def test_a_job_run_again_after_its_audio_was_made_sends_no_request(
    cloud: AppContext, stub: OpenAIStub, home: Path
) -> None:
    """A process killed after the audio reached the cache but before the job's `done` leaves
    it running; the next pool takes it back and finds the audio there: no second request."""
    view = service_interview(cloud, count=1)
    (question,) = view.questions
    tts = factory.text_to_speech(cloud.settings, cloud.paths)
    tts.synthesize(question.text)  # what the killed attempt had finished
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with cloud.transaction() as db:
        store.enqueue(
            db, profile_id=cloud.profile_id, kind=SPEECH, key=speech_key(view.id, 1),
            payload={"interview_id": view.id, "position": 1, "text": question.text},
            max_attempts=5, now=utc_now(),
        )  # fmt: skip
        owner = f"{socket.gethostname()}:{dead.pid}:0"
        store.claim(db, cloud.profile_id, SPEECH, owner, utc_now(), timedelta(seconds=60))
    Pool(cloud).run()
    assert _speech_jobs(home) == [(speech_key(view.id, 1), "done", 2)]
    assert _spoken(stub) == [question.text]
    (job,) = db_rows(home, "SELECT result FROM job")
    assert '"synthesised": false' in job[0]


def test_speech_jobs_killed_mid_synthesis_are_each_spoken_once_by_the_next_run(
    cloud: AppContext, stub: OpenAIStub, home: Path
) -> None:
    """`jobs resume` killed (SIGKILL) while question 2's speech streams in, after question 3's
    was made: the next run speaks question 2 (its cut stream was never cached) and not question
    3 again; a further run sends nothing."""
    view = service_interview(cloud, count=3)
    ahead = SpeechAhead(cloud, factory.text_to_speech(cloud.settings, cloud.paths))
    held_text = view.questions[1].text
    gate, arrived = threading.Event(), threading.Event()
    reply = stub._next_reply

    def held(recorded: Any) -> Any:
        first = recorded.path == SPEECH_PATH and not arrived.is_set()
        if first and recorded.json()["input"] == held_text:
            arrived.set()
            gate.wait(BOUND_S)  # the first stream of question 2 never finishes in time
        return reply(recorded)

    stub._next_reply = held  # type: ignore[method-assign]
    with cloud.transaction() as db:
        for question in view.questions[1:]:
            store.enqueue(
                db, profile_id=cloud.profile_id, kind=SPEECH,
                key=speech_key(view.id, question.id),
                payload={"interview_id": view.id, "position": question.id, "text": question.text},
                max_attempts=5, now=utc_now(),
            )  # fmt: skip
    env = subprocess_env(
        home,
        PREPPATH_OPENAI_BASE_URL=stub.base_url,
        PREPPATH_OPENAI_API_KEY=KEY,
        PREPPATH_QUESTION_PROVIDER="offline",
        PREPPATH_EVALUATION_PROVIDER="offline",
    )
    command = [str(PREPPATH), "jobs", "resume"]
    proc = subprocess.Popen(command, env=env, cwd=home.parent, stdout=subprocess.PIPE, text=True)
    third = speech_key(view.id, 3)
    _wait(lambda: arrived.is_set() and (third, "done", 1) in _speech_jobs(home))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (speech_key(view.id, 2), "running", 1) in _speech_jobs(home)
    gate.set()

    for _ in range(2):
        again = subprocess.run(command, env=env, cwd=home.parent, capture_output=True, timeout=60)
        assert again.returncode == 0, again.stderr
    assert [row[1] for row in _speech_jobs(home)] == ["done", "done"]
    spoken = _spoken(stub)
    assert spoken.count(view.questions[2].text) == 1  # made once, never again
    assert spoken.count(held_text) == 2  # the cut stream, then the one that reached the cache
    assert ahead.ready(view.id, 2, held_text) is not None
    assert ahead.ready(view.id, 3, view.questions[2].text) is not None
    assert len(_spoken(stub)) == 3


def test_a_spoken_session_plays_question_2_from_the_audio_its_job_made(
    tmp_path: Path, stub: OpenAIStub
) -> None:
    """`interview start --voice` in a pty (fake ALSA speaker, cloud voice on the stub): while
    question 1 is on screen a job speaks question 2; when question 2 is asked it plays with no
    new request, and the session ends with two requests, one per question."""
    pexpect = pytest.importorskip("pexpect")
    from voice_conftest import FakeAlsa

    alsa = FakeAlsa(tmp_path / "alsa", np.zeros(16000, np.int16))
    home = tmp_path / "home"
    env = alsa.env(
        PREPPATH_HOME=str(home), PREPPATH_TIMEZONE="UTC", NO_COLOR="1", TERM="dumb",
        COLUMNS="120", PREPPATH_OPENAI_BASE_URL=stub.base_url, PREPPATH_OPENAI_API_KEY=KEY,
        PREPPATH_QUESTION_PROVIDER="offline", PREPPATH_EVALUATION_PROVIDER="offline",
        PREPPATH_TRANSCRIPTION_PROVIDER="offline",
    )  # fmt: skip
    env.pop("PREPPATH_VOICE", None)
    args = ["interview", "start", "--voice", "--yes", "--count", "2", "--seed", "5"]
    child = pexpect.spawn(str(PREPPATH), args, env=env, encoding="utf-8", timeout=60)
    if child.expect(["Enter records your answer", "voice is off"]) == 1:
        child.close()
        pytest.skip("PortAudio is not installed (apt-get install libportaudio2)")
    _wait(lambda: [row[1:] for row in _speech_jobs(home)] == [("done", 1)])
    assert len(_spoken(stub)) == 2  # question 1 directly, question 2 by its job
    child.sendline("Tuples are immutable and hashable; lists are mutable.")
    child.sendline("")
    child.expect(r"next[^\r\n]*: ")
    child.sendline("")
    child.expect("Question 2/2")
    child.expect("Enter records your answer")
    assert len(_spoken(stub)) == 2  # played from the cache its job filled
    child.sendline("/skip")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    texts = db_rows(home, "SELECT text FROM interview_question ORDER BY position")
    # Question 1 streams while question 2's job runs: the two requests may arrive either way.
    assert sorted(_spoken(stub)) == sorted(" ".join(t.split()) for (t,) in texts)
    assert alsa.speaker.stat().st_size > 0, "nothing reached the speaker"


def test_the_speech_cache_keeps_to_its_size_evicting_the_least_recently_played(
    stub: OpenAIStub, tmp_path: Path
) -> None:
    """With room for three clips, a fourth evicts the clip played longest ago (a clip played
    again counts as recent), files stay 0600 in a 0700 folder, an evicted clip is fetched
    again, and a temporary file abandoned an hour ago is cleared while a fresh one is not."""
    import os
    import stat

    from preppath.providers.openai_client import make_client
    from preppath.providers.openai_speech import OpenAITextToSpeech

    folder = tmp_path / "speech"
    client = make_client(Settings(openai_api_key=KEY, openai_base_url=stub.base_url))
    tts = OpenAITextToSpeech(
        client, "tts-1", "alloy", cache_dir=folder, cache_max_bytes=3 * len(PCM) + 10
    )
    for text in ("One?", "Two?", "Three?"):
        tts.synthesize(text)
    abandoned, arriving = folder / ".old.pcm.dead.tmp", folder / ".new.pcm.live.tmp"
    abandoned.write_bytes(b"x")
    arriving.write_bytes(b"x")
    os.utime(abandoned, (time.time() - 7200, time.time() - 7200))
    assert tts.synthesize("One?").pcm == PCM  # from the cache: "One?" is now the most recent
    tts.synthesize("Four?")
    assert _spoken(stub) == ["One?", "Two?", "Three?", "Four?"]

    clips = [p for p in folder.iterdir() if not p.name.startswith(".")]
    assert len(clips) == 3 and sum(p.stat().st_size for p in clips) <= 3 * len(PCM) + 10
    assert {stat.S_IMODE(p.stat().st_mode) for p in clips} == {0o600}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not abandoned.exists() and arriving.exists()
    for text in ("One?", "Three?", "Four?"):
        assert tts.cached(text) is not None
    assert tts.cached("Two?") is None
    tts.synthesize("Two?")  # evicted, so asked for again
    assert _spoken(stub)[-1] == "Two?"


def test_speech_cache_max_mb_bounds_both_voices_caches(home: Path, stub: OpenAIStub) -> None:
    """The setting (200 MB by default, 0 for none) reaches the cloud voice's cache and the one
    speech jobs and eSpeak use."""
    from preppath.jobs.speech import speech_cache

    ctx = open_app(Settings(**_cloud_speech(stub), speech_cache_max_mb=5))
    assert speech_cache(ctx).max_bytes == 5 * 1024 * 1024
    tts = factory.text_to_speech(ctx.settings, ctx.paths)
    assert tts._cache.max_bytes == 5 * 1024 * 1024  # type: ignore[attr-defined]
    assert Settings().speech_cache_max_mb == 200
    unbounded = open_app(Settings(provider="offline", speech_cache_max_mb=0))
    assert speech_cache(unbounded).max_bytes is None


def test_a_speech_job_is_retried_after_a_server_error(home: Path, stub: OpenAIStub) -> None:
    """A 500 is retried by the pool (one retry layer, the SDK's own off): the job is done on its
    second attempt and the question then plays from the cache."""
    ctx = open_app(Settings(**_cloud_speech(stub), jobs_backoff_s=0))
    view = service_interview(ctx, count=2)
    second = view.questions[1]
    stub.script(SPEECH_PATH, error_reply(500, "upstream failed"), pcm_reply(PCM))
    ahead = SpeechAhead(ctx, factory.text_to_speech(ctx.settings, ctx.paths))
    ahead.queue(view.id, second.id, second.text)
    _wait(lambda: [row[1:] for row in _speech_jobs(home)] == [("done", 2)])
    assert len(_spoken(stub)) == 2  # the failed request and its retry, no SDK retries besides
    speech = ahead.ready(view.id, second.id, second.text)
    assert speech is not None and speech.pcm == PCM
    assert len(_spoken(stub)) == 2
