"""The job queue as `preppath jobs` shows and steers it: list, retry, cancel, resume."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from preppath.errors import ExitCode, NotFoundError, PrepPathError
from preppath.jobs import store
from preppath.jobs.store import JobStatus
from preppath.services.context import AppContext

STALE_QUEUED_S = 5.0
"""A running pool takes a due job within a fraction of a second unless a limit holds it."""


@dataclass(frozen=True)
class JobView:
    id: int
    kind: str
    status: str
    attempts: int
    max_attempts: int
    subject: str
    """What the job works on, in words: "interview 3, question 2"."""
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ResumeResult:
    done: int
    failed: int
    waiting: int
    """Still queued (a retry not due yet, or held by another live process)."""


def list_jobs(ctx: AppContext, status: JobStatus | None = None) -> list[JobView]:
    with ctx.reader() as db:
        jobs = store.listed(db, ctx.profile_id, status.value if status else None)
        subjects = _subjects(db, jobs)
    return [_view(j, subjects.get(j.id, j.key)) for j in jobs]


def _subjects(db: sqlite3.Connection, jobs: list[store.Job]) -> dict[int, str]:
    out: dict[int, str] = {}
    for job in jobs:
        answer_id = job.payload.get("answer_id")
        if answer_id is None:
            if "interview_id" in job.payload and "position" in job.payload:  # a speech job
                interview, position = job.payload["interview_id"], job.payload["position"]
                out[job.id] = f"interview {interview}, question {position} (spoken)"
            continue
        row = db.execute(
            "SELECT q.interview_id, q.position FROM answer a "
            "JOIN interview_question q ON q.id = a.question_id WHERE a.id = ?",
            (answer_id,),
        ).fetchone()
        out[job.id] = f"interview {row[0]}, question {row[1]}" if row else "an answer since deleted"
    return out


def _view(job: store.Job, subject: str) -> JobView:
    return JobView(
        id=job.id,
        kind=job.kind,
        status=job.status,
        attempts=job.attempts,
        max_attempts=job.max_attempts,
        subject=subject,
        next_attempt_at=job.next_attempt_at,
        last_error=job.last_error,
        created_at=job.created_at,
        updated_at=job.updated_at,
    )


def _own(ctx: AppContext, db: sqlite3.Connection, job_id: int) -> store.Job:
    job = store.get(db, job_id)
    if job is None or job.profile_id != ctx.profile_id:
        raise NotFoundError("job", job_id)
    return job


def retry_jobs(ctx: AppContext, job_id: int | None, *, all_failed: bool) -> list[int]:
    """Queue failed (or cancelled) jobs again with fresh attempts; returns their ids. The
    status is read and changed in one write transaction."""
    from preppath.jobs.handlers import default_handlers
    from preppath.services.context import utc_now

    handlers = default_handlers()
    with ctx.transaction() as db:
        if all_failed:
            jobs = store.listed(db, ctx.profile_id, JobStatus.FAILED.value, limit=1_000_000)
        else:
            assert job_id is not None
            job = _own(ctx, db, job_id)
            if job.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
                raise PrepPathError(
                    f"job {job_id} is {job.status}; only failed or cancelled jobs are retried",
                    ExitCode.USAGE,
                )
            jobs = [job]
        for job in jobs:
            store.requeue(db, job.id, utc_now())
            handler = handlers.get(job.kind)
            if handler is not None:
                handler.requeued(db, job)
    return [j.id for j in jobs]


def cancel_job(ctx: AppContext, job_id: int) -> JobView:
    """Cancel a job that is not done. A running one's result, when it comes, is discarded:
    its finishing transaction finds the job no longer leased to it."""
    from preppath.jobs.handlers import default_handlers
    from preppath.services.context import utc_now

    with ctx.transaction() as db:
        job = _own(ctx, db, job_id)
        if job.status in (JobStatus.DONE, JobStatus.CANCELLED):
            raise PrepPathError(f"job {job_id} is already {job.status}", ExitCode.USAGE)
        store.cancel(db, job.id, utc_now())
        handler = default_handlers().get(job.kind)
        if handler is not None:
            handler.failed(db, job, f"cancelled; `preppath jobs retry {job.id}` runs it again")
        cancelled = store.get(db, job.id)
        subjects = _subjects(db, [job])
    assert cancelled is not None
    return _view(cancelled, subjects.get(job.id, job.key))


def resume_jobs(ctx: AppContext) -> ResumeResult:
    """Run what is queued or was left running by a process that died, until nothing is left
    that this process can run."""
    from preppath.jobs.pool import Pool

    pool = Pool(ctx)
    pool.run()
    outcomes = list(pool.outcomes.values())
    with ctx.reader() as db:
        (waiting,) = db.execute(
            "SELECT count(*) FROM job WHERE profile_id = ? AND status IN ('queued', 'running')",
            (ctx.profile_id,),
        ).fetchone()
    return ResumeResult(
        done=sum(o.status == "done" for o in outcomes),
        failed=sum(o.status == "failed" for o in outcomes),
        waiting=int(waiting),
    )


def unfinished_count(ctx: AppContext) -> int:
    """Jobs an earlier run left behind: running in a process that died (or whose lease ran
    out), or queued and due for longer than a lease without anyone taking them."""
    from preppath.db.query import stored_time
    from preppath.services.context import utc_now

    now = utc_now()
    stale = stored_time(now - timedelta(seconds=STALE_QUEUED_S))
    with ctx.reader() as db:
        (queued,) = db.execute(
            "SELECT count(*) FROM job WHERE profile_id = ? AND status = 'queued' "
            "AND next_attempt_at <= ?",
            (ctx.profile_id, stale),
        ).fetchone()
        orphans = store.orphaned(db, now, ctx.profile_id)
    return int(queued) + len(orphans)
