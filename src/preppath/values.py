"""The value types every layer shares: questions and key points, transcripts and speech,
evaluations. The bottom floor of the package: it imports nothing of PrepPath's (but, on first
use, the two small modules beside it that hold the speech and request types), so the bank, the
scorer, voice and the providers can all use it without importing one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preppath.values_request import QuestionRequest as QuestionRequest
    from preppath.values_voice import Speech as Speech
    from preppath.values_voice import Transcript as Transcript
    from preppath.values_voice import Word as Word


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


# Defined apart and loaded on first use: each frozen dataclass costs about a millisecond to
# create, and answering a typed question needs neither speech nor a question request.
_ELSEWHERE = {
    "Word": "preppath.values_voice",
    "Transcript": "preppath.values_voice",
    "Speech": "preppath.values_voice",
    "QuestionRequest": "preppath.values_request",
}


def __getattr__(name: str) -> Any:
    from preppath.lazy_names import look_up

    return look_up(__name__, globals(), _ELSEWHERE, name, keep=False)
