"""Answering with an audio file (the original system's upload): validate, store the recording
with its answer, then a transcription job (which measures delivery) and a scoring job; the
command waits for both and prints the feedback."""

from __future__ import annotations

import shutil
from pathlib import Path

from preppath.domain import AnswerSource
from preppath.errors import ExitCode, PrepPathError
from preppath.services import recordings
from preppath.services.answers import RecordingInfo, store_recording
from preppath.services.context import AppContext
from preppath.services.rows import load_interview, load_question
from preppath.services.scoring import score_now
from preppath.services.transcribing import submit_recording, transcribe_now
from preppath.services.views import AnswerResult


def import_audio_answer(
    ctx: AppContext, interview_id: int, position: int, source: Path
) -> AnswerResult:
    """Store the recording with its answer, then wait for its transcription and scoring jobs
    and return the feedback."""
    answer_id, job_id = store_audio_answer(ctx, interview_id, position, source)
    return score_now(ctx, transcribe_now(ctx, job_id, answer_id))


def store_audio_answer(
    ctx: AppContext, interview_id: int, position: int, source: Path
) -> tuple[int, int]:
    """Validate and store the recording with its answer (no text yet) and queue its
    transcription job; returns (answer id, job id). The jobs run later, in a pool."""
    from preppath import voice
    from preppath.voice.recorder import file_sha256

    with ctx.reader() as db:  # "not found" before any audio work
        load_question(db, load_interview(db, ctx, interview_id), position)
    # No size limit for the cloud either: a file over its 25 MB upload limit is re-encoded or
    # split before upload (providers/openai_upload.py).
    info = voice.validate_audio_file(
        source, max_bytes=None, max_seconds=float(ctx.settings.max_answer_s)
    )
    # The copy is written under a temporary name and becomes the stored recording only in the
    # transaction that saves the answer (see services.recordings): a kill at any point leaves
    # either both or a leftover the next open removes.
    incoming = _incoming_copy(ctx, source)
    recording = RecordingInfo(
        path=str(incoming),
        format=incoming.suffix.lstrip("."),
        duration_s=info.duration_s,
        size_bytes=incoming.stat().st_size,
        sha256=file_sha256(incoming),
    )
    # Stored before any transcription: from here on a kill loses nothing, and `jobs resume`
    # transcribes and scores it.
    return _store_recorded(ctx, interview_id, position, recording, str(source))


def _store_recorded(
    ctx: AppContext, interview_id: int, position: int, recording: RecordingInfo, name: str
) -> tuple[int, int]:
    """The answer without its text yet, its recording and its transcription job, in one
    transaction; returns (answer id, job id)."""
    published: list[Path] = []
    try:
        with ctx.transaction() as db:
            interview = load_interview(db, ctx, interview_id)
            row = load_question(db, interview, position)
            key = store_recording(db, ctx, interview, row, recording, published)
            job_id = submit_recording(db, ctx, row, AnswerSource.AUDIO_IMPORT, key, name)
            (answer_id,) = db.execute(
                "SELECT json_extract(payload, '$.answer_id') FROM job WHERE id = ?", (job_id,)
            ).fetchone()
    except BaseException:
        for stored in published:  # published, but its row was not committed
            recordings.discard(stored)
        recordings.discard(Path(recording.path))  # no orphan copy for an answer not saved
        raise
    return int(answer_id), job_id


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
