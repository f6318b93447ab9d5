"""Answering with an audio file (the original system's upload): validate, store, transcribe,
measure delivery, score — the same path as a spoken answer in `interview start`."""

from __future__ import annotations

import shutil
from pathlib import Path

from preppath.domain import AnswerSource
from preppath.errors import ExitCode, PrepPathError
from preppath.providers import factory
from preppath.services import recordings
from preppath.services.answers import RecordingInfo, answer_question, as_question
from preppath.services.context import AppContext
from preppath.services.rows import load_interview, load_question
from preppath.services.views import AnswerResult
from preppath.spend import usage


def import_audio_answer(
    ctx: AppContext, interview_id: int, position: int, source: Path
) -> AnswerResult:
    from preppath import voice
    from preppath.voice.recorder import file_sha256

    with ctx.reader() as db:  # "not found" before any audio work
        question = as_question(load_question(db, load_interview(db, ctx, interview_id), position))
    # No size limit for the cloud either: a file over its 25 MB upload limit is re-encoded or
    # split before upload (providers/openai_upload.py).
    info = voice.validate_audio_file(
        source, max_bytes=None, max_seconds=float(ctx.settings.max_answer_s)
    )
    # The copy is written under a temporary name and becomes the stored recording only in the
    # transaction that saves the answer (see services.recordings): a kill at any point leaves
    # either both or a leftover the next open removes.
    incoming = _incoming_copy(ctx, source)
    try:
        vocabulary = (
            question.text,
            question.expected_answer,
            *(kp.point for kp in question.key_points),
        )
        with usage.metering():  # the transcription is saved with the answer (store_answer)
            transcript = factory.speech_to_text(ctx.settings).transcribe_file(
                incoming, vocabulary=vocabulary
            )
            if not transcript.text.strip():
                raise PrepPathError(f"no speech was recognised in {source}", ExitCode.INVALID)
            delivery = voice.measure_delivery(transcript, question.type).to_dict()
            recording = RecordingInfo(
                path=str(incoming),
                format=incoming.suffix.lstrip("."),
                duration_s=info.duration_s,
                size_bytes=incoming.stat().st_size,
                sha256=file_sha256(incoming),
            )
            return answer_question(
                ctx,
                interview_id,
                position,
                transcript.text,
                source=AnswerSource.AUDIO_IMPORT,
                delivery=delivery,
                recording=recording,
            )
    except BaseException:
        recordings.discard(incoming)  # no orphan copy for an answer that was not saved
        raise


def _incoming_copy(ctx: AppContext, source: Path) -> Path:
    try:
        incoming = recordings.new_incoming(ctx.paths.recordings_dir, source.suffix)
    except OSError as exc:
        raise PrepPathError(f"cannot store the recording: {exc.strerror}", ExitCode.DATA) from None
    try:
        with source.open("rb") as src, incoming.open("r+b") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except BaseException as exc:
        recordings.discard(incoming)
        if isinstance(exc, OSError):
            raise PrepPathError(
                f"cannot store the recording: {exc.strerror}", ExitCode.DATA
            ) from None
        raise
    return incoming
