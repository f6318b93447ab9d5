"""Job rows: enqueue, claim under a lease, finish, fail, park, retry and cancel.

Every change that reads a job's state and writes a new one runs in one write transaction
(`AppContext.transaction()`, BEGIN IMMEDIATE), so two processes can never both claim a job, and
a job's effect (its feedback row) commits together with its `done` status or not at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from preppath.db.query import read_time, stored_time
from preppath.logs import scrub

MAX_ERROR_CHARS = 300


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED})

_COLUMNS = (
    "id, profile_id, kind, key, payload, status, attempts, max_attempts, next_attempt_at, "
    "last_error, result, lease_owner, lease_expires_at, created_at, updated_at"
)


@dataclass(frozen=True)
class Job:
    id: int
    profile_id: int
    kind: str
    key: str
    payload: dict[str, Any]
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str | None
    result: dict[str, Any] | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _job(row: tuple[Any, ...]) -> Job:
    (ident, profile, kind, key, payload, status, attempts, most, next_at, error, result,
     owner, expires, created, updated) = row  # fmt: skip
    return Job(
        id=ident,
        profile_id=profile,
        kind=kind,
        key=key,
        payload=json.loads(payload),
        status=status,
        attempts=attempts,
        max_attempts=most,
        next_attempt_at=read_time(next_at),
        last_error=error,
        result=json.loads(result) if result is not None else None,
        lease_owner=owner,
        lease_expires_at=read_time(expires) if expires is not None else None,
        created_at=read_time(created),
        updated_at=read_time(updated),
    )


def one_line_error(text: str) -> str:
    """What is stored and shown of a failure: one line, secrets removed, bounded."""
    flat = " ".join(scrub(text).split()) or "failed without a message"
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"


def get(db: sqlite3.Connection, job_id: int) -> Job | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM job WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row is not None else None


def listed(
    db: sqlite3.Connection, profile_id: int, status: str | None = None, limit: int = 200
) -> list[Job]:
    sql = f"SELECT {_COLUMNS} FROM job WHERE profile_id = ?"
    args: list[Any] = [profile_id]
    if status is not None:
        sql += " AND status = ?"
        args.append(status)
    rows = db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
    return [_job(r) for r in rows]


def enqueue(
    db: sqlite3.Connection,
    *,
    profile_id: int,
    kind: str,
    key: str,
    payload: dict[str, Any],
    max_attempts: int,
    now: datetime,
) -> Job:
    """The job for (kind, key): a new queued one, or the one already there (same work twice
    is one job). Call inside the caller's write transaction."""
    at = stored_time(now)
    db.execute(
        "INSERT INTO job (profile_id, kind, key, payload, status, attempts, max_attempts, "
        "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?) "
        "ON CONFLICT (kind, key) DO NOTHING",
        (profile_id, kind, key, json.dumps(payload), max_attempts, at, at, at),
    )
    row = db.execute(
        f"SELECT {_COLUMNS} FROM job WHERE kind = ? AND key = ?", (kind, key)
    ).fetchone()
    return _job(row)


def _host() -> str:
    """This machine's name. uname's node name is what gethostname() returns on Linux and
    macOS, without the socket module's import on every answer."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def new_lease_owner() -> str:
    """host:pid:token. The token tells this claim from a later claim of the same job by the
    same process (after parking); host and pid let another process see that it died."""
    return f"{_host()}:{os.getpid()}:{os.urandom(4).hex()}"


def owner_is_dead(owner: str) -> bool:
    """Whether the process named by a lease owner is known to be gone: only a process on this
    host can be checked; elsewhere the lease's expiry decides."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != _host() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def orphaned(db: sqlite3.Connection, now: datetime, profile_id: int) -> list[Job]:
    """Running jobs whose process died or whose lease ran out without renewal."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM job WHERE status = 'running' AND profile_id = ?", (profile_id,)
    ).fetchall()
    jobs = [_job(r) for r in rows]
    return [
        j
        for j in jobs
        if (j.lease_expires_at is not None and j.lease_expires_at <= now)
        or (j.lease_owner is not None and owner_is_dead(j.lease_owner))
    ]


def requeue_orphans(db: sqlite3.Connection, now: datetime, profile_id: int) -> list[Job]:
    """Put orphaned jobs back in the queue (or fail those out of attempts: a job that kills
    its process every time must not loop). Returns those that ran out. Write transaction."""
    exhausted = []
    for job in orphaned(db, now, profile_id):
        if job.attempts >= job.max_attempts:
            _set_failed(db, job.id, "the process running it stopped, and no attempts are left", now)
            exhausted.append(job)
        else:
            db.execute(
                "UPDATE job SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, "
                "last_error = coalesce(last_error, 'the process running it stopped'), "
                "updated_at = ? WHERE id = ?",
                (stored_time(now), job.id),
            )
    return exhausted


def has_due(db: sqlite3.Connection, profile_id: int, kind: str, now: datetime) -> bool:
    row = db.execute(
        "SELECT 1 FROM job WHERE status = 'queued' AND next_attempt_at <= ? AND kind = ? "
        "AND profile_id = ? LIMIT 1",
        (stored_time(now), kind, profile_id),
    ).fetchone()
    return row is not None


def next_due(db: sqlite3.Connection, profile_id: int, kinds: tuple[str, ...]) -> datetime | None:
    """When the earliest queued job of these kinds may start (None when none is queued)."""
    marks = ", ".join("?" * len(kinds))
    (at,) = db.execute(
        f"SELECT min(next_attempt_at) FROM job WHERE status = 'queued' AND profile_id = ? "
        f"AND kind IN ({marks})",
        (profile_id, *kinds),
    ).fetchone()
    return read_time(at) if at is not None else None


def claim(
    db: sqlite3.Connection,
    profile_id: int,
    kind: str,
    owner: str,
    now: datetime,
    lease: timedelta,
) -> Job | None:
    """Take the oldest due job of `kind`: running, one more attempt, leased to `owner`.
    Write transaction: two processes cannot take the same job."""
    at = stored_time(now)
    row = db.execute(
        "SELECT id FROM job WHERE status = 'queued' AND next_attempt_at <= ? AND kind = ? "
        "AND profile_id = ? ORDER BY next_attempt_at, id LIMIT 1",
        (at, kind, profile_id),
    ).fetchone()
    if row is None:
        return None
    db.execute(
        "UPDATE job SET status = 'running', attempts = attempts + 1, lease_owner = ?, "
        "lease_expires_at = ?, updated_at = ? WHERE id = ?",
        (owner, stored_time(now + lease), at, row[0]),
    )
    return get(db, row[0])


def holds_lease(db: sqlite3.Connection, job_id: int, owner: str) -> bool:
    """Whether `owner` still runs this job: not parked, cancelled, or taken over."""
    row = db.execute("SELECT status, lease_owner FROM job WHERE id = ?", (job_id,)).fetchone()
    return row is not None and row[0] == JobStatus.RUNNING and row[1] == owner


def renew(db: sqlite3.Connection, owners: list[str], now: datetime, lease: timedelta) -> None:
    if owners:
        marks = ", ".join("?" * len(owners))
        db.execute(
            f"UPDATE job SET lease_expires_at = ? WHERE status = 'running' "
            f"AND lease_owner IN ({marks})",
            (stored_time(now + lease), *owners),
        )


def mark_done(db: sqlite3.Connection, job_id: int, result: dict[str, Any], now: datetime) -> None:
    db.execute(
        "UPDATE job SET status = 'done', result = ?, last_error = NULL, lease_owner = NULL, "
        "lease_expires_at = NULL, updated_at = ? WHERE id = ?",
        (json.dumps(result), stored_time(now), job_id),
    )


def mark_retry(
    db: sqlite3.Connection, job_id: int, error: str, at: datetime, now: datetime
) -> None:
    db.execute(
        "UPDATE job SET status = 'queued', next_attempt_at = ?, last_error = ?, "
        "lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
        (stored_time(at), one_line_error(error), stored_time(now), job_id),
    )


def _set_failed(db: sqlite3.Connection, job_id: int, error: str, now: datetime) -> None:
    db.execute(
        "UPDATE job SET status = 'failed', last_error = ?, lease_owner = NULL, "
        "lease_expires_at = NULL, updated_at = ? WHERE id = ?",
        (one_line_error(error), stored_time(now), job_id),
    )


mark_failed = _set_failed


def park(db: sqlite3.Connection, job_id: int, owner: str, now: datetime) -> bool:
    """Back to the queue, the interrupted attempt not counted; only if `owner` still holds it."""
    if not holds_lease(db, job_id, owner):
        return False
    db.execute(
        "UPDATE job SET status = 'queued', attempts = max(attempts - 1, 0), lease_owner = NULL, "
        "lease_expires_at = NULL, next_attempt_at = ?, updated_at = ? WHERE id = ?",
        (stored_time(now), stored_time(now), job_id),
    )
    return True


def requeue(db: sqlite3.Connection, job_id: int, now: datetime) -> None:
    """A failed or cancelled job queued again with a fresh set of attempts (`jobs retry`)."""
    db.execute(
        "UPDATE job SET status = 'queued', attempts = 0, next_attempt_at = ?, "
        "lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?",
        (stored_time(now), stored_time(now), job_id),
    )


def cancel(db: sqlite3.Connection, job_id: int, now: datetime) -> None:
    db.execute(
        "UPDATE job SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, "
        "updated_at = ? WHERE id = ?",
        (stored_time(now), job_id),
    )


def get_by_key(db: sqlite3.Connection, kind: str, key: str) -> Job | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM job WHERE kind = ? AND key = ?", (kind, key)
    ).fetchone()
    return _job(row) if row is not None else None
