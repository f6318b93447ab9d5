"""Does the answer state this? Matching phrasings and known wrong claims clause by clause.

A phrasing is stated when all of its content words stand in one clause (in its own order when it
has three or more), close together, with the polarity it was written with. The same words with a
negator between them ("tuples are not immutable"), or with one word swapped for its opposite
("tuples are mutable" against "tuples are immutable"), contradict it instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from preppath.evaluation.lexicon import Lexicon, Pattern, default_lexicon
from preppath.evaluation.tokens import (
    MATCH_STOP_WORDS,
    NEGATORS,
    Clause,
    Reading,
    Token,
    phrase_tokens,
    read,
)

Polarity = Literal["affirmed", "contradicted", "denied"]
QUOTE_MAX_WORDS = 16


class Hit:
    """One place a phrasing stands in an answer (a plain class: answers make many of these and
    never compare them, and a dataclass costs a millisecond to define)."""

    __slots__ = ("complete", "polarity", "tokens")

    def __init__(self, polarity: Polarity, complete: bool, tokens: tuple[Token, ...]) -> None:
        self.polarity = polarity
        self.complete = complete
        """Every content word of the phrasing was found (else all but one: partial)."""
        self.tokens = tokens


@dataclass(frozen=True)
class Units:
    """The stretches of an answer a statement must fit in: each clause, and each clause that
    borrows its subject joined to the one before it."""

    reading: Reading
    units: tuple[tuple[Token, ...], ...]
    sentences: tuple[tuple[Token, ...], ...] = ()
    """Every (lexicon-read) token of each sentence, in order."""
    terms: frozenset[str] = frozenset()
    """The question's names that are also function words, read as content (tokens.read)."""

    def sentence_of(self, token: Token) -> tuple[Token, ...]:
        for sentence in self.sentences:
            if sentence and sentence[0].start <= token.start <= sentence[-1].start:
                return sentence
        return ()

    def quote(self, tokens: Sequence[Token]) -> str:
        """The person's own words for a match: the whole stretch when short, else its pieces."""
        text = self.reading.text
        ordered = sorted(tokens, key=lambda t: t.start)
        start, end = ordered[0].start, ordered[-1].end
        span = text[start:end]
        if len(span.split()) <= QUOTE_MAX_WORDS:
            return " ".join(span.split())
        return " … ".join(" ".join(text[t.start : t.end].split()) for t in ordered)


def units_of(
    text: str, lexicon: Lexicon | None = None, terms: frozenset[str] = frozenset()
) -> Units:
    lexicon = lexicon or default_lexicon()
    reading = read(text, terms)
    found: list[tuple[Token, ...]] = []
    sentences: dict[int, list[Token]] = {}
    previous: tuple[Token, ...] = ()
    for clause in _join_split_terms(text, reading.clauses, lexicon):
        tokens = lexicon.normalise(clause.tokens)
        found.append(tokens)
        sentences.setdefault(clause.sentence, []).extend(tokens)
        if clause.continues and previous:
            found.append(previous + tokens)
        else:
            previous = tokens
    return Units(reading, tuple(found), tuple(tuple(s) for s in sentences.values()), terms)


TERM_REACH = 3  # words on each side of a clause break that a split term may span


def _join_split_terms(text: str, clauses: Sequence[Clause], lexicon: Lexicon) -> list[Clause]:
    """Join two clauses of one sentence that a lexicon term runs across, split by nothing but
    punctuation: people say "last in, first out" with a comma, which would otherwise leave
    "last" and "first" apart. Not across words: in "asynchronous replication, so they can lag"
    the clauses stay apart, or "replication lag" would swallow the replication."""
    joined: list[Clause] = []
    for clause in clauses:
        before = joined[-1] if joined else None
        gap = text[before.tokens[-1].end : clause.tokens[0].start] if before else ""
        if (
            before is not None
            and before.sentence == clause.sentence
            and not clause.continues
            and _bare(gap)
        ):
            edge = (*before.tokens[-TERM_REACH:], *clause.tokens[:TERM_REACH])
            split_at = edge[min(TERM_REACH, len(before.tokens))].start
            if any(t.start < split_at <= t.end for t in lexicon.normalise(edge)):
                tokens = before.tokens + clause.tokens
                joined[-1] = Clause(tokens, before.continues, before.sentence)
                continue
        joined.append(clause)
    return joined


def _bare(gap: str) -> bool:
    """Punctuation and at most one stop word (the "in" of "last in, first out")."""
    words: list[str] = re.findall(r"[a-z']+", gap.lower())
    return len(words) <= 1 and all(w in MATCH_STOP_WORDS for w in words)


READ_AHEAD: dict[tuple[str, frozenset[str]], Pattern] = {}
"""Phrases already read with the default lexicon, by (phrase, terms): the bank's, loaded from
the build cache for the question being scored (evaluation/prepared.py)."""
SAYINGS_AHEAD: dict[tuple[str, frozenset[str]], frozenset[Pattern]] = {}
"""`model_sayings` of the bank's model answers, loaded the same way."""


def compile_phrase(
    phrase: str, lexicon: Lexicon | None = None, terms: frozenset[str] = frozenset()
) -> Pattern:
    """The phrase as the matcher reads it: (stem, negated) pairs after the lexicon."""
    default = default_lexicon()
    if lexicon is None or lexicon is default:
        # One entry for both spellings of the default: callers pass it named or as None.
        ahead = READ_AHEAD.get((phrase, terms))
        return ahead if ahead is not None else _compiled(phrase, default, terms)
    return _compiled(phrase, lexicon, terms)


@cache
def _compiled(phrase: str, lexicon: Lexicon, terms: frozenset[str]) -> Pattern:
    return lexicon.normalise_pattern(phrase_tokens(phrase, terms))


@cache
def sayings_of(
    phrases: tuple[str, ...], lexicon: Lexicon | None = None, terms: frozenset[str] = frozenset()
) -> frozenset[Pattern]:
    """Each phrase as the matcher reads it, to tell a right statement by its words."""
    return frozenset(
        pattern for phrase in phrases if (pattern := compile_phrase(phrase, lexicon, terms))
    )


SAYING_MAX_WORDS = 4


def model_sayings(text: str, terms: frozenset[str] = frozenset()) -> frozenset[Pattern]:
    """Every run of two to four words in a clause of the model answer: the bank states them as
    right, so an answer that says one ("add an outer function" where a phrasing reads "inner
    function") has not said a point backwards."""
    ahead = SAYINGS_AHEAD.get((text, terms))
    return ahead if ahead is not None else _model_sayings(text, terms)


@cache
def _model_sayings(text: str, terms: frozenset[str]) -> frozenset[Pattern]:
    found: set[Pattern] = set()
    for unit in units_of(text, terms=terms).units:
        words = tuple((t.stem, t.negated) for t in unit)
        for n in range(2, SAYING_MAX_WORDS + 1):
            found.update(words[i : i + n] for i in range(len(words) - n + 1))
    return frozenset(found)


def _window(length: int) -> int:
    return max(8, 3 * length)


def _candidates(pattern: Pattern, unit: tuple[Token, ...], lexicon: Lexicon) -> list[Hit]:
    stems = [t.stem for t in unit]
    # How each pattern word relates to each word of the clause, worked out once: the searches
    # below try many starts and skipped words over the same pairs.
    present = set(stems)
    relations = [lexicon.related(p, present) for p, _ in pattern]
    if len(pattern) <= 2:
        if not relations[0] or (len(pattern) == 2 and not relations[1]):
            return []
        return _unordered(pattern, unit, stems, relations)
    if sum(1 for r in relations if r) < len(pattern) - 1:
        return []  # a statement may lack one word, never two
    return _ordered(pattern, unit, stems, relations)


def _classify(
    pattern: Pattern, picked: list[tuple[int, bool]], unit: tuple[Token, ...], complete: bool
) -> Hit:
    """`picked` pairs each found pattern word's position with whether it is the same concept
    (True) or its opposite (False), as `Lexicon.related` tells."""
    used = [k for k, (pos, _) in enumerate(picked) if pos >= 0]
    flips = [unit[picked[k][0]].negated != pattern[k][1] for k in used]
    opposite = sum(1 for k in used if not picked[k][1]) % 2 == 1
    tokens = tuple(unit[picked[k][0]] for k in used)
    inner = len(set(flips)) > 1  # a negator inside the statement: "tuples are not immutable"
    leading = not inner and bool(flips) and flips[0]  # "I don't think tuples are immutable"
    # Each reversal flips the statement: a negator, or a word swapped for its opposite. Two
    # cancel out: "avoid sync calls" states what "use async calls" does.
    flipped = (inner or leading) != opposite
    positions = [picked[k][0] for k in used]
    # A contradiction needs the statement's own shape: its words in its order, close together.
    # Loosely scattered words ("order avoids a sort" against "sort order") prove nothing.
    tight = positions == sorted(positions) and positions[-1] - positions[0] <= len(used) + 1
    # Only a negation the person said proves a contradiction: "read committed blocks dirty
    # reads" lacks the "prevents" of the phrasing, but "blocks" may say the same thing.
    said_negation = any(unit[picked[k][0]].negated for k in used if flips[used.index(k)])
    polarity: Polarity
    # "delete rather than overwrite" said as "overwrite rather than delete": a statement that
    # prefers one thing to another, with both sides reversed, is the opposite preference.
    mixed = len({pattern[k][1] for k in used}) > 1
    if mixed and all(flips) and not opposite and complete and _close(positions, len(used)):
        return Hit("contradicted", complete, tokens)
    if not flipped:
        polarity = "affirmed"
    elif not tight or (inner and not opposite and not said_negation):
        polarity = "denied"
    elif leading and not opposite:
        # Denied as a whole, which may be about something else ("I don't use threads for…").
        polarity = "denied"
    else:
        polarity = "contradicted"
    return Hit(polarity, complete, tokens)


def _close(positions: list[int], count: int) -> bool:
    """The words stand together, in whatever order."""
    return max(positions) - min(positions) <= count + 1


def _unordered(
    pattern: Pattern, unit: tuple[Token, ...], stems: list[str], relations: list[dict[str, bool]]
) -> list[Hit]:
    first = [(i, s) for i, t in enumerate(stems) if (s := relations[0].get(t)) is not None]
    if len(pattern) == 1:
        # A lone word's opposite is no contradiction: "tuples are immutable, lists mutable".
        return [_classify(pattern, [(i, True)], unit, True) for i, s in first if s]
    hits = []
    for i, same_i in first:
        for j, t in enumerate(stems):
            if j == i or abs(j - i) > _window(2):
                continue
            same_j = relations[1].get(t)
            if same_j is None or (not same_i and not same_j):
                continue
            hits.append(_classify(pattern, [(i, same_i), (j, same_j)], unit, True))
    return hits


def _ordered(
    pattern: Pattern, unit: tuple[Token, ...], stems: list[str], relations: list[dict[str, bool]]
) -> list[Hit]:
    hits = []
    n = len(pattern)
    for skip in (None, *range(n)):
        wanted = [k for k in range(n) if k != skip]
        if not all(relations[k] for k in wanted):
            continue
        for start, t in enumerate(stems):
            same0 = relations[wanted[0]].get(t)
            if same0 is None:
                continue
            picked: list[tuple[int, bool]] = [(-1, True)] * n
            picked[wanted[0]] = (start, same0)
            pos = start
            ok = True
            for k in wanted[1:]:
                found = None
                related = relations[k]
                for j in range(pos + 1, min(len(stems), start + _window(n) + 1)):
                    s = related.get(stems[j])
                    if s is not None:
                        found = (j, s)
                        break
                if found is None:
                    ok = False
                    break
                picked[k] = found
                pos = found[0]
            if ok and sum(1 for _, s in picked if not s) <= 1:
                hits.append(_classify(pattern, picked, unit, skip is None))
        if any(h.complete and h.polarity == "affirmed" for h in hits):
            break
    return hits


_REFUSING = ("never", "cannot")
# Stems of poorly, badly, rarely, hardly, barely, seldom, fails, little.
_DENYING_STEMS = frozenset({"poor", "bad", "rare", "hard", "bare", "seldom", "fail", "littl"})


def _refusal(phrase: str, pattern: Pattern) -> bool:
    """A phrasing that says an action is not done ("don't store it in a struct", "never block
    the loop"): every word denied by a verb's negation, not by "no" before a noun ("no access
    keys" names an absence that correct answers go on to discuss)."""
    # The denial reaches a few words (tokens.NEGATION_SCOPE): those words lead, the rest follow.
    denied = [negated for _, negated in pattern]
    run = denied.index(False) if False in denied else len(denied)
    if run < 2 or any(denied[run:]):
        return False
    words = phrase.lower().replace("’", "'").split()
    first = next((w for w in words if w in NEGATORS or w.endswith("n't")), "")
    return first.endswith("n't") or first in _REFUSING


def _done_anyway(hit: Hit, unit: tuple[Token, ...]) -> Hit:
    """The refused action said plainly, whole and close together ("store it in your service
    struct" against "don't store it in a struct"), contradicts the phrasing."""
    if hit.polarity != "denied" or not hit.complete or any(t.negated for t in hit.tokens):
        return hit
    positions = [unit.index(t) for t in hit.tokens]
    if positions != sorted(positions) or not _close(positions, len(positions)):
        return hit
    # "generalises poorly", "fails to generalise": words that deny without a negator.
    around = unit[max(0, positions[0] - 1) : positions[-1] + 1]
    if any(t.stem in _DENYING_STEMS for t in around):
        return hit
    return Hit("contradicted", hit.complete, hit.tokens)


_RANK = {"affirmed": 0, "contradicted": 1, "denied": 2}


def best_hit(phrase: str, units: Units, lexicon: Lexicon | None = None) -> Hit | None:
    """The strongest reading of the phrase in the answer: a complete affirmed statement first,
    then a contradiction, then a partial statement; None when it is not there at all."""
    lexicon = lexicon or default_lexicon()
    pattern = compile_phrase(phrase, lexicon, units.terms)
    if not pattern:
        return None
    refusal = _refusal(phrase, pattern)
    hits = [
        _done_anyway(h, unit) if refusal else h
        for unit in units.units
        for h in _candidates(pattern, unit, lexicon)
    ]
    if not hits:
        return None
    return min(hits, key=lambda h: (not h.complete, _RANK[h.polarity]))


SENTENCE_MIN_WORDS = 3


def sentence_hit(phrase: str, units: Units, lexicon: Lexicon | None = None) -> Hit | None:
    """The phrase stated whole, in order and close together, across the clauses of one
    sentence: "it asks the token service and gets handed credentials" states "token service
    hands out credentials" though a clause ends between them. Only for phrases of three words
    or more, whose order carries the statement; and only affirmed, since a negation read
    across a clause boundary proves nothing."""
    lexicon = lexicon or default_lexicon()
    pattern = compile_phrase(phrase, lexicon, units.terms)
    if len(pattern) < SENTENCE_MIN_WORDS:
        return None
    for sentence in units.sentences:
        for hit in _candidates(pattern, sentence, lexicon):
            if hit.complete and hit.polarity == "affirmed":
                return hit
    return None
