"""The typed view of one interview and its questions (see services/views.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from preppath.services.views_interview import FeedbackView


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
