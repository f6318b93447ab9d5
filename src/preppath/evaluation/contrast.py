"""Swapped subjects in comparison questions: "lists are lighter" where tuples are.

A question that compares two things ("the difference between a list and a tuple", "an interface
versus an abstract class") has key points about one side or the other. When the words of a
point's phrasing are said about the other side, the answer has swapped them: the same facts,
backwards. The side a phrasing is said about is the nearest of the two mentioned before it in
its sentence, which also resolves "it" in "a list can't change, so it can be a key".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from preppath.evaluation.lexicon import default_lexicon
from preppath.evaluation.tokens import Token, phrase_tokens

_ARTICLE = r"(?:an? |the )?"
_SIDE = r"([a-z0-9+#.-]+(?: [a-z0-9+#.-]+){0,2})"
_PATTERNS = (
    re.compile(rf"between {_ARTICLE}{_SIDE} and {_ARTICLE}{_SIDE}(?=[,?.]| and| in| when|$)"),
    re.compile(rf"{_ARTICLE}{_SIDE} (?:vs\.?|versus) {_ARTICLE}{_SIDE}(?=[,?.]| in| when|$)"),
    re.compile(rf"compare {_ARTICLE}{_SIDE} (?:and|with|to) {_ARTICLE}{_SIDE}(?=[,?.]|$)"),
    re.compile(
        rf"{_ARTICLE}{_SIDE},? and how (?:is|does) (?:it|that) differ(?:ent)? "
        rf"from {_ARTICLE}{_SIDE}"
    ),
)


@dataclass(frozen=True)
class Contrast:
    sides: tuple[frozenset[str], frozenset[str]]
    """The stems that tell each side apart (shared words like "index" dropped)."""

    def side_of_text(self, text: str) -> int | None:
        """Which side a key point's own text is about: None when both or neither."""
        stems = {s for s, _ in default_lexicon().normalise_pattern(phrase_tokens(text))}
        found = [i for i, side in enumerate(self.sides) if stems & side]
        return found[0] if len(found) == 1 else None

    def side_of_token(self, token: Token) -> int | None:
        for i, side in enumerate(self.sides):
            if token.stem in side:
                return i
        return None


def _stems(phrase: str) -> frozenset[str]:
    pattern = default_lexicon().normalise_pattern(phrase_tokens(phrase))
    return frozenset(s for s, _ in pattern)


@cache
def contrast_of(question_text: str) -> Contrast | None:
    lowered = question_text.lower().replace("’", "'")
    for pattern in _PATTERNS:
        match = pattern.search(lowered)
        if match is None:
            continue
        first, second = match.group(1), match.group(2)
        words_a, words_b = first.split(), second.split()
        if len(words_a) == 1 and len(words_b) > 1 and words_a[0] in words_b[0]:
            # "controlled and uncontrolled form inputs": the noun belongs to both sides.
            second = words_b[0]
        a, b = _stems(first), _stems(second)
        only_a, only_b = a - b, b - a
        if only_a and only_b:
            return Contrast((only_a, only_b))
    return None


def said_about(tokens: list[Token], before: int, contrast: Contrast) -> int | None:
    """The side last named before character offset `before` among the sentence's tokens."""
    side = None
    for token in tokens:
        if token.start >= before:
            break
        found = contrast.side_of_token(token)
        if found is not None:
            side = found
    return side
