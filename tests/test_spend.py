"""Spend guards: limits on cloud calls shared by every preppath process through pyrate-limiter's
SQLite bucket, and the token usage and estimated cost recorded per interview from the `usage`
the server sends, shown in the report (every format) and in `stats`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKEND_PYTHON, subprocess_env
from openai_stub import OpenAIStub, chat_reply, json_reply, pcm_reply, transcription_reply
from preppath.spend.limits import SpendLimitReached
from preppath.spend.usage import Usage, estimate_cost
from test_openai_providers import _grade, _question_json

CHAT = "/v1/chat/completions"
KEY = "sk-spend-0123456789abcdefSECRET"

# Each child takes as many slots as it can, without waiting, once both have started.
_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from preppath.settings import load_settings
    from preppath.spend.limits import SpendLimitReached, guard_for

    ready, go = Path(sys.argv[1]), Path(sys.argv[2])
    guard = guard_for(Path(sys.argv[3]), load_settings())
    ready.touch()
    while not go.exists():
        time.sleep(0.005)
    taken = 0
    for _ in range(12):
        try:
            guard.acquire("evaluation")
            taken += 1
        except SpendLimitReached as exc:
            refused = exc.message
    print(taken)
    print(refused)
    """
)


def test_two_processes_sharing_the_limits_never_exceed_them(tmp_path: Path, home: Path) -> None:
    """Two processes racing for answer-scoring slots (7 a minute) get 7 between them, not 7
    each, and a refusal names the limit and when the next call may go."""
    go = tmp_path / "go"
    env = subprocess_env(home, PREPPATH_LIMIT_ANSWER_PER_MIN="7")
    children = []
    for n in range(2):
        ready = tmp_path / f"ready{n}"
        args = [sys.executable, "-c", _CHILD, str(ready), str(go), str(home / "data")]
        children.append((ready, subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)))
    for ready, child in children:
        while not ready.exists():  # both hold their guard before either takes a slot
            assert child.poll() is None, "a child exited before it was ready"
            time.sleep(0.01)
    go.touch()
    outputs = [child.communicate(timeout=60)[0].splitlines() for _, child in children]
    assert all(child.returncode == 0 for _, child in children)
    assert sum(int(out[0]) for out in outputs) == 7
    refusal = outputs[0][1]
    assert refusal.startswith("spend guard: the answer-scoring limit (7 a minute, ")
    assert "limit_answer_per_min) is reached; the next call may go in " in refusal
    assert (home / "data" / "spend-limits.sqlite").stat().st_mode & 0o077 == 0


@pytest.fixture
def stub(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", KEY)
        yield server


def test_a_reached_limit_sends_nothing_and_says_when(
    run: Any, stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With 1 question set a minute, a second `interview create` exits 6 with one line naming
    the limit and its setting, and the server never sees the request."""
    monkeypatch.setenv("PREPPATH_LIMIT_CREATE_PER_MIN", "1")
    stub.script(CHAT, chat_reply({"questions": [_question_json()]}))
    assert run("interview", "create", *BACKEND_PYTHON, "--count", "1").code == 0
    second = run("interview", "create", *BACKEND_PYTHON, "--count", "1")
    assert second.code == 6
    assert second.stderr.startswith(
        "preppath: error: spend guard: the question-writing limit (1 a minute, "
        "limit_create_per_min) is reached; the next call may go in "
    )
    assert second.stderr.count("\n") == 1
    assert len(stub.requests_to(CHAT)) == 1


def test_usage_is_recorded_per_interview_and_shown_everywhere(
    run: Any, stub: OpenAIStub, home: Path, tmp_path: Path
) -> None:
    """The `usage` of the question and scoring replies is stored with the interview, priced by
    the table (a dated model name as its undated row), and shown in the JSON, Markdown and HTML
    report, the terminal report and `stats`."""
    model = "gpt-4o-mini-2024-07-18"
    stub.script(
        CHAT,
        chat_reply(
            {"questions": [_question_json()]},
            usage={"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
            model=model,
        ),
    )
    created = run("interview", "create", *BACKEND_PYTHON, "--count", "1", "--json").json()
    stub.script(
        CHAT,
        chat_reply(
            _grade(),
            usage={"prompt_tokens": 3000, "completion_tokens": 100, "total_tokens": 3100},
            model=model,
        ),
    )
    iv = str(created["id"])
    assert run("interview", "answer", iv, "1", "--text", "Only one thread runs.").code == 0

    db = sqlite3.connect(home / "data" / "preppath.db")
    rows = db.execute(
        "SELECT capability, model, input_tokens, output_tokens FROM usage"
        " WHERE interview_id = ? ORDER BY id",
        (created["id"],),
    ).fetchall()
    assert rows == [("questions", model, 1000, 500), ("evaluation", model, 3000, 100)]
    expected = (4000 * 0.15 + 600 * 0.60) / 1e6
    report = run("interview", "report", iv, "--format", "json").json()["usage"]
    assert report["calls"] == 2 and report["input_tokens"] == 4000
    assert report["cost_usd"] == pytest.approx(expected)
    for fmt in ("markdown", "html"):
        text = run("interview", "report", iv, "--format", fmt).stdout
        assert "Cloud usage: 2 cloud calls; 4,000 tokens in, 600 out; about $0.0010" in text
    assert "Cloud usage: 2 cloud calls" in run("interview", "report", iv).stdout
    stats = run("stats", "--json").json()["usage"]
    assert (stats["calls"], stats["output_tokens"]) == (2, 600)
    assert "Cloud usage: 2 cloud calls" in run("stats").stdout
    assert KEY.encode() not in b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_a_model_without_a_price_shows_usage_without_cost(
    run: Any, stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A local model's tokens are counted, its cost is null, not zero, and the line says so."""
    monkeypatch.setenv("PREPPATH_QUESTION_MODEL", "llama3.1:8b")
    stub.script(
        CHAT,
        chat_reply(
            {"questions": [_question_json()]},
            usage={"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
            model="llama3.1:8b",
        ),
    )
    iv = str(run("interview", "create", *BACKEND_PYTHON, "--count", "1", "--json").json()["id"])
    used = run("interview", "report", iv, "--format", "json").json()["usage"]
    assert (used["output_tokens"], used["cost_usd"], used["unpriced_calls"]) == (20, None, 1)
    assert "cost unknown" in used["summary"]


def test_the_price_table_prices_audio_and_characters() -> None:
    """whisper-1 is priced by the audio minute and tts-1 by the character; an unknown or merely
    similar model name has no price."""
    assert estimate_cost(Usage("transcription", "whisper-1", audio_seconds=90)) == pytest.approx(
        0.009
    )
    assert estimate_cost(Usage("speech", "tts-1", characters=1000)) == pytest.approx(0.015)
    assert estimate_cost(Usage("questions", "gpt-4o-minimal")) is None
    assert estimate_cost(Usage("questions", "llama3")) is None


def test_speech_and_transcription_usage_is_noted(stub: OpenAIStub, tmp_path: Path) -> None:
    """Through the real SDK: speech is counted in characters sent, whisper in the audio seconds
    its reply reports, and both take slots from their own limits and the overall one."""
    from preppath.providers import factory
    from preppath.settings import load_settings
    from preppath.spend.usage import metering

    settings = load_settings(limit_speech_per_min=1, limit_transcription_per_min=5)
    stub.script("/v1/audio/speech", pcm_reply(b"\x00\x00" * 100))
    body = json.loads(transcription_reply([("hello", 0.0, 0.5)], 12.0).body)
    stub.script(
        "/v1/audio/transcriptions",
        json_reply(body | {"usage": {"type": "duration", "seconds": 12}}),
    )
    audio = tmp_path / "answer.wav"
    audio.write_bytes(b"RIFF fake wav")
    with metering() as used:
        factory.text_to_speech(settings).synthesize("Tell me about a time.")
        factory.speech_to_text(settings).transcribe_file(audio)
        with pytest.raises(SpendLimitReached, match="the speech limit"):
            factory.text_to_speech(settings).synthesize("Again.")
    assert [(u.capability, u.model, u.characters, u.audio_seconds) for u in used] == [
        ("speech", "tts-1", 21, 0.0),
        ("transcription", "whisper-1", 0, 12.0),
    ]
    assert len(stub.requests_to("/v1/audio/speech")) == 1


def test_at_a_terminal_a_short_wait_is_waited_out(tmp_path: Path) -> None:
    """When someone is at a terminal and the limit frees up within limit_wait_s, the guard says
    it is waiting and then lets the call go instead of refusing it."""
    from preppath.spend.limits import Limits, SpendGuard

    said: list[str] = []
    per_window = {"create": 1, "answer": 0, "transcription": 0, "speech": 0, "all": 0}
    guard = SpendGuard(
        tmp_path / "limits.sqlite",
        Limits(per_window, wait_s=5.0, window_ms=300),  # a short window keeps the test fast
        interactive=lambda: True,
        say=said.append,
    )
    guard.acquire("questions")
    guard.acquire("questions")  # the window is full: this one waits for it
    assert len(said) == 1 and said[0].startswith("the question-writing limit (1 a minute")
    assert "; waiting " in said[0]


def test_a_slot_is_not_refused_while_another_thread_holds_the_buckets_lock(
    tmp_path: Path,
) -> None:
    """A script's acquire that meets another thread mid-acquire (holding the bucket's lock)
    takes its slot once the lock is free instead of refusing with "may go in 0 s"; a truly
    full minute is still refused at once."""
    import threading

    from preppath.spend.limits import Limits, SpendGuard

    per_window = {"create": 0, "answer": 2, "transcription": 0, "speech": 0, "all": 0}
    guard = SpendGuard(
        tmp_path / "limits.sqlite", Limits(per_window, wait_s=0.0), interactive=lambda: False
    )
    guard.acquire("evaluation")  # opens the bucket
    limiter, _bucket = guard._bucket("answer", 2, 60_000)
    locks = limiter.lock if isinstance(limiter.lock, list) else [limiter.lock]
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        for lock in locks:
            lock.acquire()
        held.set()
        release.wait(10)
        for lock in reversed(locks):
            lock.release()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    threading.Timer(0.2, release.set).start()
    guard.acquire("evaluation")  # the second slot: taken once the holder lets go
    holder.join(10)
    with pytest.raises(SpendLimitReached):
        guard.acquire("evaluation")  # the third: the minute is full
