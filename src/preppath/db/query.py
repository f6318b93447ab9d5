"""A thin query layer over the DB-API: the hot commands read and write rows through it without
importing SQLAlchemy or SQLModel (about half a second of start-up between them).

The schema is still defined once, in `models.py` (and created by `migrations.py`); the column
lists here are checked against it by tests/test_db.py, so a reader cannot drift from a table.
Rows come back as plain dicts decoded the way the ORM decodes them: JSON columns parsed,
DATETIME columns as aware UTC datetimes, BOOLEAN columns as bools. Only standard SQL with `?`
parameters is used, so a future PostgreSQL driver needs the placeholder style changed, not the
queries.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy writes a DATETIME to SQLite: UTC, no offset, microseconds always."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    json: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()
    bools: frozenset[str] = frozenset()

    @property
    def select(self) -> str:
        return f"SELECT {', '.join(self.columns)} FROM {self.name}"

    def encode(self, name: str, value: Any) -> Any:
        """A value for column `name` as the ORM would store it."""
        return encode(self, name, value)

    def decode(self, row: Sequence[Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in zip(self.columns, row, strict=True):
            if value is not None:
                if name in self.json:
                    value = json.loads(value)
                elif name in self.times:
                    value = read_time(value)
                elif name in self.bools:
                    value = bool(value)
            out[name] = value
        return out


def encode(table: Table, name: str, value: Any) -> Any:
    if name in table.json:
        return json.dumps(value)  # None too: the ORM stores JSON's null, not SQL's NULL
    if value is None:
        return None
    if name in table.times:
        return stored_time(value)
    if name in table.bools:
        return int(bool(value))
    return value


def read_time(value: str | datetime) -> datetime:
    """A stored DATETIME as the ORM returns it: aware, in UTC (SQLite keeps no offset; what
    is stored is UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.utcoffset() is None else moment.astimezone(UTC)


def stored_time(moment: datetime) -> str:
    """An aware datetime as the ORM stores it: converted to UTC, written without an offset."""
    if moment.utcoffset() is None:
        raise ValueError("stored times must be aware")
    return moment.astimezone(UTC).strftime(STORED_TIME)


def _set(*names: str) -> frozenset[str]:
    return frozenset(names)


INTERVIEW = Table(
    "interview",
    (
        "id",
        "profile_id",
        "type",
        "role",
        "level",
        "stack",
        "status",
        "question_count",
        "seed",
        "provider",
        "created_at",
        "started_at",
        "completed_at",
        "overall",
        "summary",
        "global_id",
        "updated_at",
    ),
    json=_set("stack", "summary"),
    times=_set("created_at", "started_at", "completed_at", "updated_at"),
)

QUESTION = Table(
    "interview_question",
    (
        "id",
        "interview_id",
        "position",
        "bank_id",
        "type",
        "difficulty",
        "text",
        "expected_answer",
        "key_points",
        "weights",
        "tags",
        "stack",
        "source",
        "status",
        "global_id",
        "updated_at",
    ),
    json=_set("key_points", "weights", "tags", "stack"),
    times=_set("updated_at"),
)

FEEDBACK = Table(
    "interview_feedback",
    (
        "id",
        "question_id",
        "attempt",
        "answer_text",
        "answer_source",
        "correctness",
        "completeness",
        "clarity",
        "overall",
        "strengths",
        "improvements",
        "key_points",
        "star",
        "delivery",
        "evaluator",
        "created_at",
        "global_id",
    ),
    json=_set("strengths", "improvements", "key_points", "star", "delivery"),
    times=_set("created_at"),
)

TABLES = (INTERVIEW, QUESTION, FEEDBACK)
"""Every table this layer reads; tests check each against the schema in models.py."""


def interview(db: sqlite3.Connection, interview_id: int) -> dict[str, Any] | None:
    row = db.execute(f"{INTERVIEW.select} WHERE id = ?", (interview_id,)).fetchone()
    return INTERVIEW.decode(row) if row is not None else None


def questions(db: sqlite3.Connection, interview_id: int) -> list[dict[str, Any]]:
    rows = db.execute(
        f"{QUESTION.select} WHERE interview_id = ? ORDER BY position", (interview_id,)
    ).fetchall()
    return [QUESTION.decode(r) for r in rows]


def question_at(db: sqlite3.Connection, interview_id: int, position: int) -> dict[str, Any] | None:
    row = db.execute(
        f"{QUESTION.select} WHERE interview_id = ? AND position = ?", (interview_id, position)
    ).fetchone()
    return QUESTION.decode(row) if row is not None else None


def feedback(db: sqlite3.Connection, feedback_id: int) -> dict[str, Any] | None:
    row = db.execute(f"{FEEDBACK.select} WHERE id = ?", (feedback_id,)).fetchone()
    return FEEDBACK.decode(row) if row is not None else None


def insert(db: sqlite3.Connection, table: Table, values: dict[str, Any]) -> int:
    """Insert one row encoded as the ORM encodes it; returns its id. Columns left out take
    their SQL default (or NULL)."""
    names = [n for n in table.columns if n in values]
    unknown = set(values) - set(names)
    if unknown:
        raise ValueError(f"{table.name} has no column {sorted(unknown)}")
    cursor = db.execute(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [table.encode(n, values[n]) for n in names],
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def latest_feedback(
    db: sqlite3.Connection, question_ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """The highest attempt's feedback for each of these questions."""
    ids = list(question_ids)
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    latest: dict[int, dict[str, Any]] = {}
    for row in db.execute(
        f"{FEEDBACK.select} WHERE question_id IN ({marks}) ORDER BY attempt, id", ids
    ).fetchall():
        decoded = FEEDBACK.decode(row)
        latest[decoded["question_id"]] = decoded
    return latest
