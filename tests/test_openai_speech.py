"""Cloud speech: the six voices and HD model, a private cache by (text, voice, model, format),
and playback that starts while the audio is still streaming in (real SDK, stub, fake ALSA)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openai
import pytest
from pydantic import SecretStr

from openai_stub import OpenAIStub, error_reply, pcm_reply, streamed_pcm_reply
from preppath.errors import ExitCode, PrepPathError
from preppath.providers.openai_client import make_client
from preppath.providers.openai_speech import PCM_SAMPLE_RATE, VOICES, OpenAITextToSpeech
from preppath.settings import Settings
from test_openai_providers import KEY, SPEECH
from voice_conftest import ALSA_DIR, FakeAlsa

# Never zero, so the speaker's recording can be told apart from the silence around it.
PCM = (1000 + np.arange(2 * PCM_SAMPLE_RATE) % 500).astype("<i2").tobytes()


@pytest.fixture
def stub(home: Path) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def _client(stub: OpenAIStub) -> openai.OpenAI:
    settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=stub.base_url)
    return make_client(settings, max_retries=0)


@pytest.mark.parametrize("voice", VOICES)
def test_each_of_the_six_voices_is_sent_with_the_chosen_model(
    stub: OpenAIStub, tmp_path: Path, voice: str
) -> None:
    """Every OpenAI voice and the HD model reach the request as chosen."""
    stub.script(SPEECH, pcm_reply(PCM[:4800]))
    OpenAITextToSpeech(_client(stub), "tts-1-hd", voice, cache_dir=tmp_path).synthesize("Hi.")
    sent = stub.requests_to(SPEECH)[0].json()
    assert (sent["voice"], sent["model"], sent["response_format"]) == (voice, "tts-1-hd", "pcm")


def test_an_unknown_voice_is_a_usage_error(stub: OpenAIStub, tmp_path: Path) -> None:
    """A voice OpenAI does not have is refused before any request, naming the six."""
    with pytest.raises(PrepPathError, match="alloy, echo, fable, onyx, nova, shimmer") as info:
        OpenAITextToSpeech(_client(stub), "tts-1", "bob", cache_dir=tmp_path)
    assert info.value.code == ExitCode.USAGE and stub.requests == []


def test_a_repeated_question_comes_from_the_private_cache(stub: OpenAIStub, tmp_path: Path) -> None:
    """The second speaking of the same text, voice and model sends no request; the cached file
    is 0600 in a 0700 folder; another voice or model is a new request."""
    stub.script(SPEECH, streamed_pcm_reply(PCM, 0.001))
    cache = tmp_path / "speech"
    first = OpenAITextToSpeech(_client(stub), "tts-1", "alloy", cache_dir=cache)
    assert first.synthesize("Why  Kafka?").pcm == PCM
    again = OpenAITextToSpeech(_client(stub), "tts-1", "alloy", cache_dir=cache)
    assert again.synthesize("Why Kafka?").pcm == PCM
    assert len(stub.requests_to(SPEECH)) == 1

    (stored,) = cache.iterdir()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert "Kafka" not in stored.name
    OpenAITextToSpeech(_client(stub), "tts-1", "echo", cache_dir=cache).synthesize("Why Kafka?")
    OpenAITextToSpeech(_client(stub), "tts-1-hd", "alloy", cache_dir=cache).synthesize("Why Kafka?")
    assert len(stub.requests_to(SPEECH)) == 3 and len(list(cache.iterdir())) == 3


def test_a_stream_cut_short_is_not_cached(stub: OpenAIStub, tmp_path: Path) -> None:
    """A listener who skips after the first chunk leaves nothing in the cache, so the next
    speaking fetches the whole audio again."""
    stub.script(SPEECH, pcm_reply(PCM))
    tts = OpenAITextToSpeech(_client(stub), "tts-1", "alloy", cache_dir=tmp_path / "c")
    chunks = tts.pcm_chunks("Tell me about yourself.")
    assert len(next(chunks)) < len(PCM)
    chunks.close()
    assert not any((tmp_path / "c").iterdir())
    assert tts.synthesize("Tell me about yourself.").pcm == PCM


def test_a_failed_request_is_not_cached(stub: OpenAIStub, tmp_path: Path) -> None:
    """A 500 is one UNAVAILABLE line and leaves no cache file behind."""
    stub.script(SPEECH, error_reply(500, "boom"))
    tts = OpenAITextToSpeech(_client(stub), "tts-1", "alloy", cache_dir=tmp_path / "c")
    with pytest.raises(PrepPathError, match="500") as info:
        tts.synthesize("Hello there.")
    assert info.value.code == ExitCode.UNAVAILABLE
    assert not any((tmp_path / "c").iterdir())


def test_playback_starts_while_the_audio_is_still_streaming(tmp_path: Path) -> None:
    """Through PortAudio on a fake ALSA speaker, sound reaches the speaker before the second half
    of the audio has been handed to the player, every sample is played once in order, and
    speaking again is served from the cache."""
    fake = FakeAlsa(tmp_path / "alsa", np.zeros(16000, np.int16), speaker_rate=PCM_SAMPLE_RATE)
    (tmp_path / "q.pcm").write_bytes(PCM)
    args = {"pcm": str(tmp_path / "q.pcm"), "speaker": str(fake.speaker), "cache": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(ALSA_DIR / "stream_driver.py"), json.dumps(args)],
        env=fake.env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode == 77:
        pytest.skip(proc.stdout.strip() or "PortAudio is not installed")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["heard_while_streaming"] and result["completed"]
    assert result["requests"] == 1 and result["cached_again"]
    played = fake.speaker_samples()
    assert np.array_equal(played[played != 0], np.frombuffer(PCM, "<i2"))


def test_streaming_dispatch_is_for_cloud_voices_only(stub: OpenAIStub, tmp_path: Path) -> None:
    """The session streams a cloud voice, and keeps eSpeak and the named fake on their own
    paths (they have nothing to stream)."""
    from preppath.providers.base import StreamingTextToSpeech
    from preppath.testing.fakes import FakeTextToSpeech
    from preppath.voice.tts import EspeakTTS

    cloud = OpenAITextToSpeech(_client(stub), "tts-1", "alloy", cache_dir=tmp_path)
    assert isinstance(cloud, StreamingTextToSpeech)
    assert not isinstance(FakeTextToSpeech(), StreamingTextToSpeech)
    assert not isinstance(EspeakTTS(), StreamingTextToSpeech)


def test_a_spoken_cloud_interview_streams_transcribes_and_scores(tmp_path: Path) -> None:
    """`interview start --voice` in a pty against the stub: the question is streamed to the
    speaker sample for sample and cached, the recorded answer is uploaded and its words become
    the stored transcript and delivery metrics, and the model's grade is stored."""
    import pexpect

    from openai_stub import chat_reply, transcription_reply
    from test_openai_providers import CHAT, TRANSCRIBE, _grade, _question_json

    tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(24_000) / 16_000) * 32767).astype(np.int16)
    mic = np.concatenate([np.zeros(8000, np.int16), tone, np.zeros(16_000 * 6, np.int16)])
    alsa = FakeAlsa(tmp_path / "alsa", mic, speaker_rate=PCM_SAMPLE_RATE)
    home = tmp_path / "home"
    words = [("One", 0.5, 0.8), ("thread", 0.9, 1.3), ("um", 1.4, 1.6), ("runs", 3.5, 3.9)]
    with OpenAIStub() as server:
        server.script(CHAT, chat_reply({"questions": [_question_json()]}), chat_reply(_grade()))
        server.script(SPEECH, streamed_pcm_reply(PCM, 0.001))
        server.script(TRANSCRIBE, transcription_reply(words, 4.0))
        env = alsa.env(
            PREPPATH_HOME=str(home),
            PREPPATH_TIMEZONE="UTC",
            PREPPATH_OPENAI_BASE_URL=server.base_url,
            PREPPATH_OPENAI_API_KEY=KEY,
            PREPPATH_SILENCE_STOP_S="1.5",
            NO_COLOR="1",
            TERM="dumb",
            COLUMNS="120",
        )
        env.pop("PREPPATH_VOICE", None)
        args = ["interview", "start", "--voice", "--yes", "--type", "technical", "--role",
                "Backend Engineer", "--stack", "python", "--count", "1"]  # fmt: skip
        child = pexpect.spawn(
            str(Path(sys.executable).with_name("preppath")),
            args,
            env=env,
            encoding="utf-8",
            timeout=60,
            dimensions=(40, 120),
        )
        if child.expect(["Enter records your answer", "voice is off"]) == 1:
            child.close()
            pytest.skip("PortAudio is not installed (apt-get install libportaudio2)")
        child.send("\r")
        child.expect("You said")
        child.expect(r"submit[^\r\n]*: ")
        assert "One thread um runs" in (child.before or "")
        child.send("\r")
        child.expect("Feedback on question 1")
        # A last answer may end the session at once, or first offer "[Enter] next".
        if child.expect([r"next[^\r\n]*: ", pexpect.EOF]) == 0:
            child.send("\r")
            child.expect(pexpect.EOF)
        child.close()
        uploads = server.requests_to(TRANSCRIBE)
    assert child.exitstatus == 0, child.before
    played = alsa.speaker_samples()
    assert np.array_equal(played[played != 0], np.frombuffer(PCM, "<i2"))
    assert len(list((home / "cache" / "speech").iterdir())) == 1
    assert len(uploads) == 1 and uploads[0].form()["file"][0][:4] == b"RIFF"

    import sqlite3

    db = sqlite3.connect(home / "data" / "preppath.db")
    source, text, evaluator, delivery = db.execute(
        "SELECT answer_source, answer_text, evaluator, delivery FROM interview_feedback"
    ).fetchone()
    assert (source, text, evaluator) == ("voice", "One thread um runs", "openai")
    metrics = json.loads(delivery)
    assert metrics["filler_count"] == 1 and metrics["longest_pause_s"] == 1.9
