"""The STAR check on its own: which of situation, task, action and result a story states.

The parts are read from what the sentences do (behavioral.read_story); this is that reading
for callers that have only the text, so there is one set of rules, not two that drift apart."""

from __future__ import annotations

from preppath.evaluation.behavioral import read_story
from preppath.evaluation.matching import units_of


def star_parts(text: str) -> dict[str, bool]:
    return read_story(text, units_of(text), (), "").star
