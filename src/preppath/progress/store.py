"""Reads and writes of the progress aggregates: per-day totals and the monthly score rollup.

Everything here reads the maintained tables (one row per day or per month and key), never the
raw events, so its cost does not grow with the number of answers.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.sqlite import insert
from sqlmodel import Session, col, select

from preppath.db.models import DailyActivity, ScoreMonth


def day_rows(session: Session, profile_id: int, since: date | None = None) -> list[DailyActivity]:
    query = select(DailyActivity).where(DailyActivity.profile_id == profile_id)
    if since is not None:
        query = query.where(col(DailyActivity.day) >= since.isoformat())
    return list(session.exec(query.order_by(col(DailyActivity.day))).all())


def qualifying_totals(rows: list[DailyActivity]) -> dict[date, int]:
    """What counts toward a streak day: answered questions plus tracked practice."""
    return {date.fromisoformat(r.day): r.answers + r.practices for r in rows}


def activity_totals(session: Session, profile_id: int) -> dict[str, int]:
    # SQLAlchemy's own select: sqlmodel's is typed for at most four columns.
    row = session.execute(
        sa_select(
            func.coalesce(func.sum(DailyActivity.count), 0),
            func.coalesce(func.sum(DailyActivity.points), 0),
            func.coalesce(func.sum(DailyActivity.answers), 0),
            func.coalesce(func.sum(DailyActivity.practices), 0),
            func.coalesce(func.sum(DailyActivity.interviews_completed), 0),
            func.count(),
            func.coalesce(func.max(DailyActivity.answers), 0),
        ).where(col(DailyActivity.profile_id) == profile_id)
    ).one()
    keys = (
        "events",
        "points",
        "answers",
        "practices",
        "interviews_completed",
        "active_days",
        "most_answers_in_a_day",
    )
    return dict(zip(keys, (int(v) for v in row), strict=True))


def add_to_rollup(
    session: Session,
    *,
    profile_id: int,
    at: datetime,
    tz: tzinfo,
    qtype: str,
    stacks: list[str],
    tags: list[str],
    scores: dict[str, float],
    overall: int,
    delivery: dict[str, Any] | None,
) -> None:
    month = at.astimezone(tz).strftime("%Y-%m")
    wpm = delivery.get("wpm") if delivery else None
    fillers = delivery.get("fillers_per_100_words") if delivery else None
    spoken = isinstance(wpm, int | float)
    values = {
        "answers": 1,
        "sum_overall": overall,
        "max_overall": overall,
        "sum_correctness": scores["correctness"],
        "sum_completeness": scores["completeness"],
        "sum_clarity": scores["clarity"],
        "spoken": int(spoken),
        "sum_wpm": float(wpm) if spoken and wpm is not None else 0.0,
        "sum_fillers_per_100": float(fillers)
        if spoken and isinstance(fillers, int | float)
        else 0.0,
    }
    keys = (
        [("all", "all"), ("type", qtype)]
        + [("stack", s) for s in stacks]
        + [("tag", t) for t in tags]
    )
    table = ScoreMonth.__table__  # type: ignore[attr-defined]
    for dimension, key in dict.fromkeys(keys):
        upsert = insert(table).values(
            profile_id=profile_id, month=month, dimension=dimension, key=key, **values
        )
        sums = {
            k: getattr(table.c, k) + getattr(upsert.excluded, k)
            for k in values
            if k != "max_overall"
        }
        sums["max_overall"] = func.max(table.c.max_overall, upsert.excluded.max_overall)
        upsert = upsert.on_conflict_do_update(
            index_elements=["profile_id", "month", "dimension", "key"], set_=sums
        )
        session.execute(upsert)


def rollup_rows(session: Session, profile_id: int) -> list[ScoreMonth]:
    return list(
        session.exec(
            select(ScoreMonth)
            .where(ScoreMonth.profile_id == profile_id)
            .order_by(col(ScoreMonth.month))
        ).all()
    )
