"""Recording activity: each event writes an Activity row and bumps its DailyActivity row in the
caller's transaction, so per-day reads never scan the events."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session

from preppath.db.models import Activity, DailyActivity
from preppath.domain import ActivityType

POINTS = {
    ActivityType.INTERVIEW_STARTED: 5,
    ActivityType.QUESTION_ANSWERED: 10,
    ActivityType.INTERVIEW_COMPLETED: 50,
    ActivityType.PRACTICE: 10,
}
# Kinds that count toward the daily streak minimum (answering, or practice logged elsewhere).
STREAK_KINDS = frozenset({ActivityType.QUESTION_ANSWERED, ActivityType.PRACTICE})


def local_day(moment: datetime, tz: tzinfo) -> tuple[str, int]:
    local = moment.astimezone(tz)
    return local.date().isoformat(), local.hour


def record_activity(
    session: Session,
    *,
    profile_id: int,
    kind: ActivityType,
    at: datetime,
    tz: tzinfo,
    interview_id: int | None = None,
    note: str | None = None,
) -> Activity:
    """Add the event and update its day; the caller commits both together."""
    day, hour = local_day(at, tz)
    points = POINTS[kind]
    activity = Activity(
        profile_id=profile_id,
        type=kind.value,
        points=points,
        occurred_at=at,
        local_day=day,
        local_hour=hour,
        interview_id=interview_id,
        note=note,
    )
    session.add(activity)
    counts = {
        "count": 1,
        "points": points,
        "answers": int(kind == ActivityType.QUESTION_ANSWERED),
        "practices": int(kind == ActivityType.PRACTICE),
        "interviews_completed": int(kind == ActivityType.INTERVIEW_COMPLETED),
    }
    table = DailyActivity.__table__  # type: ignore[attr-defined]
    upsert = insert(table).values(profile_id=profile_id, day=day, **counts)
    upsert = upsert.on_conflict_do_update(
        index_elements=["profile_id", "day"],
        set_={k: getattr(table.c, k) + getattr(upsert.excluded, k) for k in counts},
    )
    session.execute(upsert)
    return activity
