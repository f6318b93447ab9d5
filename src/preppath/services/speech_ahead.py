"""Speaking questions ahead in a session: when question N is asked, a speech job synthesises
question N+1 into the speech cache in a pool thread, so it plays at once when its turn comes.

The question being asked is never left waiting on the pool: if its job is done its audio is
played from the cache; if the job is running it is waited for (that work is already under
way); if it is still queued (or backing off after a failure) it is cancelled and the question
is synthesised directly, as it was before speech was a job.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from preppath.jobs.pool_thread import PoolThread
from preppath.services.context import AppContext

if TYPE_CHECKING:
    from preppath.jobs.pool import Pool
    from preppath.jobs.store import Job
    from preppath.providers.base import TextToSpeech
    from preppath.values import Speech

POLL_S = 0.02


class SpeechAhead:
    def __init__(self, ctx: AppContext, tts: TextToSpeech) -> None:
        self.ctx = ctx
        self.tts = tts
        self._pool: Pool | None = None
        self._lock = threading.Lock()
        self._runner = PoolThread("speech", lambda: self.pool)

    @property
    def pool(self) -> Pool:
        from preppath.jobs.pool import Pool
        from preppath.jobs.speech import SPEECH, SpeechHandler

        with self._lock:
            if self._pool is None:
                self._pool = Pool(self.ctx, handlers={SPEECH: SpeechHandler()})
            return self._pool

    def queue(self, interview_id: int, position: int, text: str) -> int:
        """Queue the job that speaks this question ahead (once per question); returns its id."""
        from preppath.jobs import store
        from preppath.jobs.pool import utc_now
        from preppath.jobs.speech import SPEECH, speech_key

        with self.ctx.transaction() as db:
            job = store.enqueue(
                db,
                profile_id=self.ctx.profile_id,
                kind=SPEECH,
                key=speech_key(interview_id, position),
                payload={"interview_id": interview_id, "position": position, "text": text},
                max_attempts=self.ctx.settings.jobs_max_attempts,
                now=utc_now(),
            )
        self.kick()
        return job.id

    def kick(self) -> None:
        """Make sure a pool thread runs the queued speech jobs."""
        self._runner.kick()

    def ready(self, interview_id: int, position: int, text: str) -> Speech | None:
        """The question's audio if the cache holds it (a job made it, or it was spoken before),
        waiting only for a job already running; None when it is to be synthesised now. A
        queued job is cancelled in the same write transaction that reads it, so the pool
        cannot start it while the question is synthesised directly."""
        from preppath.jobs import store
        from preppath.jobs.pool import utc_now
        from preppath.jobs.speech import SPEECH, cached_speech, speech_cache, speech_key

        with self.ctx.transaction() as db:
            job = store.get_by_key(db, SPEECH, speech_key(interview_id, position))
            if job is not None and job.status == store.JobStatus.QUEUED:
                store.cancel(db, job.id, utc_now())
        if job is not None and job.status == store.JobStatus.RUNNING:
            self._await(job.id)
        return cached_speech(self.tts, text, speech_cache(self.ctx))

    def _await(self, job_id: int) -> Job | None:
        """The job once it is no longer running; a job still running after its lease is left
        to its owner (the question is then synthesised directly)."""
        from preppath.jobs import store

        deadline = time.monotonic() + self.ctx.settings.jobs_lease_s
        while True:
            with self.ctx.reader() as db:
                job = store.get(db, job_id)
            if job is None or job.status != store.JobStatus.RUNNING:
                return job
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_S)

    def remember(self, text: str, speech: Speech) -> None:
        """Keep a question spoken directly, for a repeat (/repeat, a resumed interview)."""
        from preppath.jobs.speech import remember_speech, speech_cache

        remember_speech(self.tts, text, speech, speech_cache(self.ctx))

    def stop(self, *, interrupted: bool = False) -> None:
        """End of the session: a running job finishes (within the grace) or is parked. Ctrl-C:
        parked at once, since nobody will hear it now. Queued ones wait for the next run
        (which finds their audio cached, or makes it)."""
        if self._pool is not None:
            self._pool.shutdown(grace_s=0 if interrupted else None)
