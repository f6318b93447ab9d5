"""Typed results the services return and the CLI renders (as text or as JSON)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """Dataclasses, dates and enums as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


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
class InterviewPage:
    items: list[InterviewSummary]
    page: int
    per_page: int
    total: int


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


@dataclass(frozen=True)
class ReportKeyPoint:
    """One expected point and how the answer dealt with it."""

    point: str
    status: str
    """covered, partial, missed or contradicted (older feedback says only covered or missed)."""
    matched: list[str]
    """The answer's words that matched it: the evidence."""
    correction: str | None = None
    """For a contradicted point, what is true instead."""


@dataclass(frozen=True)
class ReportAnswer:
    """The latest answer to a question and its feedback, ready to show in any format."""

    text: str
    given: str
    """How it was given, in words: "spoken, imported from a file, attempt 1"."""
    source: str
    attempt: int
    overall: int
    scores: dict[str, float]
    strengths: list[str]
    improvements: list[str]
    key_points: list[ReportKeyPoint]
    star: dict[str, bool] | None
    delivery: list[str]
    """What was observed in the delivery, one sentence per aspect; empty for typed answers."""


@dataclass(frozen=True)
class ReportQuestion:
    number: int
    text: str
    type: str
    difficulty: str
    status: str
    answer: ReportAnswer | None
    model_answer: str | None
    """The expected answer, once the question is answered or skipped (never while pending)."""
    scoring_note: str | None = None
    """Why the latest answer has no score yet (pending, or failed and why)."""


@dataclass(frozen=True)
class Report:
    """Everything a report shows. Every format (terminal, Markdown, HTML, JSON) is drawn from
    this one value, so none of them can carry content the others lack."""

    interview: InterviewView
    overall: float | None
    averages: dict[str, float]
    answered: int
    skipped: int
    summary: str
    strengths: list[str]
    recommendations: list[str]
    weakest_topics: list[str]
    questions: list[ReportQuestion] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    """Cloud calls, tokens and estimated cost (`spend.usage.UsageTotals`), with a summary line."""
