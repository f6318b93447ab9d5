"""Every reply shape an OpenAI-compatible server can send becomes one line and exit 6, never an
"unexpected AttributeError": the real openai SDK talks to the stub server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from openai_stub import OpenAIStub, Reply, chat_reply, error_reply, json_reply, pcm_reply
from preppath.errors import ExitCode, PrepPathError
from preppath.providers.openai_client import make_client
from preppath.providers.openai_speech import OpenAISpeechToText, OpenAITextToSpeech
from preppath.settings import Settings
from test_openai_providers import CHAT, SPEECH, TRANSCRIBE, _grade, _question_json

KEY = "sk-test-replies-0123456789"
ENVELOPE = {"id": "chatcmpl-x", "object": "chat.completion", "created": 1, "model": "m"}
HTML = b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"
RETRY_NOW = {"retry-after-ms": "1"}


def completion(choices: object) -> Reply:
    return json_reply({**ENVELOPE, "choices": choices})


def message(content: object) -> Reply:
    return completion([{"index": 0, "message": {"role": "assistant", "content": content}}])


# (name, reply, words the one line must contain)
MALFORMED = [
    ("choices is an object", completion({"0": {"message": {}}}), "choices is not a list"),
    ("choices is a string", completion("none"), "choices is not a list"),
    ("choices is null", completion(None), "choices is not a list"),
    ("no choices", completion([]), "no reply"),
    ("a choice is a number", completion([1]), "choices[0] is not an object"),
    ("a choice without a message", completion([{"index": 0}]), "message is missing"),
    ("content is a number", message(5), "content is not a string"),
    ("content is prose", chat_reply("Sure! Here you go."), "not valid JSON"),
    ("the body is a list", json_reply([1, 2]), "the reply is not an object"),
    ("the body is empty", Reply(200, b""), "empty reply"),
    ("an HTML page", Reply(200, HTML, content_type="text/html"), "web page"),
    ("HTML labelled JSON", Reply(200, HTML), "web page"),
    ("HTTP 400", error_reply(400, "response_format is not supported"), "400"),
    ("HTTP 401", error_reply(401, "invalid key"), "401"),
    ("HTTP 404", error_reply(404, "model not found"), "404"),
    ("HTTP 404 page", Reply(404, HTML, content_type="text/html"), "404"),
    ("HTTP 500", error_reply(500, "internal error"), "500"),
    ("HTTP 502 page", Reply(502, HTML, "text/html", RETRY_NOW), "502"),
]


@pytest.fixture
def stub(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", KEY)
        yield server


def assert_unavailable_line(result: Any, *words: str) -> str:
    assert result.code == ExitCode.UNAVAILABLE == 6, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("preppath: error: "), result.stderr
    assert "unexpected" not in lines[0] and "Traceback" not in result.stderr
    assert "Value error" not in lines[0] and "Input should be" not in lines[0]
    for word in words:
        assert word in lines[0], lines[0]
    assert KEY not in result.stderr + result.stdout
    return lines[0]  # type: ignore[no-any-return]


# A model's prose instead of JSON is retried and then replaced by the bank's questions
# (tests/test_openai_questions.py); every other malformed reply is the server's fault.
MALFORMED_ENVELOPES = [m for m in MALFORMED if m[0] != "content is prose"]


@pytest.mark.parametrize(
    ("name", "reply", "words"), MALFORMED_ENVELOPES, ids=[m[0] for m in MALFORMED_ENVELOPES]
)
def test_a_malformed_question_reply_is_one_line_exit_6(
    run: Any, stub: OpenAIStub, home: Path, name: str, reply: Reply, words: str
) -> None:
    """`interview create` against a server sending this reply exits 6 with one plain line and
    no traceback in the log."""
    stub.script(CHAT, reply)
    result = run("interview", "create", "--role", "Backend Engineer", "--count", "1")
    assert_unavailable_line(result, words)
    log = home / "logs" / "preppath.log"
    assert not log.exists() or "Traceback" not in log.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "reply", "words"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_grading_reply_is_one_line_and_keeps_the_question_open(
    run: Any, stub: OpenAIStub, name: str, reply: Reply, words: str
) -> None:
    """`interview answer` against a server sending this reply exits 6 and stores no answer, so
    the question can be answered again once the server works."""
    stub.script(CHAT, chat_reply({"questions": [_question_json()]}))
    created = run("interview", "create", "--role", "Backend Engineer", "--count", "1", "--json")
    assert created.code == 0, created.stderr
    interview = created.json()["id"]
    stub.script(CHAT, reply)
    result = run("interview", "answer", str(interview), "1", "--text", "One thread at a time.")
    assert_unavailable_line(result, words)
    stub.script(CHAT, chat_reply(_grade()))
    again = run("interview", "answer", str(interview), "1", "--text", "One thread at a time.")
    assert again.code == 0, again.stderr


def test_a_web_page_points_at_the_base_url(run: Any, stub: OpenAIStub) -> None:
    """An HTML page (a web UI's address instead of its API's) is named as such, with the fix."""
    stub.script(CHAT, Reply(200, HTML, content_type="text/html"))
    line = assert_unavailable_line(run("interview", "create", "--role", "backend", "--count", "1"))
    assert "openai_base_url" in line and "/v1" in line
    assert "nginx" not in line


@pytest.fixture
def client(home: Path) -> Iterator[tuple[OpenAIStub, openai.OpenAI]]:
    with OpenAIStub() as server:
        settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=server.base_url)
        yield server, make_client(settings, max_retries=0)


TRANSCRIPTIONS = [
    ("words is an object", json_reply({"text": "hi", "words": {"0": 1}}), "words is not a list"),
    ("a word is a string", json_reply({"text": "hi", "words": ["hi"]}), r"words\[0\] is not"),
    ("a word without times", json_reply({"text": "hi", "words": [{"word": "hi"}]}), "start"),
    ("text is null", json_reply({"text": None}), "text is not a string"),
    ("the body is a list", json_reply([1]), "the reply is not an object"),
    ("an HTML page", Reply(200, HTML, content_type="text/html"), "web page"),
]


@pytest.mark.parametrize(
    ("name", "reply", "words"), TRANSCRIPTIONS, ids=[t[0] for t in TRANSCRIPTIONS]
)
def test_a_malformed_transcription_is_unavailable(
    client: tuple[OpenAIStub, openai.OpenAI], tmp_path: Path, name: str, reply: Reply, words: str
) -> None:
    """A transcription reply of the wrong shape raises UNAVAILABLE saying which part is wrong."""
    stub, sdk = client
    stub.script(TRANSCRIBE, reply)
    audio = tmp_path / "answer.wav"
    audio.write_bytes(b"RIFF fake")
    with pytest.raises(PrepPathError, match=words) as info:
        OpenAISpeechToText(sdk, "whisper-1").transcribe_file(audio)
    assert info.value.code == ExitCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        (Reply(200, HTML, content_type="text/html"), "text/html, not audio"),
        (json_reply({"audio": "none"}), "application/json, not audio"),
        (pcm_reply(b""), "no audio"),
    ],
    ids=["an HTML page", "JSON", "no bytes"],
)
def test_speech_that_is_not_audio_is_unavailable(
    client: tuple[OpenAIStub, openai.OpenAI], reply: Reply, words: str
) -> None:
    """A speech reply that is a page, JSON or empty raises UNAVAILABLE instead of playing noise."""
    stub, sdk = client
    stub.script(SPEECH, reply)
    with pytest.raises(PrepPathError, match=words) as info:
        OpenAITextToSpeech(sdk, "tts-1", "alloy").synthesize("Tell me about yourself.")
    assert info.value.code == ExitCode.UNAVAILABLE
