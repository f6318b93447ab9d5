"""The offline evaluator: an explainable rubric over what the answer states.

Every number it produces can be traced to evidence it reports: which key points the answer
stated (quoting the person's own words), which it contradicted and what is true instead, which it
missed (with the idea, not a word to insert), how much of it is on topic, whether it is written in
sentences and is long enough to be an answer, and, for behavioural questions, what the story does
(STAR parts, specificity, the competency it shows).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from preppath.evaluation.contrast import contrast_of, question_terms
from preppath.evaluation.matching import Units, model_sayings, sayings_of, units_of
from preppath.evaluation.points import Judgement, gist, judge, question_stems
from preppath.evaluation.screening import screen
from preppath.evaluation.text import Analysed, analyse, content_stems
from preppath.values import Evaluation, KeyPointResult, Question

if TYPE_CHECKING:
    from preppath.evaluation.behavioral import Story

T = TypeVar("T")

PARTIAL_WHEN_CONTRADICTED = 0.5  # share of a partial point's credit kept beside a contradiction
SCORED_WORDS = 3000  # longer answers are scored on their first 3,000 words
# Words a full answer takes, by question type and difficulty (spoken: about 140 words a minute).
TARGET_WORDS = {
    "technical": {"easy": 40, "medium": 60, "hard": 80},
    "system_design": {"easy": 80, "medium": 110, "hard": 140},
    "behavioral": {"easy": 100, "medium": 120, "hard": 140},
}


@dataclass(frozen=True)
class Tuning:
    """The rubric's knobs, set on the tuning half of the graded answers (bench/bench_scorer.py)."""

    # Chosen by `bench/bench_scorer.py --tune` on the tuning half only (203 answers, 40
    # questions): the best of a 216-point grid, 0.883 ordered-pair accuracy against 0.879 for the
    # first guesses; the held-out half was not looked at to choose them.
    full_at: float = 1.0
    """Share of key points that earns full coverage."""
    contradiction_weight: float = 0.9
    """How much of the score a fully contradicted answer loses."""
    thin_below: float = 0.5
    """Under this share of the target length an answer is thin and its score shrinks."""
    relevance_floor: float = 0.25
    narrative_floor: float = 0.2


class _Parts:
    """What `_parts` measured, for the scores and the feedback. A plain class: a frozen
    dataclass of ten fields costs every answer a millisecond to define, and buys nothing here."""

    __slots__ = (
        "accuracy",
        "contradicted",
        "coverage",
        "judgements",
        "length",
        "notes",
        "prose",
        "story",
        "substance",
        "topic",
    )

    def __init__(
        self,
        judgements: list[Judgement],
        coverage: float,
        accuracy: float,
        contradicted: int,
        prose: float,
        topic: float,
        length: float,
        substance: float,
        story: Story | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        self.judgements = judgements
        self.coverage = coverage
        self.accuracy = accuracy
        self.contradicted = contradicted
        self.prose = prose
        self.topic = topic
        self.length = length
        self.substance = substance
        self.story = story
        self.notes = notes


class RubricEvaluator:
    """Deterministic offline scoring; `idf` weights a question's words by how distinctive they
    are across the bank, so shared words like "team" say little about being on topic."""

    name = "rubric"

    def __init__(
        self,
        idf: Mapping[str, float] | None = None,
        tuning: Tuning | None = None,
        topics: Sequence[frozenset[str]] = (),
        readings: Mapping[str, bytes] | None = None,
    ) -> None:
        self.idf = idf or {}
        self.tuning = tuning or Tuning()
        self.topics = topics
        """Every bank question's vocabulary (bank_topics), to tell which one an answer is about."""
        self.readings = readings or {}
        """The bank's questions read ahead (prepared.bank_readings): the same readings, cheaper."""
        self._max_idf = max(self.idf.values(), default=1.0)

    def _weight(self, stem: str) -> float:
        return self.idf.get(stem, self._max_idf if self.idf else 1.0)

    def evaluate(
        self, question: Question, answer: str, *, delivery: dict[str, object] | None = None
    ) -> Evaluation:
        if self.readings:
            from preppath.evaluation.prepared import preload

            preload(self.readings, question.text)
        screening = screen(answer, question.text, question.expected_answer)
        text = " ".join(screening.text.split()[:SCORED_WORDS])
        parts = self._parts(question, text, screening.notes)
        scores = self._scores(question, parts, text, delivery)
        w = question.weights
        overall = 10 * sum(
            weight * score
            for weight, score in zip(
                (w.correctness, w.completeness, w.clarity), scores, strict=True
            )
        )
        overall *= 0.35 + 0.65 * parts.substance
        if parts.contradicted:
            # Squared: an answer whose statements are half wrong keeps under a third of its
            # score, so naming every term cannot carry a mostly backwards answer to a pass.
            overall *= (1 - self.tuning.contradiction_weight * (1 - parts.accuracy)) ** 2
        final = max(0, min(100, round(overall)))
        if screening.cap is not None:
            final = min(final, screening.cap)
        strengths, improvements = _feedback(question, parts, delivery is not None, text)
        return Evaluation(
            correctness=scores[0],
            completeness=scores[1],
            clarity=scores[2],
            overall=final,
            strengths=strengths,
            improvements=improvements,
            key_points=[
                KeyPointResult(
                    p.point,
                    j.status == "covered",
                    (j.said,) if j.said else (),
                    status=j.status,
                    correction=j.correction,
                )
                for p, j in zip(question.key_points, parts.judgements, strict=True)
            ],
            star=parts.story.star if parts.story else None,
            delivery=delivery,
            evaluator=self.name,
        )

    def _parts(self, question: Question, text: str, notes: tuple[str, ...]) -> _Parts:
        t = self.tuning
        units = units_of(text, terms=question_terms(question.text))
        analysed = analyse(text)
        contrast = contrast_of(question.text)
        technical = question.type != "behavioral"
        phrases = tuple(x for p in question.key_points for x in (p.point, *p.phrasings))
        sayings = sayings_of(phrases, terms=units.terms) | model_sayings(
            question.expected_answer, units.terms
        )
        judgements = [
            judge(p, units, contrast, mentions=technical, sayings=sayings)
            for p in question.key_points
        ]
        if technical and not any(j.status == "contradicted" for j in judgements):
            # Only in an answer that states nothing backwards: the gist rule cannot read polarity.
            asked = question_stems(question.text, units.terms)
            judgements = [
                gist(p, units, asked) or j if j.status == "missed" else j
                for p, j in zip(question.key_points, judgements, strict=True)
            ]
        n = max(len(judgements), 1)
        contradicted = sum(j.status == "contradicted" for j in judgements)
        # In an answer that states something backwards, naming a term proves less: the same
        # person may name it and then say it the wrong way round.
        mention = PARTIAL_WHEN_CONTRADICTED if contradicted else 1.0
        credit = sum(j.credit * (mention if j.status == "partial" else 1.0) for j in judgements)
        # Accuracy counts statements only: naming a term ("load factor") is not a claim, so a
        # handful of mentions cannot dilute the wrong facts an answer states.
        stated = sum(j.status == "covered" for j in judgements) + contradicted
        accuracy = 1 - contradicted / stated if stated else 0.0
        coverage = _clamp(credit / (t.full_at * n))
        prose = _clamp((analysed.stop_ratio - 0.12) / 0.18)
        target = TARGET_WORDS.get(question.type, {}).get(question.difficulty, 60)
        length = _clamp(len(analysed.words) / target)
        substance = _clamp(len(analysed.words) / (t.thin_below * target))
        story = None
        if question.type == "behavioral":
            # Imported here: compiling its story patterns costs every other answer ~20 ms.
            from preppath.evaluation.behavioral import read_story

            story = read_story(text, units, question.tags, question.text)
            topic = story.relevance
        else:
            # Squared: a half-relevant answer keeps a quarter of its credit, so a fluent answer
            # to another question cannot outscore a weak answer to this one. Stating this
            # question's key points is evidence of topic too, whatever words carry it.
            topic = max(self._topic(question, analysed) ** 2, coverage)
        return _Parts(
            judgements,
            coverage,
            accuracy,
            contradicted,
            prose,
            topic,
            length,
            substance,
            story,
            notes,
        )

    def _scores(
        self,
        question: Question,
        p: _Parts,
        text: str,
        delivery: Mapping[str, object] | None,
    ) -> tuple[float, float, float]:
        t = self.tuning
        # Terms without sentences earn a quarter of the credit: knowing the words is not an answer.
        gate = 0.25 + 0.75 * p.prose
        analysed = analyse(text)
        shape = 1.0 if delivery is not None else _sentence_shape(analysed)
        if p.story is not None:
            s = p.story
            relevance = t.relevance_floor + (1 - t.relevance_floor) * s.relevance
            story = t.narrative_floor + (1 - t.narrative_floor) * s.narrative
            star = _star_share(s)
            correctness = (
                10
                * relevance
                * story
                * gate
                * (0.5 * star + 0.3 * p.coverage + 0.2 * s.specificity)
            )
            completeness = (
                10 * relevance * story * (0.6 * star + 0.2 * p.length + 0.2 * s.specificity)
            )
            topic = relevance * story
        else:
            # What was stated, less what was stated wrongly: contradictions also shrink the
            # overall score (see evaluate), since a wrong fact costs more than a missing one.
            correctness = 10 * p.topic * gate * p.coverage
            completeness = 10 * p.topic * (0.85 * p.coverage * gate + 0.15 * p.length)
            topic = p.topic
        clarity = 10 * (0.5 * p.prose + 0.3 * shape + 0.2 * p.length) * (0.4 + 0.6 * topic)
        clarity *= _delivery_factor(delivery)
        return round(correctness, 1), round(completeness, 1), round(clarity, 1)

    def _topic(self, question: Question, answer: Analysed) -> float:
        """How much of the answer's distinctive vocabulary belongs to this question, scaled so
        that a focused answer (a third or more of its weighted words) counts as fully on topic."""
        vocabulary = _vocabulary(question)
        unique = set(answer.content_stems)
        if not unique:
            return 0.0
        total = sum(self._weight(s) for s in unique)
        share = sum(self._weight(s) for s in unique & vocabulary) / total
        absolute = _clamp(share / 0.3)
        others = [t for t in self.topics if t != vocabulary]
        if not others or absolute >= 1:
            return absolute
        # An answer in plain words shares little vocabulary with any question, but still more
        # with its own than with any other: then it is about this question. An answer to
        # another question shares far more with that one.
        rival = max(sum(self._weight(s) for s in unique & t) for t in others) / total
        ratio = share / rival if rival else 1.0
        relative = _clamp((ratio - 0.4) / 0.5) * _clamp(share / 0.15)
        return max(absolute, relative)


def _star_share(story: Story) -> float:
    action = (
        1.0
        if story.star["action"] and story.i_actions >= 2
        else (0.5 if story.star["action"] or story.we_actions >= 2 else 0.0)
    )
    share = (
        0.2 * story.star["situation"]
        + 0.2 * story.star["task"]
        + 0.35 * action
        + 0.25 * story.star["result"]
    )
    if story.asks_lesson:
        share = 0.85 * share + 0.15 * story.lesson
    return share


@cache
def _vocabulary(question: Question) -> frozenset[str]:
    return frozenset(content_stems(_question_text(question)))


def _question_text(question: Question) -> str:
    phrasings = " ".join(
        p
        for kp in question.key_points
        for p in (kp.point, kp.explain, *kp.phrasings, *(m.claim for m in kp.misconceptions))
    )
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
    question: Question, p: _Parts, spoken: bool, text: str
) -> tuple[list[str], list[str]]:
    from preppath.evaluation.feedback import feedback

    return feedback(question, p.judgements, p, spoken, text)


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


@cache
def bank_topics(questions: tuple[Question, ...]) -> tuple[frozenset[str], ...]:
    """Each question's vocabulary: what an answer is compared with to find its topic."""
    return tuple(_vocabulary(q) for q in questions)


def scoring_idf(user_dir: Path | None) -> dict[str, float]:
    """The vocabulary table of the whole bank, from the build cache when the packs are unchanged."""
    name = "idf-with-user-packs" if user_dir is not None else "idf"
    return _from_bank(name, user_dir, bank_idf)


def scoring_topics(user_dir: Path | None) -> tuple[frozenset[str], ...]:
    """Every question's vocabulary, from the build cache when the packs are unchanged."""
    name = "topics-with-user-packs" if user_dir is not None else "topics"
    return _from_bank(name, user_dir, bank_topics)


def _from_bank(name: str, user_dir: Path | None, derive: Callable[[tuple[Question, ...]], T]) -> T:
    from preppath.bank.sources import code_files, pack_files
    from preppath.buildcache import cached

    def build() -> T:
        from preppath.bank.loader import load_bank  # only to rebuild: a fresh cache needs no parser

        return derive(load_bank(user_dir).questions)

    return cached(name, [*pack_files(user_dir), *code_files(), Path(__file__)], build)


__all__ = ["RubricEvaluator", "Tuning", "Units", "bank_idf", "bank_topics", "build_idf"]
