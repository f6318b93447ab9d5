"""eSpeak NG through ctypes: PCM out, voice and rate honoured, errors as one line.

Never asserts on what a recogniser hears in synthetic speech (about 0.9 WER, shared README).
"""

from __future__ import annotations

import numpy as np
import pytest

from preppath.errors import ExitCode, PrepPathError
from preppath.providers.base import TextToSpeech
from preppath.voice.tts import EspeakTTS, list_voices

QUESTION = "Explain how you would design a rate limiter for a public API."


def test_synthesize_returns_16_bit_mono_pcm() -> None:
    """A question becomes int16 PCM at eSpeak's 22 050 Hz, seconds long and not silent."""
    speech = EspeakTTS().synthesize(QUESTION)
    samples = np.frombuffer(speech.pcm, "<i2")
    assert speech.sample_rate == 22050
    assert 2.0 < speech.duration_s < 8.0
    assert np.abs(samples).max() > 3000


def test_rate_changes_duration() -> None:
    """A faster rate (words per minute) gives shorter speech."""
    slow = EspeakTTS(rate_wpm=120).synthesize(QUESTION).duration_s
    fast = EspeakTTS(rate_wpm=300).synthesize(QUESTION).duration_s
    assert fast < slow * 0.6


def test_voice_changes_output() -> None:
    """Another voice produces different audio for the same text."""
    us = EspeakTTS(voice="en-us").synthesize(QUESTION).pcm
    gb = EspeakTTS(voice="en-gb").synthesize(QUESTION).pcm
    assert us != gb


def test_unknown_voice_is_invalid() -> None:
    """An unknown voice name is one INVALID line naming it."""
    with pytest.raises(PrepPathError) as info:
        EspeakTTS(voice="xx-nope").synthesize(QUESTION)
    assert info.value.code == ExitCode.INVALID and "xx-nope" in info.value.message


def test_rate_out_of_range_is_usage_error() -> None:
    """Rates outside eSpeak's 80-450 wpm are refused up front."""
    with pytest.raises(PrepPathError) as info:
        EspeakTTS(rate_wpm=20)
    assert info.value.code == ExitCode.USAGE


def test_empty_text_is_invalid() -> None:
    """Whitespace-only text has nothing to say."""
    with pytest.raises(PrepPathError) as info:
        EspeakTTS().synthesize("   ")
    assert info.value.code == ExitCode.INVALID


def test_stream_can_stop_early() -> None:
    """A chunk callback returning False stops synthesis (a skipped question costs nothing)."""
    chunks: list[bytes] = []

    def take_two(chunk: bytes) -> bool:
        chunks.append(chunk)
        return len(chunks) < 2

    EspeakTTS().stream(QUESTION, take_two)
    full = EspeakTTS().synthesize(QUESTION)
    assert len(chunks) == 2
    assert sum(map(len, chunks)) < len(full.pcm) / 4


def test_callback_error_surfaces_after_synthesis() -> None:
    """An exception in the chunk callback is raised to the caller, not lost inside C."""

    def boom(_chunk: bytes) -> bool:
        raise ValueError("sink failed")

    with pytest.raises(ValueError, match="sink failed"):
        EspeakTTS().stream(QUESTION, boom)
    assert EspeakTTS().synthesize("still works").duration_s > 0.3


def test_voices_listed() -> None:
    """The bundled data lists English voices by language code."""
    languages = {lang for v in list_voices() for lang in v.languages}
    assert {"en-us", "en-gb"} <= languages


def test_implements_the_text_to_speech_protocol() -> None:
    """EspeakTTS satisfies providers.base.TextToSpeech."""
    provider: TextToSpeech = EspeakTTS()
    assert provider.name == "espeak-ng"
