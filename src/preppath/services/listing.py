"""Listing a profile's interviews: a read-only query through plain sqlite3, so `interview list`
does not pay the ORM's import cost."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from preppath.db import query
from preppath.domain import InterviewStatus, InterviewType
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext
from preppath.services.views import InterviewPage, InterviewSummary


@dataclass(frozen=True)
class ListFilters:
    status: InterviewStatus | None = None
    type: InterviewType | None = None
    since: datetime | None = None
    until: datetime | None = None
    page: int = 1
    per_page: int = 20


def read_time(text: str | None) -> datetime | None:
    return query.read_time(text) if text else None


def list_interviews(ctx: AppContext, filters: ListFilters) -> InterviewPage:
    if filters.page < 1 or not 1 <= filters.per_page <= 500:
        raise PrepPathError("--page must be >= 1 and --per-page 1-500", ExitCode.USAGE)
    where = ["profile_id = ?"]
    args: list[object] = [ctx.profile_id]
    for clause, value in (
        ("status = ?", filters.status.value if filters.status else None),
        ("type = ?", filters.type.value if filters.type else None),
        ("created_at >= ?", query.stored_time(filters.since) if filters.since else None),
        ("created_at < ?", query.stored_time(filters.until) if filters.until else None),
    ):
        if value is not None:
            where.append(clause)
            args.append(value)
    condition = " AND ".join(where)
    with ctx.reader() as db:
        (total,) = db.execute(f"SELECT count(*) FROM interview WHERE {condition}", args).fetchone()
        rows = db.execute(
            "SELECT i.id, i.type, i.role, i.level, i.stack, i.status, i.question_count, "
            "(SELECT count(*) FROM interview_question q "
            " WHERE q.interview_id = i.id AND q.status = 'answered'), "
            f"i.overall, i.created_at, i.completed_at FROM interview i WHERE {condition} "
            "ORDER BY i.created_at DESC, i.id DESC LIMIT ? OFFSET ?",
            [*args, filters.per_page, (filters.page - 1) * filters.per_page],
        ).fetchall()
    items = [
        InterviewSummary(
            id=r[0],
            type=r[1],
            role=r[2],
            level=r[3],
            stack=json.loads(r[4]),
            status=r[5],
            question_count=r[6],
            answered=r[7],
            overall=r[8],
            created_at=read_time(r[9]) or datetime.now(UTC),
            completed_at=read_time(r[10]),
        )
        for r in rows
    ]
    return InterviewPage(items, filters.page, filters.per_page, int(total))
