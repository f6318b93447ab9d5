"""The value types every layer shares: questions and key points, transcripts and speech,
evaluations. The bottom floor of the package: it imports nothing of PrepPath's, so the bank, the
scorer, voice and the providers can all use it without importing one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Misconception:
    """A wrong claim people make about a key point, and what to tell them instead."""

    claim: str
    correction: str


@dataclass(frozen=True)
class KeyPoint:
    point: str
    phrasings: tuple[str, ...]
    explain: str = ""
    """The idea in a sentence or two, taught when the point is missed."""
    misconceptions: tuple[Misconception, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """As stored with an interview's question, so later scoring needs no bank."""
        return {
            "point": self.point,
            "phrasings": list(self.phrasings),
            "explain": self.explain,
            "misconceptions": [
                {"claim": m.claim, "correction": m.correction} for m in self.misconceptions
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeyPoint:
        """Reads what `to_dict` stored; rows from before explain and misconceptions lack them."""
        return cls(
            str(data["point"]),
            tuple(str(p) for p in data.get("phrasings", ())),
            str(data.get("explain", "")),
            tuple(
                Misconception(str(m["claim"]), str(m["correction"]))
                for m in data.get("misconceptions", ())
            ),
        )


@dataclass(frozen=True)
class Weights:
    correctness: float = 0.5
    completeness: float = 0.3
    clarity: float = 0.2


@dataclass(frozen=True)
class Question:
    """A question as the bank or a model supplies it, before it is stored in an interview."""

    id: str
    type: str
    difficulty: str
    levels: tuple[str, ...]
    stack: tuple[str, ...]
    tags: tuple[str, ...]
    text: str
    expected_answer: str
    key_points: tuple[KeyPoint, ...]
    weights: Weights = field(default_factory=Weights)
    source: str = "bank"


@dataclass(frozen=True)
class QuestionRequest:
    interview_type: str
    role: str
    level: str
    stack: tuple[str, ...]
    count: int
    seed: int | None = None
    recently_seen: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyPointResult:
    point: str
    covered: bool
    matched: tuple[str, ...]
    """The answer's own words that matched, for evidence in feedback."""
    status: str = ""
    """covered, partial, missed or contradicted; empty from evaluators that do not say."""
    correction: str = ""
    """For a contradicted point: what is true instead."""


@dataclass(frozen=True)
class Evaluation:
    correctness: float
    completeness: float
    clarity: float
    overall: int
    strengths: list[str]
    improvements: list[str]
    key_points: list[KeyPointResult] = field(default_factory=list)
    star: dict[str, bool] | None = None
    delivery: dict[str, object] | None = None
    evaluator: str = "rubric"
