"""Recording activity: each event writes an activity row and bumps its daily_activity row in the
caller's transaction, so per-day reads never scan the events."""

from __future__ import annotations

import sqlite3
from datetime import datetime, tzinfo

from preppath.db.query import stored_time
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
    db: sqlite3.Connection,
    *,
    profile_id: int,
    kind: ActivityType,
    at: datetime,
    tz: tzinfo,
    interview_id: int | None = None,
    note: str | None = None,
) -> None:
    """Add the event and update its day, in the caller's write transaction (`db` is inside
    one), so the day's totals never disagree with the events."""
    day, hour = local_day(at, tz)
    points = POINTS[kind]
    db.execute(
        "INSERT INTO activity (profile_id, type, points, occurred_at, local_day, local_hour, "
        "interview_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (profile_id, kind.value, points, stored_time(at), day, hour, interview_id, note),
    )
    counts = {
        "count": 1,
        "points": points,
        "answers": int(kind == ActivityType.QUESTION_ANSWERED),
        "practices": int(kind == ActivityType.PRACTICE),
        "interviews_completed": int(kind == ActivityType.INTERVIEW_COMPLETED),
    }
    names = ", ".join(counts)
    db.execute(
        f"INSERT INTO daily_activity (profile_id, day, {names}) "
        f"VALUES (?, ?, {', '.join('?' * len(counts))}) "
        "ON CONFLICT (profile_id, day) DO UPDATE SET "
        + ", ".join(f"{k} = {k} + excluded.{k}" for k in counts),
        (profile_id, day, *counts.values()),
    )
