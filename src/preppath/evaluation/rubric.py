"""The offline evaluator: an explainable rubric over key points, prose, topic and structure.

Every number it produces can be traced to evidence it reports: which key points the answer
covered (with the answer's own words), which it missed, how much of it is on topic, whether it is
written in sentences, and, for behavioural questions, which STAR parts are present.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from preppath.evaluation.star import star_parts
from preppath.evaluation.text import Analysed, analyse, content_stems
from preppath.providers.base import Evaluation, KeyPoint, KeyPointResult, Question

WINDOW = 12  # a phrasing's words must fall within this many content words of the answer
TARGET_WORDS = {"technical": 45, "behavioral": 110, "system_design": 110}
SCORED_WORDS = 3000  # longer answers are scored on their first 3,000 words


@dataclass(frozen=True)
class _Match:
    credit: float  # 1 covered, 0.5 partly, 0 missed
    words: tuple[str, ...]


def _phrase_match(phrase: list[str], answer: Analysed) -> _Match:
    """The best window of the answer for this phrasing: full when every content word appears
    within WINDOW content words of each other (any order), partial when two thirds do."""
    needed = list(dict.fromkeys(phrase))
    if not needed:
        return _Match(0.0, ())
    stems = answer.content_stems
    positions = [i for i, s in enumerate(stems) if s in needed]
    best: tuple[int, list[int]] = (0, [])
    for start in positions:
        found: dict[str, int] = {}
        for i in positions:
            if start <= i < start + max(WINDOW, 2 * len(needed)) and stems[i] not in found:
                found[stems[i]] = i
        if len(found) > best[0]:
            best = (len(found), sorted(found.values()))
    hits, where = best
    evidence = _segments(answer.content_words, where)
    if hits == len(needed):
        return _Match(1.0, evidence)
    if len(needed) >= 3 and hits >= math.ceil(2 * len(needed) / 3):
        return _Match(0.5, evidence)
    return _Match(0.0, ())


def _segments(words: list[str], positions: list[int]) -> tuple[str, ...]:
    """Matched words as runs: neighbours joined ("cpu bound"), gaps kept apart for a " … "."""
    runs: list[list[str]] = []
    for n, i in enumerate(positions):
        if n and i == positions[n - 1] + 1:
            runs[-1].append(words[i])
        else:
            runs.append([words[i]])
    return tuple(" ".join(run) for run in runs)


def _key_point(point: KeyPoint, answer: Analysed) -> _Match:
    best = _Match(0.0, ())
    for phrasing in point.phrasings:
        match = _phrase_match(content_stems(phrasing), answer)
        if match.credit > best.credit:
            best = match
            if match.credit == 1.0:
                break
    return best


class RubricEvaluator:
    """Deterministic offline scoring; `idf` weights a question's words by how distinctive they
    are across the bank, so shared words like "team" say little about being on topic."""

    name = "rubric"

    def __init__(self, idf: Mapping[str, float] | None = None) -> None:
        self.idf = idf or {}

    def _weight(self, stem: str) -> float:
        return self.idf.get(stem, 1.0 if not self.idf else max(self.idf.values(), default=1.0))

    def evaluate(
        self, question: Question, answer: str, *, delivery: dict[str, object] | None = None
    ) -> Evaluation:
        text = " ".join(answer.split()[:SCORED_WORDS])
        analysed = analyse(text)
        matches = [_key_point(p, analysed) for p in question.key_points]
        coverage = sum(m.credit for m in matches) / max(len(matches), 1)
        prose = _clamp((analysed.stop_ratio - 0.12) / 0.18)
        # Squared: a half-relevant answer keeps a quarter of its credit, so a fluent answer to
        # another question cannot outscore a weak answer to this one.
        topic = self._topic(question, analysed) ** 2
        length = _clamp(len(analysed.words) / TARGET_WORDS.get(question.type, 60))
        # Terms without sentences earn a quarter of the credit: knowing the words is not an answer.
        credited = coverage * (0.25 + 0.75 * prose)
        correctness = 10 * topic * (0.85 * credited + 0.15 * prose)
        star = star_parts(text) if question.type == "behavioral" else None
        if star is not None:
            star_share = sum(star.values()) / 4 * prose
            completeness = 10 * topic * (0.45 * credited + 0.35 * star_share + 0.2 * length)
        else:
            completeness = 10 * topic * (0.75 * credited + 0.25 * length)
        spoken = delivery is not None
        shape = 1.0 if spoken else _sentence_shape(analysed)
        clarity_factor = _delivery_factor(delivery)
        clarity = 10 * (0.5 * prose + 0.3 * shape + 0.2 * length) * (0.4 + 0.6 * topic)
        clarity *= clarity_factor
        w = question.weights
        scores = (round(correctness, 1), round(completeness, 1), round(clarity, 1))
        overall = round(
            10 * (w.correctness * scores[0] + w.completeness * scores[1] + w.clarity * scores[2])
        )
        results = [
            KeyPointResult(p.point, m.credit == 1.0, m.words)
            for p, m in zip(question.key_points, matches, strict=True)
        ]
        strengths, improvements = _feedback(
            question, analysed, matches, prose, topic, length, star, spoken
        )
        return Evaluation(
            correctness=scores[0],
            completeness=scores[1],
            clarity=scores[2],
            overall=max(0, min(100, overall)),
            strengths=strengths,
            improvements=improvements,
            key_points=results,
            star=star,
            delivery=delivery,
            evaluator=self.name,
        )

    def _topic(self, question: Question, answer: Analysed) -> float:
        """How much of the answer's distinctive vocabulary belongs to this question, scaled so
        that a focused answer (a third or more of its weighted words) counts as fully on topic."""
        vocabulary = set(content_stems(_question_text(question)))
        unique = set(answer.content_stems)
        if not unique:
            return 0.0
        total = sum(self._weight(s) for s in unique)
        shared = sum(self._weight(s) for s in unique & vocabulary)
        return _clamp((shared / total) / 0.3)


def _question_text(question: Question) -> str:
    phrasings = " ".join(p for kp in question.key_points for p in (kp.point, *kp.phrasings))
    return f"{question.text} {question.expected_answer} {phrasings}"


def _sentence_shape(answer: Analysed) -> float:
    """1.0 when sentences average 8-30 words; lower for fragments or one endless run-on."""
    if not answer.words:
        return 0.0
    average = len(answer.words) / max(answer.sentences, 1)
    if 8 <= average <= 30:
        return 1.0
    return _clamp(average / 8) if average < 8 else _clamp(1 - (average - 30) / 60)


def _delivery_factor(delivery: Mapping[str, object] | None) -> float:
    if not delivery:
        return 1.0
    factor = delivery.get("clarity_factor", 1.0)
    return _clamp(float(factor)) if isinstance(factor, int | float) else 1.0


def _feedback(
    question: Question,
    answer: Analysed,
    matches: list[_Match],
    prose: float,
    topic: float,
    length: float,
    star: dict[str, bool] | None,
    spoken: bool,
) -> tuple[list[str], list[str]]:
    strengths: list[str] = []
    improvements: list[str] = []
    for point, match in zip(question.key_points, matches, strict=True):
        quoted = " … ".join(match.words)
        if match.credit == 1.0:
            strengths.append(f"Covered: {point.point} (you said “{quoted}”)")
        elif match.credit > 0:
            improvements.append(f"Only partly covered: {point.point} (found “{quoted}”)")
        else:
            improvements.append(f"Missing: {point.point} (e.g. mention “{point.phrasings[0]}”)")
    if answer.words and topic < 0.5:
        improvements.insert(
            0,
            f"Much of the answer is off the question's topic (topic match "
            f"{topic:.0%}); answer what was asked first",
        )
    if answer.words and prose < 0.5:
        improvements.insert(
            0,
            f"Answer in full sentences: this reads as a list of terms "
            f"(only {answer.stop_ratio:.0%} linking words)",
        )
    target = TARGET_WORDS.get(question.type, 60)
    if length < 1:
        improvements.append(
            f"Short for this question: {len(answer.words)} words; aim for at least {target}"
        )
    if star is not None:
        present = [p for p, ok in star.items() if ok]
        missing = [p for p, ok in star.items() if not ok]
        if not missing:
            strengths.append("Complete STAR structure: situation, task, action and result")
        else:
            improvements.append(
                "STAR parts missing: "
                + ", ".join(missing)
                + (f" (present: {', '.join(present)})" if present else "")
            )
    if prose >= 0.8 and topic >= 0.8 and not spoken and _sentence_shape(answer) == 1.0:
        strengths.append(
            f"Clear prose: {answer.sentences} sentences of "
            f"{len(answer.words) // max(answer.sentences, 1)} words on average"
        )
    return strengths, improvements


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def build_idf(documents: Iterable[str]) -> dict[str, float]:
    """Inverse document frequency of each stem over the given texts (one per question)."""
    counts: dict[str, int] = {}
    n = 0
    for doc in documents:
        n += 1
        for s in set(content_stems(doc)):
            counts[s] = counts.get(s, 0) + 1
    return {s: math.log((n + 1) / (c + 0.5)) for s, c in counts.items()}


@cache
def bank_idf(questions: tuple[Question, ...]) -> dict[str, float]:
    return build_idf(_question_text(q) for q in questions)
