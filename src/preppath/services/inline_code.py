"""`code` in backticks inside report and feedback text: split out so that the feedback panel
of `interview answer` finds it without loading the report formats and their classes."""

from __future__ import annotations

import re

_CODE = re.compile(r"`([^`\n]+)`")


def inline_spans(text: str) -> list[tuple[str, bool]]:
    """Split text into (piece, is_code); a backtick without its pair stays plain text."""
    spans: list[tuple[str, bool]] = []
    at = 0
    for match in _CODE.finditer(text):
        if match.start() > at:
            spans.append((text[at : match.start()], False))
        spans.append((match.group(1), True))
        at = match.end()
    if at < len(text):
        spans.append((text[at:], False))
    return spans
