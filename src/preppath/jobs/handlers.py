"""What each kind of job does. A handler's `prepare` does the slow part (a model call) outside
any transaction and returns `apply`, which the pool calls inside the transaction that marks the
job done: the job's effect is written exactly when the job is finished, never twice."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from preppath.spend import usage

if TYPE_CHECKING:
    from preppath.jobs.store import Job
    from preppath.providers.base import Evaluator
    from preppath.services.context import AppContext

Apply = Callable[[sqlite3.Connection], tuple[dict[str, Any], object]]
"""Writes the job's effect in the finishing transaction; returns (stored result, value)."""


class Handler(Protocol):
    def prepare(self, ctx: AppContext, job: Job) -> Apply: ...

    def failed(self, db: sqlite3.Connection, job: Job, reason: str) -> None:
        """The job ran out of attempts or cannot succeed: record that where people look."""
        ...

    def requeued(self, db: sqlite3.Connection, job: Job) -> None:
        """`jobs retry` queued it again."""
        ...


def job_evaluator(ctx: AppContext) -> Evaluator:
    """The configured evaluator, with the SDK's own retries off when it calls a server."""
    from preppath.providers import factory

    return without_sdk_retries(factory.evaluator(ctx.settings, ctx.paths))


P = TypeVar("P")


def without_sdk_retries(provider: P) -> P:
    """One retry layer: an OpenAI-backed provider keeps the client the factory built for it (its
    key, URL and timeouts), copied with `max_retries=0`, so a 429 or 500 is retried by the pool
    with its back-off and not, first, by the SDK as well. Offline providers and fakes hold no
    client and are returned as they are."""
    client = getattr(provider, "_client", None)
    if client is not None and type(client).__module__.startswith("openai"):
        provider._client = client.with_options(max_retries=0)  # type: ignore[attr-defined]
    return provider


class EvaluationHandler:
    """Scores a stored answer (payload: answer_id) and writes its feedback row."""

    def __init__(self) -> None:
        self._evaluator: Evaluator | None = None
        self._lock = threading.Lock()

    def _get_evaluator(self, ctx: AppContext) -> Evaluator:
        with self._lock:  # built once per pool, by whichever worker needs it first
            if self._evaluator is None:
                self._evaluator = job_evaluator(ctx)
            return self._evaluator

    def prepare(self, ctx: AppContext, job: Job) -> Apply:
        from preppath.services.scoring import load_pending, store_score

        answer_id = int(job.payload["answer_id"])
        with ctx.reader() as db:
            pending = load_pending(db, answer_id)
        if pending is None:  # its interview was deleted, or it was scored already
            return lambda db: ({"answer_id": answer_id, "skipped": True}, None)
        # Metered in this worker thread: usage is collected per thread (spend.usage).
        with usage.metering() as used:
            evaluation = self._get_evaluator(ctx).evaluate(
                pending.question, pending.text, delivery=pending.delivery
            )

        def apply(db: sqlite3.Connection) -> tuple[dict[str, Any], object]:
            if used:
                usage.save(db, ctx.profile_id, _interview_of(db, answer_id), used, ctx.clock())
            result = store_score(db, ctx, answer_id, evaluation)
            if result is None:
                return {"answer_id": answer_id, "skipped": True}, None
            return {"answer_id": answer_id, "overall": result.overall}, result

        return apply

    def failed(self, db: sqlite3.Connection, job: Job, reason: str) -> None:
        db.execute(
            "UPDATE answer SET scoring = 'failed', scoring_error = ? "
            "WHERE id = ? AND scoring != 'scored'",
            (reason, job.payload["answer_id"]),
        )

    def requeued(self, db: sqlite3.Connection, job: Job) -> None:
        db.execute(
            "UPDATE answer SET scoring = 'pending', scoring_error = NULL "
            "WHERE id = ? AND scoring = 'failed'",
            (job.payload["answer_id"],),
        )


def _interview_of(db: sqlite3.Connection, answer_id: int) -> int | None:
    row = db.execute(
        "SELECT q.interview_id FROM answer a JOIN interview_question q ON q.id = a.question_id"
        " WHERE a.id = ?",
        (answer_id,),
    ).fetchone()
    return int(row[0]) if row else None


ANSWER_KINDS = ("evaluation", "transcription")
"""What a command waiting on an answer runs: a question's speech ahead is the session's own
pool's work (or `jobs resume`'s), never a wait for someone scoring an answer."""


def default_handlers(kinds: tuple[str, ...] | None = None) -> dict[str, Handler]:
    from preppath.jobs.speech import SpeechHandler
    from preppath.jobs.transcription import TranscriptionHandler

    every: dict[str, Handler] = {
        "evaluation": EvaluationHandler(),
        "transcription": TranscriptionHandler(),
        "speech": SpeechHandler(),
    }
    return {k: v for k, v in every.items() if kinds is None or k in kinds}
