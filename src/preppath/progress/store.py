"""Reads and writes of the progress aggregates: per-day totals and the monthly score rollup.

Everything here reads the maintained tables (one row per day or per month and key), never the
raw events, so its cost does not grow with the number of answers. Reads take a plain DB-API
connection: the progress commands open one without loading the ORM, and code inside an ORM
transaction passes that transaction's own connection (`dbapi(session)`), so it sees its writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session


def dbapi(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under an ORM session's current transaction."""
    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


@dataclass(frozen=True)
class DayRow:
    day: str
    count: int
    points: int
    answers: int
    practices: int
    interviews_completed: int


def day_rows(db: sqlite3.Connection, profile_id: int, since: date | None = None) -> list[DayRow]:
    names = ", ".join(f.name for f in fields(DayRow))
    rows = db.execute(
        f"SELECT {names} FROM daily_activity WHERE profile_id = ? AND day >= ? ORDER BY day",
        (profile_id, since.isoformat() if since else ""),
    ).fetchall()
    return [DayRow(*row) for row in rows]


def qualifying_totals(rows: list[DayRow]) -> dict[date, int]:
    """What counts toward a streak day: answered questions plus tracked practice."""
    return {date.fromisoformat(r.day): r.answers + r.practices for r in rows}


def qualifying_days(db: sqlite3.Connection, profile_id: int) -> dict[date, int]:
    """`qualifying_totals` of every day, read without building a DayRow for each: a streak
    needs all of them, and five years are about 1,800."""
    rows = db.execute(
        "SELECT day, answers + practices FROM daily_activity WHERE profile_id = ? ORDER BY day",
        (profile_id,),
    ).fetchall()
    return {date.fromisoformat(day): total for day, total in rows}


def qualifying_on(db: sqlite3.Connection, profile_id: int, day: date) -> int:
    """`qualifying_totals` of one day (0 when nothing happened that day)."""
    row = db.execute(
        "SELECT answers + practices FROM daily_activity WHERE profile_id = ? AND day = ?",
        (profile_id, day.isoformat()),
    ).fetchone()
    return int(row[0]) if row else 0


TOTALS = {
    "events": "sum(count)",
    "points": "sum(points)",
    "answers": "sum(answers)",
    "practices": "sum(practices)",
    "interviews_completed": "sum(interviews_completed)",
    "active_days": "count(*)",
    "most_answers_in_a_day": "max(answers)",
}


def activity_totals(db: sqlite3.Connection, profile_id: int) -> dict[str, int]:
    columns = ", ".join(f"coalesce({sql}, 0)" for sql in TOTALS.values())
    row = db.execute(
        f"SELECT {columns} FROM daily_activity WHERE profile_id = ?", (profile_id,)
    ).fetchone()
    return dict(zip(TOTALS, (int(v) for v in row), strict=True))


@dataclass(frozen=True)
class MonthRow:
    month: str
    dimension: str
    key: str
    answers: int
    sum_overall: int
    max_overall: int
    sum_correctness: float
    sum_completeness: float
    sum_clarity: float
    spoken: int
    sum_wpm: float
    sum_fillers_per_100: float


def rollup_rows(
    db: sqlite3.Connection, profile_id: int, stacks: Collection[str] | None = None
) -> list[MonthRow]:
    """Every monthly row; with `stacks`, only those technologies' among the stack rows."""
    names = ", ".join(f.name for f in fields(MonthRow))
    if stacks is None:
        rows = db.execute(
            f"SELECT {names} FROM score_month WHERE profile_id = ? ORDER BY month", (profile_id,)
        ).fetchall()
    else:  # in the primary key's order, as above, but found by key: three ranges of one index
        table = (
            f"SELECT {names} FROM score_month INDEXED BY ix_score_month_key WHERE profile_id = ?"
        )
        rows = db.execute(
            f"{table} AND dimension < 'stack' UNION ALL {table} AND dimension > 'stack' "
            f"UNION ALL {table} AND dimension = 'stack' "
            f"AND key IN ({', '.join('?' * len(stacks))}) ORDER BY month, dimension, key",
            (profile_id, profile_id, profile_id, *stacks),
        ).fetchall()
    return [MonthRow(*row) for row in rows]


def most_answered_stacks(
    db: sqlite3.Connection, profile_id: int, limit: int
) -> tuple[list[str] | None, int]:
    """The `limit` technologies with the most answers over all time (ties by name), and how
    many others there are; (None, 0) when there are no more than `limit`. score_total counts
    the same answers as the monthly rows (both are added in one transaction)."""
    (count,) = db.execute(
        "SELECT count(*) FROM score_total WHERE profile_id = ? AND dimension = 'stack'",
        (profile_id,),
    ).fetchone()
    if count <= limit:
        return None, 0
    rows = db.execute(
        "SELECT key FROM score_total WHERE profile_id = ? AND dimension = 'stack' "
        "ORDER BY answers DESC, key LIMIT ?",
        (profile_id, limit),
    ).fetchall()
    return [key for (key,) in rows], int(count) - limit


def unlocked_count(db: sqlite3.Connection, profile_id: int) -> int:
    row = db.execute(
        "SELECT count(*) FROM user_achievement WHERE profile_id = ?", (profile_id,)
    ).fetchone()
    return int(row[0])


def add_to_rollup(
    db: sqlite3.Connection,
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
    """Add one answer to its month's sums, in the caller's write transaction."""
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
    monthly = [("all", "all"), ("type", qtype)] + [("stack", s) for s in stacks]
    lifetime = monthly + [("tag", t) for t in tags]
    sums = [f"{k} = {k} + excluded.{k}" for k in values if k != "max_overall"]
    sums.append("max_overall = max(max_overall, excluded.max_overall)")
    sql = (
        f"INSERT INTO score_month (profile_id, month, dimension, key, {', '.join(values)}) "
        f"VALUES (?, ?, ?, ?, {', '.join('?' * len(values))}) "
        f"ON CONFLICT (profile_id, month, dimension, key) DO UPDATE SET {', '.join(sums)}"
    )
    db.executemany(
        sql,
        [
            (profile_id, month, dimension, key, *values.values())
            for dimension, key in dict.fromkeys(monthly)
        ],
    )
    # Topics only over all time: nothing shows them by month, and a monthly row per topic is
    # what made the rollup grow with months x topics.
    db.executemany(
        "INSERT INTO score_total (profile_id, dimension, key, answers, sum_overall, max_overall) "
        "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (profile_id, dimension, key) DO UPDATE SET "
        "answers = answers + 1, sum_overall = sum_overall + excluded.sum_overall, "
        "max_overall = max(max_overall, excluded.max_overall)",
        [
            (profile_id, dimension, key, overall, overall)
            for dimension, key in dict.fromkeys(lifetime)
        ],
    )


def topic_totals(db: sqlite3.Connection, profile_id: int) -> dict[str, tuple[int, int]]:
    """Each topic's lifetime (answers, sum of overall scores)."""
    return lifetime_totals(db, profile_id, "tag")


def lifetime_totals(
    db: sqlite3.Connection, profile_id: int, dimension: str
) -> dict[str, tuple[int, int]]:
    """Each key of one dimension ('type', 'stack', 'tag'): its lifetime (answers, sum of overall
    scores), one row per key whatever the history's length."""
    rows = db.execute(
        "SELECT key, answers, sum_overall FROM score_total WHERE profile_id = ? AND dimension = ?",
        (profile_id, dimension),
    )
    return {key: (int(answers), int(total)) for key, answers, total in rows}


def recent_rows(
    db: sqlite3.Connection,
    profile_id: int,
    keys: Collection[tuple[str, str]],
    months: int | None,
) -> list[MonthRow]:
    """The last `months` monthly rows (None: all) of each (dimension, key), oldest first. One
    seek of the key index per key reads only the rows asked for, so a view of recent months
    costs on a five-year history what it costs on a new one."""
    names = ", ".join(f.name for f in fields(MonthRow))
    query = (
        f"SELECT {names} FROM score_month INDEXED BY ix_score_month_key "
        "WHERE profile_id = ? AND dimension = ? AND key = ? ORDER BY month DESC LIMIT ?"
    )
    rows: list[MonthRow] = []
    for dimension, key in keys:
        found = db.execute(query, (profile_id, dimension, key, -1 if months is None else months))
        rows.extend(MonthRow(*row) for row in reversed(found.fetchall()))
    return rows
