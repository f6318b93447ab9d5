"""What a question provider is asked for (importable from `preppath.values` too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionRequest:
    interview_type: str
    role: str
    level: str
    stack: tuple[str, ...]
    count: int
    seed: int | None = None
    recently_seen: tuple[str, ...] = ()
