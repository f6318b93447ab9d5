"""The typed results of `interview list` (see services/views.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InterviewSummary:
    id: int
    type: str
    role: str
    level: str
    stack: list[str]
    status: str
    question_count: int
    answered: int
    overall: float | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class InterviewPage:
    items: list[InterviewSummary]
    page: int
    per_page: int
    total: int
