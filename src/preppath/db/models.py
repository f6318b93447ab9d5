"""The tables, as SQLModel classes over the schema that `migrations.py` creates.

JSON-valued columns hold small lists/objects (key points, strengths) that are always read whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


def _json(default: Any = None) -> Any:
    return Field(default=default, sa_column=Column(JSON, nullable=default is None))


class Profile(SQLModel, table=True):
    __tablename__ = "profile"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    created_at: datetime
    global_id: str | None = Field(default=None, unique=True)


class Interview(SQLModel, table=True):
    __tablename__ = "interview"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    type: str
    role: str
    level: str
    stack: list[str] = _json([])
    status: str
    question_count: int
    seed: int | None = None
    provider: str = "offline"
    created_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    overall: float | None = None
    summary: dict[str, Any] | None = _json()
    global_id: str | None = Field(default=None, unique=True)
    updated_at: datetime | None = None


class InterviewQuestion(SQLModel, table=True):
    __tablename__ = "interview_question"
    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", ondelete="CASCADE")
    position: int
    bank_id: str | None = None
    type: str
    difficulty: str
    text: str
    expected_answer: str
    key_points: list[dict[str, Any]] = _json([])
    weights: dict[str, float] = _json({})
    tags: list[str] = _json([])
    stack: list[str] = _json([])
    source: str = "bank"
    status: str = "pending"
    global_id: str | None = Field(default=None, unique=True)
    updated_at: datetime | None = None


class InterviewFeedback(SQLModel, table=True):
    __tablename__ = "interview_feedback"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="interview_question.id", ondelete="CASCADE")
    attempt: int = 1
    answer_text: str
    answer_source: str
    correctness: float
    completeness: float
    clarity: float
    overall: int
    strengths: list[str] = _json([])
    improvements: list[str] = _json([])
    key_points: list[dict[str, Any]] = _json([])
    star: dict[str, bool] | None = _json()
    delivery: dict[str, Any] | None = _json()
    evaluator: str
    created_at: datetime
    global_id: str | None = Field(default=None, unique=True)


class InterviewRecording(SQLModel, table=True):
    __tablename__ = "interview_recording"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="interview_question.id", ondelete="CASCADE")
    path: str
    format: str
    duration_s: float
    size_bytes: int
    sha256: str
    created_at: datetime
    global_id: str | None = Field(default=None, unique=True)


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    type: str
    points: int
    occurred_at: datetime
    local_day: str
    local_hour: int
    interview_id: int | None = Field(default=None, foreign_key="interview.id", ondelete="SET NULL")
    note: str | None = None
    global_id: str | None = Field(default=None, unique=True)


class DailyActivity(SQLModel, table=True):
    __tablename__ = "daily_activity"
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE", primary_key=True)
    day: str = Field(primary_key=True)
    count: int = 0
    points: int = 0
    answers: int = 0
    practices: int = 0
    interviews_completed: int = 0


class Achievement(SQLModel, table=True):
    __tablename__ = "achievement"
    id: str = Field(primary_key=True)
    name: str
    description: str
    category: str
    kind: str
    threshold: float
    points: int
    hidden: bool
    sort_order: int


class UserAchievement(SQLModel, table=True):
    __tablename__ = "user_achievement"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    achievement_id: str = Field(foreign_key="achievement.id", ondelete="CASCADE")
    unlocked_at: datetime
    global_id: str | None = Field(default=None, unique=True)


class Retake(SQLModel, table=True):
    """A question scored under the retake threshold, due again at spaced intervals."""

    __tablename__ = "retake"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    question_key: str
    last_feedback_id: int | None = Field(
        default=None, foreign_key="interview_feedback.id", ondelete="SET NULL"
    )
    last_score: int
    interval_days: int
    due_day: str
    cleared: bool = False


class ScoreMonth(SQLModel, table=True):
    """Monthly score sums per dimension ("all", "type", "stack") and key."""

    __tablename__ = "score_month"
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE", primary_key=True)
    month: str = Field(primary_key=True)
    dimension: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    answers: int
    sum_overall: int
    max_overall: int
    sum_correctness: float
    sum_completeness: float
    sum_clarity: float
    spoken: int
    sum_wpm: float
    sum_fillers_per_100: float


class Usage(SQLModel, table=True):
    """What one cloud call used (spend guards); cost_usd is NULL for a model without a price."""

    __tablename__ = "usage"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    interview_id: int | None = Field(default=None, foreign_key="interview.id", ondelete="CASCADE")
    capability: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    characters: int = 0
    cost_usd: float | None = None
    created_at: datetime


class Job(SQLModel, table=True):
    """A unit of slow work (scoring, transcription, speech) the job pool runs and retries."""

    __tablename__ = "job"
    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE")
    kind: str
    key: str
    payload: dict[str, Any] = _json({})
    status: str
    attempts: int = 0
    max_attempts: int
    next_attempt_at: datetime
    last_error: str | None = None
    result: dict[str, Any] | None = _json()
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Answer(SQLModel, table=True):
    """An answer as given, stored before its score; `scoring` says where its feedback is."""

    __tablename__ = "answer"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="interview_question.id", ondelete="CASCADE")
    answer_text: str
    answer_source: str
    delivery: dict[str, Any] | None = _json()
    scoring: str
    scoring_error: str | None = None
    feedback_id: int | None = Field(
        default=None, foreign_key="interview_feedback.id", ondelete="SET NULL"
    )
    created_at: datetime


class SyncTombstone(SQLModel, table=True):
    """A deleted record's global ID, kept so the delete reaches the other machines."""

    __tablename__ = "sync_tombstone"
    kind: str = Field(primary_key=True)
    global_id: str = Field(primary_key=True)
    deleted_at: datetime


class SyncState(SQLModel, table=True):
    """The remote manifest a profile last merged (its ETag and content hash)."""

    __tablename__ = "sync_state"
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE", primary_key=True)
    manifest_etag: str | None = None
    manifest_sha256: str | None = None
    synced_at: datetime | None = None


class BatchInterview(SQLModel, table=True):
    """Which interview an entry of a batch plan (by the plan file's hash) created."""

    __tablename__ = "batch_interview"
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE", primary_key=True)
    plan_sha256: str = Field(primary_key=True)
    plan_index: int = Field(primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", ondelete="CASCADE")
    created_at: datetime


class ScoreTotal(SQLModel, table=True):
    """Lifetime score sums per dimension ("all", "type", "stack", "tag") and key."""

    __tablename__ = "score_total"
    profile_id: int = Field(foreign_key="profile.id", ondelete="CASCADE", primary_key=True)
    dimension: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    answers: int
    sum_overall: int
    max_overall: int
