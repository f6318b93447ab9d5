"""An answer is stored the moment it is given, then scored by an evaluation job.

`submit_answer` writes the answer (pending), its recording and its job in one transaction;
the job's handler calls `load_pending` before the model call and `store_score` inside the
transaction that finishes the job, so the feedback row is written exactly once.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PendingAnswer:
    answer_id: int
    question: Question
    text: str
    delivery: dict[str, Any] | None


@dataclass(frozen=True)
class Submitted:
    answer_id: int
    job_id: int


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
    from preppath.jobs import store
    from preppath.jobs.pool import utc_now

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
    job = store.enqueue(
        db,
        profile_id=ctx.profile_id,
        kind=EVALUATION,
        key=f"answer:{cursor.lastrowid}",
        payload={"answer_id": cursor.lastrowid},
        max_attempts=ctx.settings.jobs_max_attempts,
        now=utc_now(),
    )
    return Submitted(cursor.lastrowid, job.id)


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
    from preppath.jobs.pool import Pool

    pool = Pool(ctx)

    def finished() -> bool:
        outcome = pool.outcomes.get(submitted.job_id)
        return outcome is not None and outcome.status in ("done", "failed", "lost")

    pool.run(until=finished)
    return result_of(ctx, submitted, pool.outcomes.get(submitted.job_id))


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
