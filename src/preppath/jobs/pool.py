"""The pool: claims due jobs kind by kind within their concurrency and rate limits, runs each
in a thread, and records what happened. One dispatcher (the calling thread) claims and starts;
workers do the slow part outside any transaction, then finish under the write lock.

Ctrl-C: the dispatcher stops claiming, gives running jobs `jobs_interrupt_grace_s` (10 s) to
finish (a second Ctrl-C cuts that short), parks the rest back to the queue and re-raises, so
the command exits 130.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from preppath.jobs import store
from preppath.jobs.joblog import JobLog
from preppath.jobs.limits import KindLimit, StartWindow, limits_for
from preppath.jobs.retrying import Verdict, backoff_s, classify, spend_refusal

if TYPE_CHECKING:
    from preppath.jobs.handlers import Handler
    from preppath.services.context import AppContext

POLL_S = 0.25  # how often the dispatcher looks for new work when nothing wakes it
ORPHAN_CHECK_S = 5.0


def utc_now() -> datetime:
    """Job times are real time, whatever clock the context's records use."""
    return datetime.now(UTC)


class Outcome:
    """How one attempt at a job ended (plain classes, this and `_Running`: records the pool
    only reads, where dataclasses would cost every command that runs jobs a millisecond each)."""

    __slots__ = ("error", "job_id", "status", "value")

    def __init__(
        self,
        job_id: int,
        status: str,
        value: object | None = None,
        error: BaseException | None = None,
    ) -> None:
        self.job_id = job_id
        self.status = status
        """done, retry (queued again after a back-off), failed, parked, or lost (taken from us)."""
        self.value = value
        self.error = error


class _Running:
    __slots__ = ("job", "owner", "started", "thread")

    def __init__(self, job: store.Job, owner: str, thread: threading.Thread) -> None:
        self.job = job
        self.owner = owner
        self.thread = thread
        self.started = time.monotonic()


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Pool:
    def __init__(
        self,
        ctx: AppContext,
        *,
        handlers: Mapping[str, Handler] | None = None,
        limits: Mapping[str, KindLimit] | None = None,
        rng: random.Random | None = None,
        waits_for_spend_guard: bool = True,
    ) -> None:
        """`waits_for_spend_guard`: a job a spend guard refuses (nothing was sent) goes back in
        the queue until the guard's slot frees, rather than failing. Off where one command
        waits on one answer in a script, which the guards promise never to keep waiting."""
        from preppath.jobs.handlers import default_handlers

        self.ctx = ctx
        self.handlers = dict(handlers) if handlers is not None else default_handlers()
        self.limits = dict(limits) if limits is not None else limits_for(ctx.settings)
        self.windows = {k: StartWindow(v.per_minute) for k, v in self.limits.items()}
        self.log = JobLog(ctx.paths.log_dir / "jobs.log")
        self.outcomes: dict[int, Outcome] = {}
        self.on_finish: Callable[[Outcome], None] | None = None
        """Called from the worker thread as each attempt ends (a session shows feedback)."""
        self._rng = rng or random.Random()
        self._waits_for_spend_guard = waits_for_spend_guard
        self._lease = timedelta(seconds=ctx.settings.jobs_lease_s)
        self._running: dict[int, _Running] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._interrupted = threading.Event()
        self._park_now = threading.Event()
        self._last_renew = self._last_orphan_check = 0.0

    # The dispatcher.

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Run jobs until `until()` is true, or (without it) until nothing is queued or running.
        Ctrl-C parks what is still running and re-raises KeyboardInterrupt."""
        # One connection held open for the run: closing the last connection to a WAL database
        # checkpoints it, which would otherwise happen after every claim and every finish.
        with self._ctrl_c_stops(), self.ctx.reader():
            try:
                self._loop(until)
            except KeyboardInterrupt:  # raised where no handler of ours was installed
                self._interrupted.set()
            if self._interrupted.is_set():
                self.shutdown()
                raise KeyboardInterrupt

    def _loop(self, until: Callable[[], bool] | None) -> None:
        while not self._stopping.is_set():
            if until is not None and until():
                return
            self._housekeeping()
            wake_in = self._start_due()
            if not self.running_count():
                due = self._next_due()
                if due is None:
                    return  # drained: nothing queued, nothing of ours running
                wake_in = min(wake_in, max((due - utc_now()).total_seconds(), 0.0))
            self._wake.wait(timeout=min(wake_in, POLL_S))
            self._wake.clear()

    @contextmanager
    def _ctrl_c_stops(self) -> Iterator[None]:
        """While the pool runs, Ctrl-C is a request, not an exception thrown wherever the
        dispatcher happens to be (between claiming a job and starting it, say): the first
        stops new work, a second parks the running jobs at once."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: object) -> None:
            if self._interrupted.is_set():
                self._park_now.set()
            self._interrupted.set()
            self.stop()

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def stop(self) -> None:
        """Stop taking new work; `run` returns after the current round."""
        self._stopping.set()
        self._wake.set()

    def running_count(self) -> int:
        with self._lock:
            return len(self._running)

    def shutdown(
        self, grace_s: float | None = None, on_wait: Callable[[int, float], None] | None = None
    ) -> list[int]:
        """Stop claiming; let running jobs finish within `grace_s` (by default
        `jobs_interrupt_grace_s`), then park the rest back in the queue. Returns the parked job
        ids. A Ctrl-C during the grace period cuts it short: it parks at once, whichever thread
        runs the pool, so no job is left `running` by a process that exits. `on_wait(running,
        grace_s)` is called when there is something to wait for, once that Ctrl-C is listened
        for (a session says so on screen)."""
        self._stopping.set()
        if grace_s is None:
            grace_s = self.ctx.settings.jobs_interrupt_grace_s
        with self._second_ctrl_c_parks():
            try:
                waiting = self.running_count()
                if waiting and grace_s > 0 and on_wait is not None:
                    on_wait(waiting, grace_s)
                deadline = time.monotonic() + grace_s
                while self.running_count() and time.monotonic() < deadline:
                    if self._park_now.is_set():
                        break
                    self._wake.wait(timeout=0.05)
                    self._wake.clear()
            except KeyboardInterrupt:  # raised where our handler could not be installed
                pass
        with _ctrl_c_ignored():  # parking is a few quick transactions: never half done
            return self._park_running()

    @contextmanager
    def _second_ctrl_c_parks(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: object) -> None:
            self._park_now.set()
            self._wake.set()

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _park_running(self) -> list[int]:
        parked = []
        for running in self._snapshot():
            with self.ctx.transaction() as db:
                if store.park(db, running.job.id, running.owner, utc_now()):
                    parked.append(running.job.id)
            self._record(running, Outcome(running.job.id, "parked"))
        return parked

    def _snapshot(self) -> list[_Running]:
        with self._lock:
            return list(self._running.values())

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_orphan_check >= ORPHAN_CHECK_S:
            self._last_orphan_check = now
            with self.ctx.reader() as db:  # the usual case, none, takes no write lock
                if not store.orphaned(db, utc_now(), self.ctx.profile_id):
                    return self._renew(now)
            with self.ctx.transaction() as db:
                for job in store.requeue_orphans(db, utc_now(), self.ctx.profile_id):
                    handler = self.handlers.get(job.kind)
                    if handler is not None:
                        handler.failed(db, job, "the process running it stopped")
        self._renew(now)

    def _renew(self, now: float) -> None:
        if now - self._last_renew >= self._lease.total_seconds() / 3:
            self._last_renew = now
            owners = [r.owner for r in self._snapshot()]
            if owners:
                with self.ctx.transaction() as db:
                    store.renew(db, owners, utc_now(), self._lease)

    def _next_due(self) -> datetime | None:
        with self.ctx.reader() as db:
            return store.next_due(db, self.ctx.profile_id, tuple(self.handlers))

    def _start_due(self) -> float:
        """Claim and start what the limits allow; returns seconds until a rate permit frees."""
        wake_in = POLL_S
        for kind, limit in self.limits.items():
            if kind not in self.handlers:
                continue
            while self._count(kind) < limit.concurrency and not self._stopping.is_set():
                wait = self.windows[kind].wait_s()
                if wait > 0:
                    wake_in = min(wake_in, wait)
                    break
                with self.ctx.reader() as db:
                    if not store.has_due(db, self.ctx.profile_id, kind, utc_now()):
                        break
                owner = store.new_lease_owner()
                with self.ctx.transaction() as db:
                    job = store.claim(db, self.ctx.profile_id, kind, owner, utc_now(), self._lease)
                if job is None:
                    break
                self.windows[kind].take()
                self._start(job, owner)
        return wake_in

    def _count(self, kind: str) -> int:
        with self._lock:
            return sum(1 for r in self._running.values() if r.job.kind == kind)

    def _start(self, job: store.Job, owner: str) -> None:
        thread = threading.Thread(
            target=self._work, args=(job, owner), name=f"job-{job.id}", daemon=True
        )
        with self._lock:
            self._running[job.id] = _Running(job, owner, thread)
        thread.start()

    # The workers.

    def _work(self, job: store.Job, owner: str) -> None:
        with self._lock:
            running = self._running[job.id]
        handler = self.handlers[job.kind]
        try:
            apply = handler.prepare(self.ctx, job)  # the slow part, outside any transaction
            with self.ctx.transaction() as db:
                if not store.holds_lease(db, job.id, owner):
                    outcome = Outcome(job.id, "lost")
                else:
                    # The effect and `done` commit together, or neither does.
                    result, value = apply(db)
                    store.mark_done(db, job.id, result, utc_now())
                    outcome = Outcome(job.id, "done", value=value)
        except Exception as exc:  # every failure is recorded on the job
            outcome = self._failed(job, owner, handler, exc)
        self._record(running, outcome)

    def _failed(self, job: store.Job, owner: str, handler: Handler, exc: Exception) -> Outcome:
        verdict = classify(exc)
        refusal = spend_refusal(exc)
        if refusal is not None and self._waits_for_spend_guard:
            # Another process (or one killed a moment ago) used this minute's slots: the
            # pool's own window cannot see its calls, the shared guard can. Wait for the slot.
            verdict = Verdict(True, verdict.reason, refusal.wait_s + 1)
        now = utc_now()
        with self.ctx.transaction() as db:
            if not store.holds_lease(db, job.id, owner):
                return Outcome(job.id, "lost", error=exc)
            if verdict.retryable and job.attempts < job.max_attempts:
                delay = backoff_s(
                    job.attempts,
                    base_s=self.ctx.settings.jobs_backoff_s,
                    cap_s=self.ctx.settings.jobs_backoff_max_s,
                    retry_after_s=verdict.retry_after_s,
                    rng=self._rng,
                )
                store.mark_retry(db, job.id, verdict.reason, now + timedelta(seconds=delay), now)
                return Outcome(job.id, "retry", error=exc)
            reason = store.one_line_error(verdict.reason)
            store.mark_failed(db, job.id, reason, now)
            handler.failed(db, job, reason)
            return Outcome(job.id, "failed", error=exc)

    def _record(self, running: _Running, outcome: Outcome) -> None:
        error = None
        if outcome.error is not None:
            error = classify(outcome.error).reason
        self.log.record(
            job_id=running.job.id,
            kind=running.job.kind,
            attempt=running.job.attempts,
            outcome=outcome.status,
            duration_s=time.monotonic() - running.started,
            error=error,
        )
        with self._lock:
            if self._running.get(running.job.id) is running:
                del self._running[running.job.id]
            self.outcomes[outcome.job_id] = outcome
        if self.on_finish is not None:
            self.on_finish(outcome)
        self._wake.set()
