"""Measuring the scorer against answers graded by people: the split, and the figures.

The graded answers (tests/fixtures/graded_answers/*.toml) each carry a target band. They are
split once, by question, into a tuning half and a held-out half: every answer to one question
falls in the same half, so held-out figures say how the scorer does on questions it was never
tuned on. The split is a hash of the question id, fixed before any tuning was done.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Graded:
    question: str
    kind: str
    band: tuple[int, int]
    text: str
    source: str


@dataclass(frozen=True)
class Figures:
    answers: int
    questions: int
    pairs: int
    ordered: float
    """Share of answer pairs to one question, with bands that do not overlap, that the scores
    put in the same order as the bands."""
    band_distance: float
    """Mean distance of a score from its band (0 inside it)."""
    by_kind: dict[str, float]
    """Mean score per kind of answer."""
    reversed_gap: float | None
    """Mean of (best correct answer - reversed answer) over questions that have both."""


def load_graded(paths: Iterable[Path]) -> list[Graded]:
    found: list[Graded] = []
    for path in sorted(paths):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for item in data.get("answer", []):
            low, high = item["band"]
            found.append(
                Graded(
                    item["question"], item["kind"], (int(low), int(high)), item["text"], path.name
                )
            )
    return found


def half(question_id: str) -> str:
    """'tuning' or 'held-out', fixed by the question id alone."""
    digest = hashlib.sha256(question_id.encode()).digest()
    return "tuning" if digest[0] % 2 == 0 else "held-out"


def split(answers: Sequence[Graded]) -> tuple[list[Graded], list[Graded]]:
    tuning = [a for a in answers if half(a.question) == "tuning"]
    held_out = [a for a in answers if half(a.question) == "held-out"]
    return tuning, held_out


def _distance(score: float, band: tuple[int, int]) -> float:
    low, high = band
    return max(0.0, low - score, score - high)


HIGH_KINDS = ("excellent", "paraphrase")


def figures(answers: Sequence[Graded], scored: Sequence[int]) -> Figures:
    """The figures for answers and their scores, given in the same order."""
    scores = {id(a): s for a, s in zip(answers, scored, strict=True)}
    by_question: dict[str, list[Graded]] = defaultdict(list)
    for a in answers:
        by_question[a.question].append(a)
    pairs = ordered = 0
    gaps: list[float] = []
    for group in by_question.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.band[0] > b.band[1] or b.band[0] > a.band[1]:
                    pairs += 1
                    higher, lower = (a, b) if a.band[0] > b.band[1] else (b, a)
                    ordered += scores[id(higher)] > scores[id(lower)]
        best = [scores[id(a)] for a in group if a.kind in HIGH_KINDS]
        gaps += [max(best) - scores[id(a)] for a in group if a.kind == "reversed" and best]
    kinds: dict[str, list[int]] = defaultdict(list)
    for a in answers:
        kinds[a.kind].append(scores[id(a)])
    return Figures(
        answers=len(answers),
        questions=len(by_question),
        pairs=pairs,
        ordered=ordered / pairs if pairs else 1.0,
        band_distance=sum(_distance(scores[id(a)], a.band) for a in answers) / max(len(answers), 1),
        by_kind={k: sum(v) / len(v) for k, v in sorted(kinds.items())},
        reversed_gap=sum(gaps) / len(gaps) if gaps else None,
    )
