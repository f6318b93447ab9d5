"""Word error rate, for tests and the benchmark (not used at run time)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Spellings the recogniser's dictionary uses for words references spell out.
_SAME = {"mr": "mister", "mrs": "missus", "dr": "doctor", "ok": "okay"}


def normalise(text: str) -> list[str]:
    """Lower case, punctuation dropped, a few dictionary abbreviations spelled out."""
    return [_SAME.get(w, w) for w in re.findall(r"[a-z0-9']+", text.lower())]


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        diag, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            diag, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, diag + (r != h))
    return row[-1]


def corpus_wer(pairs: Iterable[tuple[str, str]]) -> float:
    """Total word errors over total reference words, for (reference, hypothesis) pairs."""
    errors = words = 0
    for ref, hyp in pairs:
        r = normalise(ref)
        errors += edit_distance(r, normalise(hyp))
        words += len(r)
    return errors / words if words else 0.0
