"""The retake queue: answers scored under the threshold bring their question back after 1, 3
and 7 days; a pass at each step moves it on, a pass at the last clears it, a fail starts over.

Scheduling runs in the answer's write transaction through plain sqlite3 (no ORM import)."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from preppath.services.context import AppContext

INTERVALS = (1, 3, 7)


def schedule_retake(
    db: sqlite3.Connection,
    ctx: AppContext,
    key: str,
    overall: int,
    feedback_id: int,
    today: date,
) -> None:
    """Queue, move on or clear the question `key` after an answer scored `overall`, in the
    caller's write transaction."""
    row = db.execute(
        "SELECT id, interval_days, cleared FROM retake WHERE profile_id = ? AND question_key = ?",
        (ctx.profile_id, key),
    ).fetchone()
    passed = overall >= ctx.settings.retake_threshold
    if row is None:
        if passed:
            return
        retake_id, interval, cleared = None, INTERVALS[0], False
    else:
        retake_id, interval, cleared = row[0], int(row[1]), bool(row[2])
        if passed and cleared:
            return
        if passed:
            later = [i for i in INTERVALS if i > interval]
            cleared = not later
            interval = later[0] if later else interval
        else:
            cleared = False
            interval = INTERVALS[0]
    due = (today + timedelta(days=interval)).isoformat()
    if retake_id is None:
        db.execute(
            "INSERT INTO retake (profile_id, question_key, last_feedback_id, last_score, "
            "interval_days, due_day, cleared) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (ctx.profile_id, key, feedback_id, overall, interval, due, int(cleared)),
        )
    else:
        db.execute(
            "UPDATE retake SET last_feedback_id = ?, last_score = ?, interval_days = ?, "
            "due_day = ?, cleared = ? WHERE id = ?",
            (feedback_id, overall, interval, due, int(cleared), retake_id),
        )
