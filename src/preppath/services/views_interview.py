"""The typed results of answering a question (see services/views.py); a whole interview's
view is in views_show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FeedbackView:
    attempt: int
    answer: str
    source: str
    overall: int
    scores: dict[str, float]
    strengths: list[str]
    improvements: list[str]
    key_points: list[dict[str, Any]]
    star: dict[str, bool] | None
    delivery: dict[str, Any] | None
    evaluator: str
    created_at: datetime


@dataclass(frozen=True)
class Unlock:
    id: str
    name: str
    description: str
    points: int


@dataclass(frozen=True)
class AnswerResult(FeedbackView):
    """The stored feedback on one answer, plus what answering it changed."""

    interview_id: int
    question_id: int
    previous: FeedbackView | None = None
    """The earlier attempt at the same question, shown beside a retake."""
    unlocked: list[Unlock] = field(default_factory=list)
    milestone: int | None = None
    interview_completed: bool = False
