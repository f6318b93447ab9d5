"""An answer is stored the moment it is given, then scored by an evaluation job.

`submit_answer` writes the answer (pending), its recording and its job in one transaction;
the job's handler calls `load_pending` before the model call and `store_score` inside the
transaction that finishes the job, so the feedback row is written exactly once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from preppath.db import query
from preppath.domain import AnswerSource
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext
from preppath.services.rows import load_interview
from preppath.services.views import AnswerResult
from preppath.values import Evaluation, Question

if TYPE_CHECKING:
    from preppath.jobs.pool import Outcome

EVALUATION = "evaluation"


class PendingAnswer:
    """A stored answer waiting for its score, with what scoring it needs (a plain class, like
    `Submitted`: records only read, where a dataclass would cost a millisecond to define)."""

    __slots__ = ("answer_id", "delivery", "question", "text")

    def __init__(
        self, answer_id: int, question: Question, text: str, delivery: dict[str, Any] | None
    ) -> None:
        self.answer_id = answer_id
        self.question = question
        self.text = text
        self.delivery = delivery


class Submitted:
    """An answer stored and the job queued to score it."""

    __slots__ = ("answer_id", "job_id")

    def __init__(self, answer_id: int, job_id: int) -> None:
        self.answer_id = answer_id
        self.job_id = job_id


def submit_answer(
    db: sqlite3.Connection,
    ctx: AppContext,
    question_row: dict[str, Any],
    answer: str,
    source: AnswerSource,
    delivery: dict[str, Any] | None,
) -> Submitted:
    """Store the answer, pending its score, and queue the job that scores it. Runs inside the
    caller's write transaction."""
    cursor = db.execute(
        "INSERT INTO answer (question_id, answer_text, answer_source, delivery, scoring, "
        "created_at) VALUES (?, ?, ?, ?, 'pending', ?)",
        (
            question_row["id"],
            answer,
            source.value,
            query.FEEDBACK.encode("delivery", delivery),
            query.stored_time(ctx.clock()),
        ),
    )
    assert cursor.lastrowid is not None
    return enqueue_evaluation(db, ctx, cursor.lastrowid)


def enqueue_evaluation(db: sqlite3.Connection, ctx: AppContext, answer_id: int) -> Submitted:
    """Queue the job that scores a stored answer (the same answer twice is one job). Inside
    the caller's write transaction: a typed answer's, or a transcription job's finishing one."""
    from preppath.jobs import store
    from preppath.jobs.pool import utc_now

    job = store.enqueue(
        db,
        profile_id=ctx.profile_id,
        kind=EVALUATION,
        key=f"answer:{answer_id}",
        payload={"answer_id": answer_id},
        max_attempts=ctx.settings.jobs_max_attempts,
        now=utc_now(),
    )
    return Submitted(answer_id, job.id)


def _answer_row(db: sqlite3.Connection, answer_id: int) -> tuple[Any, ...] | None:
    row: tuple[Any, ...] | None = db.execute(
        "SELECT question_id, answer_text, answer_source, delivery, scoring FROM answer "
        "WHERE id = ?",
        (answer_id,),
    ).fetchone()
    return row


def load_pending(db: sqlite3.Connection, answer_id: int) -> PendingAnswer | None:
    """The answer and its question as the evaluator takes them; None once scored or deleted."""
    from preppath.services.answers import as_question

    row = _answer_row(db, answer_id)
    if row is None or row[4] == "scored":
        return None
    question = db.execute(f"{query.QUESTION.select} WHERE id = ?", (row[0],)).fetchone()
    if question is None:
        return None
    delivery = json.loads(row[3]) if row[3] is not None else None
    return PendingAnswer(answer_id, as_question(query.QUESTION.decode(question)), row[1], delivery)


def store_score(
    db: sqlite3.Connection, ctx: AppContext, answer_id: int, evaluation: Evaluation
) -> AnswerResult | None:
    """Write the feedback for a pending answer (what answering used to write at once), and
    mark the answer scored. Inside the job's finishing transaction."""
    from preppath.services.answers import store_feedback

    row = _answer_row(db, answer_id)
    if row is None or row[4] == "scored":
        return None
    question = db.execute(f"{query.QUESTION.select} WHERE id = ?", (row[0],)).fetchone()
    if question is None:
        return None
    question_row = query.QUESTION.decode(question)
    interview = load_interview(db, ctx, question_row["interview_id"])
    result, feedback_id = store_feedback(
        db, ctx, interview, question_row, row[1], AnswerSource(row[2]), evaluation
    )
    db.execute(
        "UPDATE answer SET scoring = 'scored', scoring_error = NULL, feedback_id = ? WHERE id = ?",
        (feedback_id, answer_id),
    )
    return result


def score_now(ctx: AppContext, submitted: Submitted) -> AnswerResult:
    """Run the pool until this answer's job is finished: its feedback, or a one-line error
    that says the answer is kept and how to score it again."""
    from preppath.jobs.handlers import ANSWER_KINDS, default_handlers
    from preppath.jobs.pool import Pool

    # One command waiting on one answer: a spend guard's refusal ends it with its one line.
    pool = Pool(ctx, handlers=default_handlers(ANSWER_KINDS), waits_for_spend_guard=False)

    def finished() -> bool:
        outcome = pool.outcomes.get(submitted.job_id)
        return outcome is not None and outcome.status in ("done", "failed", "lost")

    while True:
        pool.run(until=finished)
        if finished() or not _held_elsewhere(ctx, submitted.job_id):
            break
        # Another worker holds this job: a thread of this process (a batch runs several
        # answers at once) or another process. Wait for it; a dead holder's lease is taken
        # back by the next run's housekeeping.
        time.sleep(WAIT_FOR_OTHERS_S)
    return result_of(ctx, submitted, pool.outcomes.get(submitted.job_id))


WAIT_FOR_OTHERS_S = 0.05


def resume_unscored(ctx: AppContext, interview_id: int, position: int) -> AnswerResult | None:
    """Score the answer this question already holds, if one was stored and never scored (its
    process was killed, or its scoring failed): a re-run scores it instead of answering the
    question a second time. None when there is no such answer."""
    from preppath.jobs import store
    from preppath.jobs.handlers import default_handlers
    from preppath.jobs.pool import utc_now
    from preppath.services.transcribing import resume_untranscribed

    untranscribed = resume_untranscribed(ctx, interview_id, position)
    if untranscribed is not None:  # an imported recording, stored before its transcript
        return score_now(ctx, untranscribed)
    with ctx.transaction() as db:
        row = db.execute(
            "SELECT a.id, j.id, j.status FROM answer a"
            " JOIN interview_question q ON q.id = a.question_id"
            " JOIN interview i ON i.id = q.interview_id"
            " JOIN job j ON j.kind = ? AND j.key = 'answer:' || a.id"
            " WHERE i.id = ? AND i.profile_id = ? AND q.position = ? AND a.scoring != 'scored'"
            " ORDER BY a.id DESC LIMIT 1",
            (EVALUATION, interview_id, ctx.profile_id, position),
        ).fetchone()
        if row is None:
            return None
        answer_id, job_id, status = int(row[0]), int(row[1]), str(row[2])
        if status in ("failed", "cancelled"):  # read and changed under one write lock
            job = store.get(db, job_id)
            assert job is not None
            store.requeue(db, job_id, utc_now())
            default_handlers()[EVALUATION].requeued(db, job)
    return score_now(ctx, Submitted(answer_id, job_id))


def _held_elsewhere(ctx: AppContext, job_id: int) -> bool:
    from preppath.jobs import store

    with ctx.reader() as db:
        job = store.get(db, job_id)
    return job is not None and job.status in ("queued", "running")


def result_of(ctx: AppContext, submitted: Submitted, outcome: Outcome | None) -> AnswerResult:
    """The feedback of a finished scoring job, or the one-line error saying it failed, that
    the answer is kept, and how to score it again."""
    from preppath.jobs import store

    if outcome is not None and outcome.status == "done" and isinstance(outcome.value, AnswerResult):
        return outcome.value
    with ctx.reader() as db:
        job = store.get(db, submitted.job_id)
    if job is not None and job.status == "done":
        return _result_from_row(ctx, submitted.answer_id)  # another process scored it
    code = ExitCode.UNAVAILABLE
    if outcome is not None and isinstance(outcome.error, PrepPathError):
        code = outcome.error.code
    elif outcome is not None and outcome.error is not None:
        from preppath.jobs.retrying import classify

        if not classify(outcome.error).retryable:
            # A bug, not a service failing: it reaches the CLI as one (logged with its
            # traceback), though the answer stays saved and the job can be retried.
            raise outcome.error
    reason = job.last_error if job is not None and job.last_error else "scoring did not finish"
    raise PrepPathError(
        f"{reason}; the answer is saved, unscored: `preppath jobs retry {submitted.job_id}` "
        "scores it again",
        code,
    )


def _result_from_row(ctx: AppContext, answer_id: int) -> AnswerResult:
    from preppath.services.reading import feedback_view

    with ctx.reader() as db:
        (feedback_id, question_id) = db.execute(
            "SELECT feedback_id, question_id FROM answer WHERE id = ?", (answer_id,)
        ).fetchone()
        feedback = query.feedback(db, feedback_id)
        question = db.execute(
            "SELECT interview_id, position FROM interview_question WHERE id = ?", (question_id,)
        ).fetchone()
    assert feedback is not None
    return AnswerResult(
        **vars(feedback_view(feedback)), interview_id=question[0], question_id=question[1]
    )
