"""Transcripts and synthesised speech (importable from `preppath.values` too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing in seconds from the start of the audio."""

    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Transcript:
    text: str
    words: list[Word]
    duration_s: float


@dataclass(frozen=True)
class Speech:
    """Synthesised speech: 16-bit little-endian mono PCM."""

    pcm: bytes
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate
