"""An interview's rows read and changed through the thin query layer, inside the caller's
transaction (`AppContext.transaction()` to write, `AppContext.reader()` to read)."""

from __future__ import annotations

import sqlite3
from typing import Any

from preppath.db import query
from preppath.domain import ActivityType, InterviewStatus
from preppath.errors import NotFoundError
from preppath.services.activity import record_activity
from preppath.services.context import AppContext


def load_interview(db: sqlite3.Connection, ctx: AppContext, interview_id: int) -> dict[str, Any]:
    """The profile's interview, or "not found" (exactly the same for another profile's)."""
    row = query.interview(db, interview_id)
    if row is None or row["profile_id"] != ctx.profile_id:
        raise NotFoundError("interview", interview_id)
    return row


def load_question(
    db: sqlite3.Connection, interview: dict[str, Any], position: int
) -> dict[str, Any]:
    row = query.question_at(db, interview["id"], position)
    if row is None:
        raise NotFoundError(f"question {position} of interview", interview["id"])
    return row


def mark_started(
    db: sqlite3.Connection, ctx: AppContext, interview: dict[str, Any]
) -> list[ActivityType]:
    """Pending -> in progress, with its activity, inside the caller's transaction; `interview`
    is updated to match. Returns the activity kinds it recorded."""
    if interview["status"] != InterviewStatus.PENDING.value:
        return []
    started = ctx.clock()
    db.execute(
        "UPDATE interview SET status = ?, started_at = ? WHERE id = ?",
        (InterviewStatus.IN_PROGRESS.value, query.stored_time(started), interview["id"]),
    )
    interview.update(status=InterviewStatus.IN_PROGRESS.value, started_at=started)
    record_activity(
        db,
        profile_id=ctx.profile_id,
        kind=ActivityType.INTERVIEW_STARTED,
        at=started,
        tz=ctx.tz,
        interview_id=interview["id"],
    )
    return [ActivityType.INTERVIEW_STARTED]
