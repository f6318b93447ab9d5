"""An imported recording is stored the moment it is given, then transcribed by a job.

`submit_recording` writes the answer (no text yet, `scoring = 'transcribing'`), its recording
and its transcription job in one transaction. The job's handler (jobs/transcription.py) writes
the transcript and queues the evaluation job in the transaction that finishes it, so after a
kill at any point the next `jobs resume` transcribes once and scores once.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from preppath.db import query
from preppath.domain import AnswerSource
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext
from preppath.services.scoring import Submitted, enqueue_evaluation
from preppath.values import Question

if TYPE_CHECKING:
    from preppath.jobs.pool import Outcome

TRANSCRIPTION = "transcription"
TRANSCRIBING = "transcribing"
TRANSCRIPTION_FAILED = "transcription_failed"
"""The answer's `scoring` states before it has a transcript (then `pending`, as typed ones)."""


@dataclass(frozen=True)
class Untranscribed:
    answer_id: int
    interview_id: int
    question: Question


def submit_recording(
    db: sqlite3.Connection,
    ctx: AppContext,
    question_row: dict[str, Any],
    source: AnswerSource,
    recording_key: str,
    shown_name: str,
) -> int:
    """Store an answer still without its text and queue the job that transcribes its
    recording; returns the job's id. Inside the caller's write transaction."""
    from preppath.jobs import store
    from preppath.jobs.pool import utc_now

    cursor = db.execute(
        "INSERT INTO answer (question_id, answer_text, answer_source, delivery, scoring, "
        "created_at) VALUES (?, '', ?, NULL, ?, ?)",
        (question_row["id"], source.value, TRANSCRIBING, query.stored_time(ctx.clock())),
    )
    assert cursor.lastrowid is not None
    job = store.enqueue(
        db,
        profile_id=ctx.profile_id,
        kind=TRANSCRIPTION,
        key=f"answer:{cursor.lastrowid}",
        payload={"answer_id": cursor.lastrowid, "recording": recording_key, "name": shown_name},
        max_attempts=ctx.settings.jobs_max_attempts,
        now=utc_now(),
    )
    return job.id


def load_untranscribed(db: sqlite3.Connection, answer_id: int) -> Untranscribed | None:
    """The answer awaiting its transcript and its question; None once transcribed or deleted."""
    from preppath.services.answers import as_question

    row = db.execute(
        "SELECT q.interview_id, q.id FROM answer a JOIN interview_question q "
        "ON q.id = a.question_id WHERE a.id = ? AND a.scoring IN (?, ?)",
        (answer_id, TRANSCRIBING, TRANSCRIPTION_FAILED),
    ).fetchone()
    if row is None:
        return None
    question = db.execute(f"{query.QUESTION.select} WHERE id = ?", (row[1],)).fetchone()
    return Untranscribed(answer_id, int(row[0]), as_question(query.QUESTION.decode(question)))


def store_transcript(
    db: sqlite3.Connection,
    ctx: AppContext,
    answer_id: int,
    text: str,
    delivery: dict[str, Any],
) -> Submitted | None:
    """Write the transcript and queue the scoring, inside the transcription job's finishing
    transaction. None when the answer was transcribed already or deleted meanwhile."""
    changed = db.execute(
        "UPDATE answer SET answer_text = ?, delivery = ?, scoring = 'pending', "
        "scoring_error = NULL WHERE id = ? AND scoring IN (?, ?)",
        (
            text,
            query.FEEDBACK.encode("delivery", delivery),
            answer_id,
            TRANSCRIBING,
            TRANSCRIPTION_FAILED,
        ),
    ).rowcount
    return enqueue_evaluation(db, ctx, answer_id) if changed else None


def transcribe_now(ctx: AppContext, job_id: int, answer_id: int) -> Submitted:
    """Run the pool until this recording's transcription job is finished; returns the scoring
    job it queued. A transcription that failed withdraws the answer and its recording (the
    import is refused as it was before jobs) and raises its error."""
    from preppath.jobs.handlers import ANSWER_KINDS, default_handlers
    from preppath.jobs.pool import Pool

    # One command waiting on one answer: a spend guard's refusal ends it with its one line.
    pool = Pool(ctx, handlers=default_handlers(ANSWER_KINDS), waits_for_spend_guard=False)

    def finished() -> bool:
        outcome = pool.outcomes.get(job_id)
        return outcome is not None and outcome.status in ("done", "failed", "lost")

    while True:
        pool.run(until=finished)
        if finished() or not _unfinished(ctx, job_id):
            break
        time.sleep(0.05)  # another process holds it; a dead one's lease is taken back
    return _transcribed(ctx, job_id, answer_id, pool.outcomes.get(job_id))


def _unfinished(ctx: AppContext, job_id: int) -> bool:
    from preppath.jobs import store

    with ctx.reader() as db:
        job = store.get(db, job_id)
    return job is not None and job.status in ("queued", "running")


def _transcribed(
    ctx: AppContext, job_id: int, answer_id: int, outcome: Outcome | None
) -> Submitted:
    from preppath.jobs import store
    from preppath.jobs.retrying import classify
    from preppath.services.scoring import EVALUATION

    with ctx.reader() as db:
        job = store.get(db, job_id)
        scoring = store.get_by_key(db, EVALUATION, f"answer:{answer_id}")
    if job is not None and job.status == "done" and scoring is not None:
        return Submitted(answer_id, scoring.id)
    if job is None or job.status != "failed":  # parked or lost: the recording stays queued
        raise PrepPathError(
            f"transcription did not finish; the recording is saved: `preppath jobs resume` "
            f"transcribes and scores it (job {job_id})",
            ExitCode.UNAVAILABLE,
        )
    withdraw(ctx, job_id, answer_id)
    error = outcome.error if outcome is not None else None
    if isinstance(error, PrepPathError):
        raise error
    if error is not None and not classify(error).retryable:
        raise error  # a bug, not a service failing: reaches the CLI as one
    raise PrepPathError(job.last_error or "transcription failed", ExitCode.UNAVAILABLE)


def withdraw(ctx: AppContext, job_id: int, answer_id: int) -> None:
    """Remove an import whose transcription failed while its command waited: the answer, its
    recording (row and file) and the job, so a refused import leaves nothing behind."""
    from preppath.services.recordings import local_store

    with ctx.transaction() as db:
        row = db.execute(
            "SELECT r.id, r.path FROM job j JOIN answer a ON a.id = ? "
            "JOIN interview_recording r ON r.path = json_extract(j.payload, '$.recording') "
            "WHERE j.id = ? AND j.status = 'failed' AND a.scoring = ?",
            (answer_id, job_id, TRANSCRIPTION_FAILED),
        ).fetchone()
        if row is None:  # retried or finished by someone else meanwhile
            return
        db.execute("DELETE FROM interview_recording WHERE id = ?", (row[0],))
        db.execute("DELETE FROM answer WHERE id = ?", (answer_id,))
        db.execute("DELETE FROM job WHERE id = ?", (job_id,))
    local_store(ctx.paths.data_dir).delete(str(row[1]))


def resume_untranscribed(ctx: AppContext, interview_id: int, position: int) -> Submitted | None:
    """Transcribe the recording this question already holds, if one was stored and never
    transcribed (its process was killed): a re-run finishes it instead of importing it a
    second time. Returns its scoring job; None when there is no such recording."""
    from preppath.jobs import store
    from preppath.jobs.pool import utc_now
    from preppath.jobs.transcription import TranscriptionHandler

    with ctx.reader() as db:  # the common case, nothing to resume, takes no write lock
        if _untranscribed(db, ctx, interview_id, position) is None:
            return None
    with ctx.transaction() as db:
        row = _untranscribed(db, ctx, interview_id, position)
        if row is None:
            return None
        answer_id, job_id, status = int(row[0]), int(row[1]), str(row[2])
        if status in ("failed", "cancelled"):  # read and changed under one write lock
            job = store.get(db, job_id)
            assert job is not None
            store.requeue(db, job_id, utc_now())
            TranscriptionHandler().requeued(db, job)
    return transcribe_now(ctx, job_id, answer_id)


def _untranscribed(
    db: sqlite3.Connection, ctx: AppContext, interview_id: int, position: int
) -> tuple[Any, ...] | None:
    """(answer id, job id, job status) of this question's latest answer without text."""
    row: tuple[Any, ...] | None = db.execute(
        "SELECT a.id, j.id, j.status FROM answer a"
        " JOIN interview_question q ON q.id = a.question_id"
        " JOIN interview i ON i.id = q.interview_id"
        " JOIN job j ON j.kind = ? AND j.key = 'answer:' || a.id"
        " WHERE i.id = ? AND i.profile_id = ? AND q.position = ? AND a.scoring IN (?, ?)"
        " ORDER BY a.id DESC LIMIT 1",
        (TRANSCRIPTION, interview_id, ctx.profile_id, position, TRANSCRIBING,
         TRANSCRIPTION_FAILED),
    ).fetchone()  # fmt: skip
    return row
