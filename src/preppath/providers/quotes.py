"""Is a quote the model gave really in the answer? Compared as words, not bytes.

Speech transcripts and models differ in case, spacing, punctuation and typographic quotes (a
curly apostrophe against a straight one), none of which changes what was said; everything else
must match, in order, on word boundaries, so "mutable" is not found inside "immutable".
"""

from __future__ import annotations

import re
import unicodedata

# Curly quotes, primes and the like all become the plain apostrophe, which is then kept inside
# words ("don't") and dropped elsewhere.
_APOSTROPHES = dict.fromkeys(map(ord, "‘’‚‛′`´ʼ"), "'")
_NOT_WORD = re.compile(r"[^\w']+|(?<!\w)'|'(?!\w)")


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, punctuation and quote styles removed."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def quoted_in(quote: str, answer: str) -> bool:
    """True when `quote`'s words appear in `answer`, in order and whole."""
    needle = normalise(quote)
    return bool(needle) and f" {needle} " in f" {normalise(answer)} "
