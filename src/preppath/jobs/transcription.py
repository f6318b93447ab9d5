"""The transcription job: an imported recording becomes its answer's text, and the answer's
scoring job is queued in the same finishing transaction (see services/transcribing.py)."""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING, Any

from preppath.spend import usage

if TYPE_CHECKING:
    from preppath.jobs.handlers import Apply
    from preppath.jobs.store import Job
    from preppath.providers.base import SpeechToText
    from preppath.services.context import AppContext


class TranscriptionHandler:
    """Transcribes an answer's stored recording (payload: answer_id, recording key, the name
    the person gave the file) and queues its scoring."""

    def __init__(self) -> None:
        self._stt: SpeechToText | None = None
        self._lock = threading.Lock()

    def _get_stt(self, ctx: AppContext) -> SpeechToText:
        from preppath.jobs.handlers import without_sdk_retries
        from preppath.providers import factory

        with self._lock:  # built once per pool (loading an offline model is slow)
            if self._stt is None:
                self._stt = without_sdk_retries(factory.speech_to_text(ctx.settings))
            return self._stt

    def prepare(self, ctx: AppContext, job: Job) -> Apply:
        from preppath import voice
        from preppath.errors import ExitCode, PrepPathError
        from preppath.services.answers import check_answer_text
        from preppath.services.recordings import local_store
        from preppath.services.transcribing import load_untranscribed, store_transcript

        answer_id = int(job.payload["answer_id"])
        with ctx.reader() as db:
            pending = load_untranscribed(db, answer_id)
        if pending is None:  # transcribed already, or its interview was deleted
            return lambda db: ({"answer_id": answer_id, "skipped": True}, None)
        question = pending.question
        vocabulary = (
            question.text,
            question.expected_answer,
            *(k.point for k in question.key_points),
        )
        path = local_store(ctx.paths.data_dir).path(str(job.payload["recording"]))
        with usage.metering() as used:
            transcript = self._get_stt(ctx).transcribe_file(path, vocabulary=vocabulary)
        if not transcript.text.strip():
            raise PrepPathError(
                f"no speech was recognised in {job.payload['name']}", ExitCode.INVALID
            )
        text = check_answer_text(transcript.text)
        delivery = voice.measure_delivery(transcript, question.type).to_dict()

        def apply(db: sqlite3.Connection) -> tuple[dict[str, Any], object]:
            if used:
                usage.save(db, ctx.profile_id, pending.interview_id, used, ctx.clock())
            submitted = store_transcript(db, ctx, answer_id, text, delivery)
            if submitted is None:
                return {"answer_id": answer_id, "skipped": True}, None
            return {"answer_id": answer_id, "evaluation_job": submitted.job_id}, submitted

        return apply

    def failed(self, db: sqlite3.Connection, job: Job, reason: str) -> None:
        from preppath.services.transcribing import TRANSCRIBING, TRANSCRIPTION_FAILED

        db.execute(
            "UPDATE answer SET scoring = ?, scoring_error = ? WHERE id = ? AND scoring = ?",
            (TRANSCRIPTION_FAILED, reason, job.payload["answer_id"], TRANSCRIBING),
        )

    def requeued(self, db: sqlite3.Connection, job: Job) -> None:
        from preppath.services.transcribing import TRANSCRIBING, TRANSCRIPTION_FAILED

        db.execute(
            "UPDATE answer SET scoring = ?, scoring_error = NULL WHERE id = ? AND scoring = ?",
            (TRANSCRIBING, job.payload["answer_id"], TRANSCRIPTION_FAILED),
        )
