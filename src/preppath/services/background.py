"""Scoring in the background during a session: each answer is stored at once and its job runs
in a pool thread while the person answers the next question; the session collects each
feedback when it is ready, in the order the answers were given."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from preppath.jobs.pool_thread import PoolThread
from preppath.services.context import AppContext
from preppath.services.scoring import Submitted
from preppath.services.views import AnswerResult


@dataclass(frozen=True)
class Scored:
    question_id: int
    result: AnswerResult | None
    error: str | None
    """Why scoring failed (the answer is saved): one line that says how to retry."""


class BackgroundScoring:
    def __init__(self, ctx: AppContext) -> None:
        from preppath.jobs.handlers import ANSWER_KINDS, default_handlers
        from preppath.jobs.pool import Pool

        self.ctx = ctx
        self.pool = Pool(ctx, handlers=default_handlers(ANSWER_KINDS))
        self._waiting: list[tuple[int, Submitted]] = []  # (question position, its job)
        self._lock = threading.Lock()
        self._runner = PoolThread("scoring", lambda: self.pool)

    def submit(self, question_id: int, submitted: Submitted) -> None:
        with self._lock:
            self._waiting.append((question_id, submitted))
        self.kick()

    def kick(self) -> None:
        """Make sure a pool thread runs what is queued (this session's and any left over)."""
        self._runner.kick()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._waiting)

    def ready(self) -> list[Scored]:
        """Feedback finished since the last call, oldest answer first; stops at the first
        answer still being scored, so feedback never appears out of order."""
        out = []
        with self._lock:
            while self._waiting:
                question_id, submitted = self._waiting[0]
                scored = self._finished(question_id, submitted)
                if scored is None:
                    break
                out.append(scored)
                self._waiting.pop(0)
        return out

    def _finished(self, question_id: int, submitted: Submitted) -> Scored | None:
        from preppath.errors import PrepPathError
        from preppath.services.scoring import result_of

        outcome = self.pool.outcomes.get(submitted.job_id)
        if outcome is None or outcome.status not in ("done", "failed", "lost"):
            return None
        try:
            return Scored(question_id, result_of(self.ctx, submitted, outcome), None)
        except PrepPathError as exc:
            return Scored(question_id, None, exc.message)

    def wait_all(self) -> list[Scored]:
        """Everything still being scored, once it is (retries included)."""
        while (thread := self._runner.running) is not None:
            thread.join(timeout=0.2)  # in slices: Ctrl-C stays responsive
        if self.pending:
            self.pool.run()  # what the thread left (a retry not yet due), here
        return self.ready()

    def stop(self, on_wait: Callable[[int, float], None] | None = None) -> None:
        """Ctrl-C: running jobs finish or are parked (at once on a second Ctrl-C); queued ones
        wait for the next run. `on_wait(running, grace_s)` is told when there is a wait."""
        self.pool.shutdown(on_wait=on_wait)
