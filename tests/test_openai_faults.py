"""Every fault of a cloud server, for each capability, through the CLI and the real openai SDK
against the stub on 127.0.0.1: one line saying what failed and what to do, exit 6, no
traceback, no key anywhere, and nothing the person gave is lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from pydantic import SecretStr

from conftest import BACKEND_PYTHON
from openai_stub import (
    OpenAIStub,
    Reply,
    chat_reply,
    error_reply,
    json_reply,
    refusal_reply,
    transcription_reply,
)
from preppath.errors import PrepPathError
from preppath.providers import openai_client
from preppath.providers.openai_speech import OpenAITextToSpeech
from preppath.settings import Settings
from test_openai_providers import CHAT, SPEECH, TRANSCRIBE, _grade, _question_json

KEY = "sk-test-faults-Qm7Xw2Lp9Zr4"
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
HANG = Reply(delay_s=2.0)  # longer than the test's client timeout

# (name, reply, words the one line must hold: what failed, and what to do)
COMMON = [
    ("hangs", HANG, ("timed out", "try again")),
    ("500 forever", error_reply(500, "internal error"), ("500", "try again later")),
    ("malformed JSON", Reply(200, b'{"choices": [tru'), ("not JSON",)),
    ("401", error_reply(401, f"Incorrect API key provided: {KEY}"), ("401", "openai_api_key")),
    (
        "unknown model",
        error_reply(404, "The model `gpt-nope` does not exist"),
        ("404", "model settings"),
    ),
    ("HTML page", Reply(200, HTML, content_type="text/html"), ("web page", "openai_base_url")),
]
CHAT_ONLY = [
    ("empty choices", json_reply({"id": "x", "object": "chat.completion", "choices": []}),
     ("no choices", "openai_base_url")),
    ("refusal", refusal_reply("I can't help with that."), ("refused", "provider = offline")),
]  # fmt: skip
CHAT_FAULTS = COMMON + CHAT_ONLY


@pytest.fixture
def stub(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    monkeypatch.setattr(openai_client, "TIMEOUT_S", 0.3)  # a hang fails in a second, not 2 min
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", KEY)
        yield server


def assert_one_line(result: Any, words: tuple[str, ...], home: Path) -> None:
    assert result.code == 6, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("preppath: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert KEY not in result.stdout + result.stderr
    for path in home.rglob("*"):  # the log, the database, caches: the key is in none of them
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(("name", "reply", "words"), CHAT_FAULTS, ids=[f[0] for f in CHAT_FAULTS])
def test_question_faults(
    run: Any, stub: OpenAIStub, home: Path, name: str, reply: Reply, words: tuple[str, ...]
) -> None:
    """`interview create` against the fault: one line, and no half-made interview."""
    stub.script(CHAT, reply)
    result = run("interview", "create", *BACKEND_PYTHON, "--count", "1")
    assert_one_line(result, words, home)
    assert run("interview", "list", "--json").json()["total"] == 0


def _interview(run: Any, stub: OpenAIStub) -> str:
    stub.script(CHAT, chat_reply({"questions": [_question_json()]}))
    created = run("interview", "create", *BACKEND_PYTHON, "--count", "1", "--json")
    assert created.code == 0, created.stderr
    return str(created.json()["id"])


def _pending(run: Any, interview: str) -> bool:
    shown = run("interview", "show", interview, "--json").json()
    return bool(shown["questions"][0]["status"] == "pending")


@pytest.mark.parametrize(("name", "reply", "words"), CHAT_FAULTS, ids=[f[0] for f in CHAT_FAULTS])
def test_evaluation_faults(
    run: Any, stub: OpenAIStub, home: Path, name: str, reply: Reply, words: tuple[str, ...]
) -> None:
    """`interview answer` against the fault: one line, the question stays open, and the same
    answer is scored once the server works again."""
    interview = _interview(run, stub)
    stub.script(CHAT, reply)
    answer = "Only one thread executes Python bytecode at once."
    assert_one_line(run("interview", "answer", interview, "1", "--text", answer), words, home)
    assert _pending(run, interview)
    stub.script(CHAT, chat_reply(_grade()))
    assert run("interview", "answer", interview, "1", "--text", answer).code == 0


@pytest.mark.parametrize(("name", "reply", "words"), COMMON, ids=[f[0] for f in COMMON])
def test_transcription_faults(
    run: Any,
    stub: OpenAIStub,
    home: Path,
    tmp_path: Path,
    name: str,
    reply: Reply,
    words: tuple[str, ...],
) -> None:
    """`audio import` against the fault: one line, the person's file untouched, no stored
    copy left behind, and the import works once the server does."""
    interview = _interview(run, stub)
    recording = tmp_path / "answer.wav"
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(16_000) / 16_000)
    soundfile.write(recording, (tone * 32767).astype(np.int16), 16_000, subtype="PCM_16")
    before = recording.read_bytes()
    stub.script(TRANSCRIBE, reply)

    assert_one_line(run("audio", "import", interview, "1", str(recording)), words, home)
    assert recording.read_bytes() == before and _pending(run, interview)
    stored = home / "data" / "recordings"
    assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]

    stub.script(TRANSCRIBE, transcription_reply([("one", 0.0, 0.4), ("thread", 0.5, 0.9)], 1.0))
    stub.script(CHAT, chat_reply(_grade()))
    assert run("audio", "import", interview, "1", str(recording)).code == 0


@pytest.mark.parametrize(("name", "reply", "words"), COMMON[:2] + COMMON[3:])
def test_speech_faults(
    stub: OpenAIStub, home: Path, name: str, reply: Reply, words: tuple[str, ...]
) -> None:
    """Speaking a question against the fault raises one UNAVAILABLE line without the key.
    (A speech reply is audio, not JSON, so "malformed JSON" has no speech counterpart.)"""
    stub.script(SPEECH, reply)
    settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=stub.base_url)
    tts = OpenAITextToSpeech(openai_client.make_client(settings), "tts-1", "alloy")
    with pytest.raises(PrepPathError) as info:
        tts.synthesize("Tell me about yourself.")
    message = info.value.message
    assert info.value.code == 6 and "\n" not in message and KEY not in message
    for word in words:
        if word != "web page":  # audio endpoints name what came instead of audio
            assert word in message, message
    assert info.value.__cause__ is None  # the SDK's exception, which may echo the key, is dropped
