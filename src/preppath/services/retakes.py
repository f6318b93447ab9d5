"""The retake queue's review interviews; the scheduling itself, on the answer path, is in
`retake_schedule`. Both go through the thin query layer, without the ORM."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from preppath.db import query
from preppath.domain import InterviewStatus, InterviewType
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext
from preppath.services.views import InterviewView

# What a review copies from the question it retakes; its interview, position and status are
# its own.
_COPIED = tuple(
    c
    for c in query.QUESTION.columns
    if c not in {"id", "interview_id", "position", "status", "global_id", "updated_at"}
)


def create_review_interview(ctx: AppContext, count: int = 5) -> InterviewView:
    """An interview of the questions due for retake, most overdue and lowest scored first."""
    from preppath.services.activity import local_day
    from preppath.services.interviews import insert_interview
    from preppath.services.reading import interview_view

    today = date.fromisoformat(local_day(ctx.clock(), ctx.tz)[0])
    with ctx.transaction() as db:  # may clear retakes it read as due
        due = db.execute(
            "SELECT id, question_key, last_feedback_id FROM retake"
            " WHERE profile_id = ? AND cleared = 0 AND due_day <= ?"
            " ORDER BY due_day, last_score LIMIT ?",
            (ctx.profile_id, today.isoformat(), count),
        ).fetchall()
        if not due:
            upcoming = db.execute(
                "SELECT min(due_day) FROM retake WHERE profile_id = ? AND cleared = 0",
                (ctx.profile_id,),
            ).fetchone()[0]
            hint = f"; the next is due on {upcoming}" if upcoming else ""
            raise PrepPathError(f"nothing is due for review{hint}", ExitCode.NOT_FOUND)
        sources = [q for q in (_source_question(db, *retake) for retake in due) if q is not None]
        view = None
        if sources:
            types = {q["type"] for q in sources}
            interview_id = insert_interview(
                db,
                {
                    "profile_id": ctx.profile_id,
                    "type": types.pop() if len(types) == 1 else InterviewType.MIXED.value,
                    "role": "Review",
                    "level": "mid",
                    "stack": sorted({s for q in sources for s in q["stack"]}),
                    "status": InterviewStatus.PENDING.value,
                    "question_count": len(sources),
                    "seed": None,
                    "provider": "review",
                    "created_at": ctx.clock(),
                },
                sources,
            )
            view = interview_view(db, ctx.profile_id, interview_id)
    # Raised after the commit: the retakes found to have no question left stay cleared.
    if view is None:
        raise PrepPathError("the questions due for review were deleted", ExitCode.NOT_FOUND)
    return view


def _source_question(
    db: sqlite3.Connection, retake_id: int, key: str, feedback_id: int | None
) -> dict[str, Any] | None:
    """The stored question the retake came from; if its interview was deleted since, the bank's
    copy; if neither exists (a deleted interview's cloud question) the retake is cleared."""
    row = (
        db.execute(
            f"SELECT {', '.join('q.' + c for c in query.QUESTION.columns)}"
            " FROM interview_feedback AS f JOIN interview_question AS q ON q.id = f.question_id"
            " WHERE f.id = ?",
            (feedback_id,),
        ).fetchone()
        if feedback_id is not None
        else None
    )
    if row is not None:
        stored = query.QUESTION.decode(row)
        return {c: stored[c] for c in _COPIED}
    question = _from_bank(key)
    if question is None:
        db.execute("UPDATE retake SET cleared = 1 WHERE id = ?", (retake_id,))
    return question


def _from_bank(key: str) -> dict[str, Any] | None:
    from preppath.bank.loader import load_bank
    from preppath.services.interviews import question_values

    found = load_bank(None).by_id().get(key)
    return question_values(found) if found else None
