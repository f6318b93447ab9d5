"""The OpenAI providers driven through the real openai SDK against a local stub server."""

from __future__ import annotations

import socket
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from openai_stub import (
    OpenAIStub,
    Reply,
    chat_reply,
    error_reply,
    json_reply,
    pcm_reply,
    transcription_reply,
)
from preppath.errors import ExitCode, PrepPathError
from preppath.providers.openai_client import LOCAL_PLACEHOLDER_KEY, make_client
from preppath.providers.openai_evaluator import OpenAIEvaluator
from preppath.providers.openai_questions import OpenAIQuestionProvider
from preppath.providers.openai_speech import (
    MAX_UPLOAD_BYTES,
    PCM_SAMPLE_RATE,
    OpenAISpeechToText,
    OpenAITextToSpeech,
)
from preppath.settings import Settings
from preppath.values import KeyPoint, Question, QuestionRequest, Weights

KEY = "sk-test-Zq8vN3xT7kLm2Pw9Rt4Y"
CHAT = "/v1/chat/completions"
TRANSCRIBE = "/v1/audio/transcriptions"
SPEECH = "/v1/audio/speech"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREPPATH_HOME", str(tmp_path / "home"))  # no user config.toml


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def client(stub: OpenAIStub) -> openai.OpenAI:
    settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=stub.base_url)
    return make_client(settings)


def _question_json(**overrides: Any) -> dict[str, Any]:
    question = {
        "text": "How does  Python's GIL affect threads?",
        "type": "technical",
        "difficulty": "medium",
        "expected_answer": "Only one thread runs bytecode at a time ...",
        "key_points": [
            {"point": f"Point {i}", "phrasings": ["One lock", "one lock", "bytecode", ""]}
            for i in range(8)
        ],
        "weights": {"correctness": 2, "completeness": 1, "clarity": 1},
        "tags": ["Concurrency", "runtime"],
    }
    return question | overrides


def _request(**overrides: Any) -> QuestionRequest:
    values: dict[str, Any] = {
        "interview_type": "technical",
        "role": "backend engineer",
        "level": "senior",
        "stack": ("python", "postgres"),
        "count": 2,
    }
    return QuestionRequest(**(values | overrides))


QUESTION = Question(
    id="python-gil",
    type="technical",
    difficulty="medium",
    levels=("mid",),
    stack=("python",),
    tags=(),
    text="What is the GIL?",
    expected_answer="A lock ...",
    key_points=(
        KeyPoint("Only one thread runs bytecode at a time", ("one thread",)),
        KeyPoint("Reference counting is not thread-safe", ("reference counting",)),
    ),
    weights=Weights(correctness=0.6, completeness=0.2, clarity=0.2),
)
ANSWER = "The GIL means only one thread executes Python bytecode at once, so CPU work won't scale."


def _grade(**overrides: Any) -> dict[str, Any]:
    grade = {
        "correctness": 8,
        "completeness": 5,
        "clarity": 12,  # out of range on purpose
        "strengths": [
            {"point": "Accurate core definition", "evidence": "only one thread executes"},
            {"point": "Invented quote", "evidence": "the GIL is a hash table"},
        ],
        "improvements": [{"point": "Explain why the GIL exists", "evidence": ""}],
        "key_points": [
            {
                "point": "Only one thread runs bytecode at a time",
                "covered": True,
                "quotes": ["only one thread executes Python bytecode", "not in the answer"],
            },
            {"point": "Reference counting is not thread-safe", "covered": False, "quotes": []},
        ],
        "star": {"situation": False, "task": False, "action": True, "result": False},
    }
    return grade | overrides


def test_questions_parse_into_normalised_questions(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """Structured questions become Questions with ids, capped lists and weights summing to 1."""
    stub.script(
        CHAT, chat_reply({"questions": [_question_json(), _question_json(type="behavioral")]})
    )
    questions = OpenAIQuestionProvider(client, "gpt-test").questions(_request(seed=7))

    assert len(questions) == 1  # the same text twice is one question
    q = questions[0]
    assert q.id.startswith("ai-") and len(q.id) == 13
    assert q.text == "How does Python's GIL affect threads?"
    assert (q.type, q.difficulty, q.source) == ("technical", "medium", "openai")
    assert q.levels == ("senior",) and q.stack == ("python", "postgres")
    assert q.tags == ("concurrency", "runtime")
    assert len(q.key_points) == 6 and q.key_points[0].phrasings == ("one lock", "bytecode")
    assert q.weights == Weights(0.5, 0.25, 0.25)

    sent = stub.requests_to(CHAT)[0].json()
    assert sent["model"] == "gpt-test" and sent["seed"] == 7
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    prompt = sent["messages"][1]["content"]
    for fragment in ("2 distinct", "senior-level", "backend engineer", "python, postgres"):
        assert fragment in prompt


def test_mixed_interview_asks_for_all_types_and_keeps_model_types(
    stub: OpenAIStub, client: openai.OpenAI
) -> None:
    """A mixed request asks for a mix of types and keeps each question's own type."""
    replies = [
        _question_json(text="Tell me about a conflict.", type="behavioral"),
        _question_json(),
    ]
    stub.script(CHAT, chat_reply({"questions": replies}))
    questions = OpenAIQuestionProvider(client, "m").questions(_request(interview_type="mixed"))

    assert [q.type for q in questions] == ["behavioral", "technical"]
    prompt = stub.requests_to(CHAT)[0].json()["messages"][1]["content"]
    assert "technical, behavioral and system_design" in prompt


def test_questions_without_key_points_are_an_error(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A reply with no usable question raises UNAVAILABLE instead of returning an empty list."""
    stub.script(CHAT, chat_reply({"questions": [_question_json(key_points=[])]}))
    with pytest.raises(PrepPathError, match="no usable questions") as info:
        OpenAIQuestionProvider(client, "m").questions(_request())
    assert info.value.code == ExitCode.UNAVAILABLE


def test_evaluation_computes_overall_from_question_weights(
    stub: OpenAIStub, client: openai.OpenAI
) -> None:
    """Scores are clamped, overall is 10x the weighted sum, and invented quotes are dropped."""
    stub.script(CHAT, chat_reply(_grade()))
    result = OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER, delivery={"wpm": 150})

    assert (result.correctness, result.completeness, result.clarity) == (8, 5, 10)
    assert result.overall == 78  # 10 * (0.6*8 + 0.2*5 + 0.2*10)
    assert result.strengths == [
        'Accurate core definition ("only one thread executes")',
        "Invented quote",
    ]
    # The offline rubric, reading the same short answer, scores it far lower and says why.
    assert result.improvements[1:] == ["Explain why the GIL exists"]
    assert result.improvements[0].startswith("The model scored this 78 and the offline rubric")
    assert [(k.covered, k.matched) for k in result.key_points] == [
        (True, ("only one thread executes Python bytecode",)),
        (False, ()),
    ]
    assert result.star is None  # technical question
    assert result.delivery == {"wpm": 150} and result.evaluator == "openai"
    assert "<answer>\n" + ANSWER in stub.requests_to(CHAT)[0].json()["messages"][1]["content"]


def test_behavioral_evaluation_reports_star(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """Behavioral questions carry the model's STAR flags."""
    stub.script(CHAT, chat_reply(_grade()))
    behavioral = Question(**{**QUESTION.__dict__, "type": "behavioral"})
    result = OpenAIEvaluator(client, "m").evaluate(behavioral, ANSWER)
    assert result.star == {"situation": False, "task": False, "action": True, "result": False}


def test_reply_not_matching_schema_is_an_error(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """Model output that is not the expected JSON raises UNAVAILABLE naming the problem."""
    stub.script(CHAT, chat_reply('{"correctness": "high"'))
    with pytest.raises(PrepPathError, match="did not match the expected format") as info:
        OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER)
    assert info.value.code == ExitCode.UNAVAILABLE


def test_malformed_http_body_is_an_error(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A server answering 200 with a body that is not JSON raises UNAVAILABLE."""
    stub.script(CHAT, Reply(200, b"{not json"))
    with pytest.raises(PrepPathError, match="sent a reply that is not JSON") as info:
        OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER)
    assert info.value.code == ExitCode.UNAVAILABLE


def test_refusal_is_an_error(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A model refusal raises ERROR quoting the refusal."""
    body = chat_reply({}).body.replace(b'"refusal": null', b'"refusal": "I cannot help"')
    stub.script(CHAT, Reply(200, body))
    with pytest.raises(PrepPathError, match="the model refused: I cannot help"):
        OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER)


def test_transcription_sends_multipart_and_returns_words(
    stub: OpenAIStub, client: openai.OpenAI, tmp_path: Path
) -> None:
    """Transcription uploads model, verbose_json, word granularity and vocabulary; words return."""
    audio = tmp_path / "answer.wav"
    audio.write_bytes(b"RIFF fake wav")
    stub.script(
        TRANSCRIBE, transcription_reply([("Kubernetes", 0.0, 0.6), ("pods", 0.6, 1.0)], 1.2)
    )

    stt = OpenAISpeechToText(client, "whisper-1")
    transcript = stt.transcribe_file(audio, vocabulary=["Kubernetes", "etcd", "Kubernetes"])

    assert transcript.text == "Kubernetes pods" and transcript.duration_s == 1.2
    assert [(w.word, w.start, w.end) for w in transcript.words] == [
        ("Kubernetes", 0.0, 0.6),
        ("pods", 0.6, 1.0),
    ]
    form = stub.requests_to(TRANSCRIBE)[0].form()
    assert form["model"] == ["whisper-1"]
    assert form["response_format"] == ["verbose_json"]
    assert form["timestamp_granularities[]"] == ["word", "segment"]
    assert form["prompt"] == ["Kubernetes, etcd"]
    assert form["file"] == [b"RIFF fake wav"]


def test_a_file_over_25_mb_that_is_not_audio_is_refused_without_a_request(
    stub: OpenAIStub, client: openai.OpenAI, tmp_path: Path
) -> None:
    """A file over 25 MB must be re-encoded first; one that cannot be decoded raises INVALID
    before anything is sent."""
    audio = tmp_path / "long.mp3"
    with audio.open("wb") as f:
        f.truncate(MAX_UPLOAD_BYTES + 1)  # sparse: no 25 MB written to disk
    with pytest.raises(PrepPathError, match="cannot decode audio") as info:
        OpenAISpeechToText(client, "whisper-1").transcribe_file(audio)
    assert info.value.code == ExitCode.INVALID
    assert stub.requests == []


def test_speech_returns_24khz_pcm(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """Speech requests pcm with the model and voice and returns the raw samples at 24 kHz."""
    stub.script(SPEECH, pcm_reply(b"\x01\x00" * 2400 + b"\x07"))
    speech = OpenAITextToSpeech(client, "tts-1-hd", "nova").synthesize("Tell me  about yourself.")

    assert speech.sample_rate == PCM_SAMPLE_RATE
    assert speech.pcm == b"\x01\x00" * 2400  # the odd trailing byte is dropped
    assert speech.duration_s == pytest.approx(0.1)
    sent = stub.requests_to(SPEECH)[0].json()
    assert sent == {
        "model": "tts-1-hd",
        "voice": "nova",
        "input": "Tell me about yourself.",
        "response_format": "pcm",
    }


def test_server_errors_are_retried(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A 500 then 200 succeeds after one retry (two requests in all)."""
    stub.script(CHAT, error_reply(500), chat_reply(_grade()))
    assert OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER).overall == 78
    assert len(stub.requests_to(CHAT)) == 2


def test_persistent_server_error_is_unavailable_with_status(
    stub: OpenAIStub, client: openai.OpenAI
) -> None:
    """A 503 that persists through both retries raises UNAVAILABLE naming the status."""
    stub.script(CHAT, error_reply(503, "overloaded"))
    with pytest.raises(PrepPathError, match="OpenAI API error 503: overloaded") as info:
        OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER)
    assert info.value.code == ExitCode.UNAVAILABLE
    assert len(stub.requests_to(CHAT)) == 3


def test_unknown_model_is_unavailable_with_status(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A 404 is not retried and raises UNAVAILABLE with the server's reason."""
    stub.script(CHAT, error_reply(404, "The model `gpt-nope` does not exist"))
    with pytest.raises(PrepPathError, match="404: The model `gpt-nope` does not exist") as info:
        OpenAIQuestionProvider(client, "gpt-nope").questions(_request())
    assert info.value.code == ExitCode.UNAVAILABLE
    assert len(stub.requests_to(CHAT)) == 1


def test_rejected_key_is_unavailable_and_never_echoed(
    stub: OpenAIStub, client: openai.OpenAI
) -> None:
    """A 401 raises UNAVAILABLE; neither message nor traceback holds the key the server echoed."""
    stub.script(CHAT, error_reply(401, f"Incorrect API key provided: {KEY}"))
    with pytest.raises(PrepPathError) as info:
        OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER)
    error = info.value
    assert error.code == ExitCode.UNAVAILABLE
    assert error.message.startswith("the API key was rejected (401)")
    printed = "".join(traceback.format_exception(error))
    assert KEY not in printed and KEY not in repr(error)
    assert KEY[3:] not in printed
    assert stub.requests_to(CHAT)[0].headers["authorization"] == f"Bearer {KEY}"


def test_key_echoed_in_other_errors_is_scrubbed(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A server message quoting the key (even a custom, non-sk key) has it masked."""
    custom = "local-secret-4242"
    settings = Settings(openai_api_key=SecretStr(custom), openai_base_url=stub.base_url)
    stub.script(CHAT, error_reply(400, f"bad request from {custom} and {KEY}"))
    with pytest.raises(PrepPathError) as info:
        OpenAIEvaluator(make_client(settings), "m").evaluate(QUESTION, ANSWER)
    assert info.value.message == "OpenAI API error 400: bad request from *** and sk-***"


def test_rate_limit_after_retries_is_unavailable_with_advice(
    stub: OpenAIStub, client: openai.OpenAI
) -> None:
    """A 429 that persists through retries raises UNAVAILABLE with advice."""
    stub.script(CHAT, error_reply(429, "Rate limit reached", {"retry-after": "0"}))
    with pytest.raises(PrepPathError, match=r"\(429\).*Rate limit reached.*try again") as info:
        OpenAIQuestionProvider(client, "m").questions(_request())
    assert info.value.code == ExitCode.UNAVAILABLE
    assert len(stub.requests_to(CHAT)) == 3


def test_connection_refused_is_unavailable(tmp_path: Path) -> None:
    """A server that is not listening raises UNAVAILABLE naming the host."""
    with socket.socket() as sock:  # find a port, then free it so nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        openai_api_key=SecretStr(KEY), openai_base_url=f"http://127.0.0.1:{port}/v1"
    )
    with pytest.raises(
        PrepPathError, match=f"cannot reach the OpenAI API at 127.0.0.1:{port}"
    ) as info:
        OpenAIEvaluator(make_client(settings, max_retries=0), "m").evaluate(QUESTION, ANSWER)
    assert info.value.code == ExitCode.UNAVAILABLE
    assert KEY not in "".join(traceback.format_exception(info.value))


def test_timeout_is_unavailable(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """A server slower than the client timeout raises UNAVAILABLE saying it timed out."""
    stub.script(CHAT, Reply(200, b"{}", delay_s=0.5))
    quick = client.with_options(timeout=0.1, max_retries=0)
    with pytest.raises(PrepPathError, match="request timed out") as info:
        OpenAIEvaluator(quick, "m").evaluate(QUESTION, ANSWER)
    assert info.value.code == ExitCode.UNAVAILABLE


def test_base_url_without_key_uses_placeholder(stub: OpenAIStub) -> None:
    """A local server configured by base_url alone gets a placeholder key, not a crash."""
    stub.script(SPEECH, pcm_reply(b"\x00\x00"))
    settings = Settings(openai_api_key=None, openai_base_url=stub.base_url)
    OpenAITextToSpeech(make_client(settings), "tts-1", "alloy").synthesize("hi")
    assert stub.requests_to(SPEECH)[0].headers["authorization"] == f"Bearer {LOCAL_PLACEHOLDER_KEY}"


def test_no_key_and_no_base_url_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a key or base_url (nor OPENAI_API_KEY, the fallback) the client is not built."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(PrepPathError, match="no OpenAI API key") as info:
        make_client(Settings(provider="openai", openai_api_key=None, openai_base_url=""))
    assert info.value.code == ExitCode.UNAVAILABLE


def test_error_body_without_message_is_one_line(stub: OpenAIStub, client: openai.OpenAI) -> None:
    """An error body without a `message` field still yields one line with the status."""
    stub.script(CHAT, json_reply({"detail": "bad\nthing"}, 422))
    with pytest.raises(PrepPathError, match="OpenAI API error 422") as info:
        OpenAIEvaluator(client, "m").evaluate(QUESTION, ANSWER)
    assert "\n" not in info.value.message
