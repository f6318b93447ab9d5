"""Judging one key point: stated, partly stated, missed or contradicted, in the person's words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from preppath.evaluation.contrast import Contrast, said_about
from preppath.evaluation.lexicon import Pattern
from preppath.evaluation.matching import (
    QUOTE_MAX_WORDS,
    Hit,
    Units,
    best_hit,
    compile_phrase,
    sentence_hit,
)
from preppath.evaluation.text import analyse
from preppath.evaluation.tokens import Token
from preppath.values import KeyPoint

Status = Literal["covered", "partial", "missed", "contradicted"]
CREDIT: dict[Status, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0, "contradicted": 0.0}


@dataclass(frozen=True)
class Judgement:
    status: Status
    said: str = ""
    """The person's own words that stated (or contradicted) the point."""
    correction: str = ""

    @property
    def credit(self) -> float:
        return CREDIT[self.status]


def _only_names(hit: Hit, contrast: Contrast) -> bool:
    return all(contrast.side_of_token(t) is not None for t in hit.tokens)


def _swapped(
    point: KeyPoint, phrasing: str, hit: Hit, units: Units, contrast: Contrast | None
) -> bool:
    """Said of the other side of a comparison: "lists are lighter" for a point about tuples. A
    phrasing that names a side itself is about that side ("lists are unhashable" states a
    point about tuples by its other side), so that side is the one it must be said of."""
    if contrast is None or not _tight(hit, units):
        return False
    side = contrast.side_of_text(phrasing)
    if side is None:
        side = contrast.side_of_text(point.point)
    if side is None:
        return False
    own = [s for t in hit.tokens if (s := contrast.side_of_token(t)) is not None]
    said = (
        own[0]
        if own
        else said_about(
            list(units.sentence_of(hit.tokens[0])),
            hit.tokens[0].start,
            contrast,
            units.reading.text,
        )
    )
    return said is not None and said != side


def _start(token: Token) -> int:
    return token.start


TIGHT_GAP = 3  # other words a swapped statement may hold, of any kind
LOOSE_GAP = 5  # other words it may hold when at most one is a content word


def _tight(hit: Hit, units: Units) -> bool:
    """The phrasing's words in its order with little between them: scattered words ("filtering
    the rows before you group" for "filter groups") are no statement to have swapped."""
    starts = [t.start for t in hit.tokens]
    if starts != sorted(starts):
        return False
    span = units.reading.text[starts[0] : hit.tokens[-1].end]
    words = len(span.split())
    if words <= len(hit.tokens) + TIGHT_GAP:
        return True
    # A longer stretch is still one statement when function words fill it out and at most one
    # other content word stands in it ("gets hashed by Python for its lookups"); scattered
    # words ("filtering the rows before you group") hold more.
    inside = [t for t in units.sentence_of(hit.tokens[0]) if starts[0] <= t.start <= starts[-1]]
    return words <= len(hit.tokens) + LOOSE_GAP and len(inside) <= len(hit.tokens) + 1


def _stronger(hit: Hit, than: Hit, contrast: Contrast | None) -> bool:
    """A complete statement beats a partial one, a statement beats naming a compared thing,
    and of two otherwise equal, the longer wins."""

    def rank(h: Hit) -> tuple[bool, bool, int]:
        names = contrast is not None and _only_names(h, contrast)
        return (h.complete, not names, len(h.tokens))

    return rank(hit) > rank(than)


def judge(
    point: KeyPoint,
    units: Units,
    contrast: Contrast | None = None,
    *,
    mentions: bool = True,
    sayings: frozenset[Pattern] = frozenset(),
) -> Judgement:
    """`mentions`: a one-term phrasing only mentions the point (technical questions); in a
    story one word ("I learned", "we disagreed") is the statement itself. `sayings`: the words
    of every phrasing of the question's points (matching.sayings_of); words the bank itself
    gives as right for this question contradict none of its points ("read uncommitted" is one
    isolation level, not "read committed" said backwards)."""
    for wrong in point.misconceptions:
        hit = best_hit(wrong.claim, units)
        if hit is not None and hit.complete and hit.polarity == "affirmed":
            return Judgement("contradicted", units.quote(hit.tokens), wrong.correction)
    best: Hit | None = None
    contradiction: Hit | None = None
    swapped: Hit | None = None
    # The point as the bank words it is always one way of stating it: an answer that says
    # "CPU-bound threads do not run in parallel" states that point, whatever the list holds.
    for phrasing in (*point.phrasings, point.point):
        hit = best_hit(phrasing, units)
        if hit is None:
            continue
        if (
            hit.complete
            and hit.polarity == "contradicted"
            and len({t.stem for t in hit.tokens}) >= 2
            and tuple((t.stem, t.negated) for t in hit.tokens) not in sayings
            and tuple((t.stem, t.negated) for t in sorted(hit.tokens, key=_start)) not in sayings
        ):
            contradiction = contradiction or hit
        elif hit.polarity == "affirmed" and _swapped(point, phrasing, hit, units, contrast):
            if hit.complete and (swapped is None or len(hit.tokens) > len(swapped.tokens)):
                swapped = hit
        elif hit.polarity == "affirmed" and (best is None or _stronger(hit, best, contrast)):
            best = hit
    # A known wrong claim always counts; a phrasing said backwards counts unless a statement at
    # least as specific affirms the point ("fields that never change" vs "immutable fields").
    if contradiction is not None and (
        best is None or not best.complete or len(best.tokens) < len(contradiction.tokens)
    ):
        correction = point.explain or f"In fact: {point.point}."
        return Judgement("contradicted", units.quote(contradiction.tokens), correction)
    stated = best is not None and _states(best, mentions, contrast)
    # A whole statement said of the other side outweighs a mere mention of this one.
    if swapped is not None and not stated:
        said = units.quote(swapped.tokens)
        return Judgement("contradicted", said, f"that is the other way round: {point.point}.")
    if not stated:
        # Not stated in one clause: perhaps across the clauses of one sentence.
        for phrasing in (*point.phrasings, point.point):
            hit = sentence_hit(phrasing, units)
            if hit is not None and not _swapped(point, phrasing, hit, units, contrast):
                return Judgement("covered", units.quote(hit.tokens))
    if best is None:
        return Judgement("missed")
    return Judgement("covered" if stated else "partial", units.quote(best.tokens))


def _states(hit: Hit, mentions: bool, contrast: Contrast | None) -> bool:
    """One term is a mention, not a statement: "pipeline" names the point, "pipeline handles
    backpressure" states it; "read committed" names a compared thing and says nothing of it.
    A mention earns half, like a partly stated phrasing."""
    stated = hit.complete and (len(hit.tokens) >= 2 or not mentions)
    if stated and mentions and contrast is not None and _only_names(hit, contrast):
        return False
    return stated


GIST_MIN_STEMS = 4
GIST_MIN_STOP_RATIO = 0.3


@cache
def question_stems(text: str, terms: frozenset[str] = frozenset()) -> frozenset[str]:
    """The question's own words: an answer repeats them whatever it knows."""
    return frozenset(s for s, _ in compile_phrase(text, terms=terms))


@cache
def _idea_stems(point: KeyPoint, terms: frozenset[str]) -> frozenset[str]:
    phrases = (point.point, point.explain, *point.phrasings)
    return frozenset(s for phrase in phrases for s, _ in compile_phrase(phrase, terms=terms))


def gist(point: KeyPoint, units: Units, asked: frozenset[str]) -> Judgement | None:
    """Half credit for a point said in other words: one sentence of prose that uses at least
    four of the words the point, its explanation and its phrasings use (after the lexicon,
    leaving out the question's own words), none of them denied. No single phrasing need match
    it, so the idea counts in whatever order and grammar the person puts it."""
    idea = _idea_stems(point, units.terms) - asked
    for sentence in units.sentences:
        found = [t for t in sentence if t.stem in idea]
        if len({t.stem for t in found}) < GIST_MIN_STEMS or any(t.negated for t in found):
            continue
        # A list of terms is no statement, however many of the words it names.
        said = units.reading.text[sentence[0].start : sentence[-1].end]
        if analyse(said).stop_ratio < GIST_MIN_STOP_RATIO:
            continue
        # The idea is the sentence, so quote it whole when it is short enough.
        short = len(said.split()) <= QUOTE_MAX_WORDS
        return Judgement("partial", units.quote(sentence if short else found))
    return None
