"""The typed results about one interview and its answers (see services/views.py)."""

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
class QuestionView:
    id: int
    """The question's position in its interview, 1-based: what `interview answer` takes."""
    text: str
    type: str
    difficulty: str
    stack: list[str]
    tags: list[str]
    status: str
    bank_id: str | None
    expected_answer: str
    key_points: list[str]
    feedback: FeedbackView | None = None
    scoring: str | None = None
    """`pending` or `failed` while the latest answer has no score yet (see services/scoring);
    `transcribing` or `transcription_failed` while an imported recording has no transcript."""
    scoring_error: str | None = None
    scoring_job: int | None = None
    """The job that scores it: `preppath jobs retry` takes this id."""


@dataclass(frozen=True)
class InterviewView:
    id: int
    type: str
    role: str
    level: str
    stack: list[str]
    status: str
    seed: int | None
    provider: str
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    overall: float | None
    questions: list[QuestionView]
    notices: list[str] = field(default_factory=list)

    @property
    def next_question(self) -> QuestionView | None:
        return next((q for q in self.questions if q.status == "pending"), None)


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
