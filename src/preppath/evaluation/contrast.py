"""Swapped subjects in comparison questions: "lists are lighter" where tuples are.

A question that compares things ("the difference between a list and a tuple", "compare
Promise.all, Promise.allSettled and Promise.race") has key points about one of them. When the
words of a point's phrasing are said about another one, the answer has swapped them: the same
facts, backwards. The thing a phrasing is said about is the nearest one named before it in its
sentence, which also resolves "it" in "a list can't change, so it can be a key".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from preppath.evaluation.lexicon import default_lexicon
from preppath.evaluation.tokens import AUXILIARIES, MATCH_STOP_WORDS, NEGATORS, Token, phrase_tokens

# Where a question lists the things it compares, up to the end of that list. Kept as text and
# compiled by `re` on first use: a bank question's terms and contrast come read ahead
# (evaluation/prepared.py), so most answers never need these at all.
_LISTS = (
    r"differences? between (.+?)(?:[?.](?=\s|$)|,? and (?:when|how|why|which|where|what)\b|$)",
    r"\bcompare (.+?)(?:[?.](?=\s|$)|$)",
    r"^(?:when would you use |what is |explain )?(.+? (?:vs\.?|versus) .+?)"
    r"(?:[?.](?=\s|$)| in |$)",
    r"(?:what is |explain )(.+?), and how (?:is|does) (?:it|that) differ(?:ent)? "
    r"from (.+?)(?:[?.](?=\s|$)|$)",
    r"how (?:do|does) (.+?) differ\b",
    # "Explain precision and recall. When would you favour one over the other?"
    r"^(?:what are|explain) ([a-z0-9 .+#-]+? and [a-z0-9 .+#-]+?)[,?.](?=\s).*"
    r"\b(?:one over the other|each)\b",
)
_SPLIT = r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|vs\.?|versus|from)\s+"
_LEADING = r"^(?:an?|the)\s+"
# "a tuple in Python", "a network ACL in a VPC": where the thing lives is not the thing.
_TRAILING = r"\s+(?:in|on|inside|within|under|for)\s+.*$"


@dataclass(frozen=True)
class Contrast:
    sides: tuple[frozenset[str], ...]
    """The stems that tell each compared thing apart (words they share dropped)."""
    terms: frozenset[str] = frozenset()

    def side_of_text(self, text: str) -> int | None:
        """Which thing a key point's own text is about: None when several or none."""
        tokens = phrase_tokens(text, self.terms)
        stems = {s for s, _ in default_lexicon().normalise_pattern(tokens)}
        found = [i for i, side in enumerate(self.sides) if stems & side]
        return found[0] if len(found) == 1 else None

    def side_of_token(self, token: Token) -> int | None:
        for i, side in enumerate(self.sides):
            if token.stem in side:
                return i
        return None


def _stems(phrase: str, terms: frozenset[str] = frozenset()) -> frozenset[str]:
    pattern = default_lexicon().normalise_pattern(phrase_tokens(phrase, terms))
    return frozenset(s for s, _ in pattern)


_FUNCTION_WORDS = MATCH_STOP_WORDS | NEGATORS | AUXILIARIES
_CODE = r"`([^`]+)`"
_CAPITALS = r"\b[A-Z]{2,}\b"


TERMS_AHEAD: dict[str, frozenset[str]] = {}
"""`question_terms` of the bank's questions, by question text, loaded from the build cache for
the question being scored (evaluation/prepared.py)."""
CONTRASTS_AHEAD: dict[str, Contrast | None] = {}
"""`contrast_of` of the bank's questions, loaded the same way."""


def question_terms(question_text: str) -> frozenset[str]:
    """Function words the question uses as names: written as code (`this`), in capitals (WHERE,
    HAVING, UNION ALL) or listed as the things it compares ("any, unknown and never"). Read as
    stop words they would vanish, and every statement about them with them."""
    ahead = TERMS_AHEAD.get(question_text)
    return ahead if ahead is not None else _question_terms(question_text)


@cache
def _question_terms(question_text: str) -> frozenset[str]:
    named = [w for c in re.findall(_CODE, question_text) for w in c.split()]
    named += re.findall(_CAPITALS, question_text)
    lowered = question_text.lower().replace("’", "'")
    for pattern in _LISTS:
        match = re.search(pattern, lowered)
        if match is not None:
            named += [full for g in match.groups() if g for _, full in _items(g)]
            break
    return frozenset(w.lower() for w in named if w.lower() in _FUNCTION_WORDS)


def _items(listed: str) -> list[tuple[str, str]]:
    """Each compared thing as (the words that name it apart, its full name)."""
    items = [
        re.sub(_TRAILING, "", re.sub(_LEADING, "", p.strip()))
        for p in re.split(_SPLIT, listed)
        if p.strip()
    ]
    named = [(i, i) for i in items]
    if len(items) >= 2 and len(items[0].split()) == 1 and len(items[-1].split()) > 1:
        # "checked and unchecked exceptions", "L1 and L2 regularization": the noun belongs to
        # every side, so only the word before it tells the last one apart.
        named[-1] = (items[-1].split()[0], items[-1])
    return named


def contrast_of(question_text: str) -> Contrast | None:
    """The things a comparison question compares, each by the words that tell it apart."""
    if question_text in CONTRASTS_AHEAD:
        return CONTRASTS_AHEAD[question_text]
    return _contrast_of(question_text)


@cache
def _contrast_of(question_text: str) -> Contrast | None:
    lowered = question_text.lower().replace("’", "'")
    for pattern in _LISTS:
        match = re.search(pattern, lowered)
        if match is None:
            continue
        items = [i for g in match.groups() if g for i in _items(g)]
        terms = question_terms(question_text)
        # A side is told apart by its own words: not ones two sides share ("copy" in "shallow
        # copy" and "deep copy"), nor ones the question uses elsewhere ("load balancer"); and by
        # the lexicon's concept for its full name ("deep copy", "ES modules").
        raw = [frozenset(s for s, _ in phrase_tokens(head, terms)) for head, _ in items]
        names = [frozenset(s for s, _ in phrase_tokens(full, terms)) for _, full in items]
        words = set().union(*names)
        outside = frozenset(
            s
            for s, _ in phrase_tokens(
                lowered[: match.start()] + " " + lowered[match.end() :], terms
            )
        )
        # A side the question names again ("... and when should an application use a role?")
        # would lose its only word to `outside`: then only words the sides share are dropped.
        shared = {s for s in words if sum(s in n for n in names) > 1}
        common = shared | outside
        sides = tuple(
            (r - common) | (_stems(full, terms) - words - common)
            or (r - shared) | (_stems(full, terms) - words - shared)
            for r, (_, full) in zip(raw, items, strict=True)
        )
        if len(sides) >= 2 and all(sides) and len(set(sides)) == len(sides):
            return Contrast(sides, terms)
    return None


def said_about(tokens: list[Token], before: int, contrast: Contrast, text: str = "") -> int | None:
    """The thing last named before character offset `before` among the sentence's tokens. A
    possessive names an owner, not the subject: in "containers share the image's layers; each
    adds a writable layer" the writable layer is said of containers, not of the image."""
    side = None
    for token in tokens:
        if token.start >= before:
            break
        if text[token.end : token.end + 2].replace("’", "'").lower() == "'s":
            continue
        found = contrast.side_of_token(token)
        if found is not None:
            side = found
    return side
