"""Cloud transcription: verbose_json with word and segment timestamps into the offline path's
Transcript, and files over the upload limit re-encoded or split at pauses (real SDK, stub)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openai
import pytest
import soundfile
from pydantic import SecretStr

from openai_stub import OpenAIStub, json_reply, transcription_reply
from preppath.providers.openai_client import make_client
from preppath.providers.openai_speech import MAX_UPLOAD_BYTES, OpenAISpeechToText
from preppath.providers.openai_upload import FRAME, split_at_pauses
from preppath.settings import Settings
from preppath.values import Transcript, Word
from preppath.voice.decode import TARGET_RATE
from preppath.voice.delivery import measure_delivery
from test_openai_providers import KEY, TRANSCRIBE

# Fillers, a hedge and a 3 s pause: something for every delivery metric to find.
SPOKEN = [
    ("So", 0.0, 0.3), ("um", 0.4, 0.7), ("I", 0.8, 0.9), ("think", 0.9, 1.2),
    ("caching", 1.3, 1.8), ("helps", 1.9, 2.2), ("you", 2.3, 2.4), ("know", 2.4, 2.6),
    ("latency", 5.6, 6.2), ("drops", 6.3, 6.7),
]  # fmt: skip


@pytest.fixture
def stub(home: Path) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def _stt(stub: OpenAIStub, **options: int) -> OpenAISpeechToText:
    settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=stub.base_url)
    client: openai.OpenAI = make_client(settings, max_retries=0)
    return OpenAISpeechToText(client, "whisper-1", **options)


def _wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    soundfile.write(path, samples, rate, subtype="PCM_16")
    return path


def _speech_like(seconds: float, rate: int, pauses: list[tuple[float, float]]) -> np.ndarray:
    """A tone with noise (so FLAC cannot shrink it to nothing), silent during `pauses`."""
    t = np.arange(int(seconds * rate)) / rate
    rng = np.random.default_rng(7)
    audio = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.standard_normal(len(t))
    for start, end in pauses:
        audio[int(start * rate) : int(end * rate)] = 0
    return (audio * 32767).astype(np.int16)


def test_words_and_segments_are_asked_for_and_map_to_offline_words(
    stub: OpenAIStub, tmp_path: Path
) -> None:
    """The request asks for word and segment timestamps; words come back as the same Word values
    the offline recogniser makes."""
    stub.script(TRANSCRIBE, transcription_reply(SPOKEN, 7.0))
    audio = _wav(tmp_path / "a.wav", _speech_like(1, 16_000, []), 16_000)
    transcript = _stt(stub).transcribe_file(audio)
    form = stub.requests_to(TRANSCRIBE)[0].form()
    assert form["timestamp_granularities[]"] == ["word", "segment"]
    assert form["response_format"] == ["verbose_json"]
    assert transcript.words[1] == Word("um", 0.4, 0.7) and transcript.duration_s == 7.0


def test_delivery_metrics_are_the_same_for_cloud_and_offline_transcripts(
    stub: OpenAIStub, tmp_path: Path
) -> None:
    """The same words and timings measured from the cloud's reply and from an offline-built
    Transcript give identical delivery metrics: one metrics code path for both."""
    stub.script(TRANSCRIBE, transcription_reply(SPOKEN, 7.0))
    audio = _wav(tmp_path / "a.wav", _speech_like(1, 16_000, []), 16_000)
    cloud = _stt(stub).transcribe_file(audio)
    offline = Transcript(
        " ".join(w for w, _, _ in SPOKEN), [Word(w, s, e) for w, s, e in SPOKEN], 7.0
    )
    measured = measure_delivery(cloud, "technical").to_dict()
    assert measured == measure_delivery(offline, "technical").to_dict()
    assert measured["filler_count"] == 2 and measured["hedge_count"] == 1


def test_a_reply_with_only_segments_spreads_their_words(stub: OpenAIStub, tmp_path: Path) -> None:
    """A server that sends segments but no words still yields timed words, so pauses between
    segments are measured."""
    segments = [
        {"id": 0, "start": 0.0, "end": 2.0, "text": " Caching helps a lot."},
        {"id": 1, "start": 5.0, "end": 6.0, "text": " Latency drops."},
    ]
    reply = {"text": "Caching helps a lot. Latency drops.", "segments": segments}
    stub.script(TRANSCRIBE, json_reply(reply))
    audio = _wav(tmp_path / "a.wav", _speech_like(1, 16_000, []), 16_000)
    transcript = _stt(stub).transcribe_file(audio)
    assert [(w.word, w.start, w.end) for w in transcript.words] == [
        ("Caching", 0.0, 0.5), ("helps", 0.5, 1.0), ("a", 1.0, 1.5), ("lot.", 1.5, 2.0),
        ("Latency", 5.0, 5.5), ("drops.", 5.5, 6.0),
    ]  # fmt: skip
    assert transcript.duration_s == 6.0  # no duration sent: the last word's end
    assert measure_delivery(transcript, "technical").to_dict()["longest_pause_s"] == 3.0


def test_a_file_over_25_mb_is_sent_as_16khz_mono_flac(stub: OpenAIStub, tmp_path: Path) -> None:
    """A 48 kHz stereo WAV over the limit is uploaded once, re-encoded to 16 kHz mono FLAC."""
    seconds = MAX_UPLOAD_BYTES / (48_000 * 2 * 2) + 2
    mono = _speech_like(seconds, 48_000, [])
    audio = _wav(tmp_path / "long.wav", np.stack([mono, mono], axis=1), 48_000)
    assert audio.stat().st_size > MAX_UPLOAD_BYTES
    stub.script(TRANSCRIBE, transcription_reply(SPOKEN, seconds))

    transcript = _stt(stub).transcribe_file(audio)

    (upload,) = stub.requests_to(TRANSCRIBE)
    (sent,) = upload.form()["file"]
    assert isinstance(sent, bytes) and sent[:4] == b"fLaC" and len(sent) < MAX_UPLOAD_BYTES
    info = soundfile.info(tmp_path / _write(tmp_path / "sent.flac", sent))
    assert (info.samplerate, info.channels) == (16_000, 1)
    assert transcript.words[0] == Word("So", 0.0, 0.3)


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return path.name


def test_audio_still_too_big_is_split_at_pauses_and_rejoined(
    stub: OpenAIStub, tmp_path: Path
) -> None:
    """Over the limit even as FLAC, the audio goes up in pieces cut in its silences, and the
    pieces' word timings are offset onto one timeline."""
    pauses = [(second - 0.2, second + 0.2) for second in range(1, 12)]  # one a second
    samples = _speech_like(12, 16_000, pauses)
    audio = _wav(tmp_path / "a.wav", samples, 16_000)
    flac = tmp_path / "whole.flac"
    soundfile.write(flac, samples, 16_000, format="FLAC", subtype="PCM_16")
    limit = flac.stat().st_size // 3  # three pieces at least
    stub.script(TRANSCRIBE, transcription_reply([("piece", 0.5, 1.0)], 1.0))

    transcript = _stt(stub, max_upload_bytes=limit).transcribe_file(audio)

    uploads = [r.form()["file"][0] for r in stub.requests_to(TRANSCRIBE)]
    assert len(uploads) >= 3 and all(isinstance(u, bytes) and len(u) <= limit for u in uploads)
    assert transcript.text == " ".join(["piece"] * len(uploads))
    offsets = [w.start - 0.5 for w in transcript.words]
    assert offsets[0] == 0.0 and offsets == sorted(offsets)
    for offset in offsets[1:]:  # every later piece starts inside a pause
        assert any(low < offset < high for low, high in pauses), offset
    assert transcript.duration_s == pytest.approx(offsets[-1] + 1.0)


def test_cuts_land_in_the_quietest_frame_near_each_pieces_end() -> None:
    """split_at_pauses keeps every piece within the length and cuts inside a silent stretch."""
    pauses = [(4.3, 4.6), (8.9, 9.4), (13.0, 13.3), (17.0, 17.4)]
    samples = _speech_like(20, TARGET_RATE, pauses)
    longest = 5 * TARGET_RATE
    ranges = split_at_pauses(samples, longest)
    assert all(end - start <= longest for start, end in ranges)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(samples)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    for _, cut in ranges[:-1]:
        assert not samples[cut - FRAME // 4 : cut + FRAME // 4].any()
