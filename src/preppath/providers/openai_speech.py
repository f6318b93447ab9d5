"""Speech-to-text and text-to-speech through the OpenAI audio endpoints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openai

from preppath.errors import ExitCode, PrepPathError
from preppath.providers.openai_client import (
    TranscriptionReply,
    check_audio,
    checked_reply,
    translate_errors,
)
from preppath.values import Speech, Transcript, Word

# The original service's upload limit, which is also OpenAI's; checked before uploading so a
# long recording fails in a millisecond instead of after a slow upload and a 413.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
SUPPORTED_SUFFIXES = frozenset(
    {".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm"}
)
# Whisper reads only the last ~224 tokens of a prompt; a longer one is wasted upload.
MAX_PROMPT_CHARS = 800
# OpenAI's `pcm` format: raw 16-bit little-endian mono samples at 24 kHz, no header.
PCM_SAMPLE_RATE = 24_000
MAX_TTS_CHARS = 4096


class OpenAISpeechToText:
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self._model = model

    def transcribe_file(self, path: Path, *, vocabulary: Sequence[str] = ()) -> Transcript:
        check_upload(path)
        prompt = ", ".join(dict.fromkeys(v.strip() for v in vocabulary if v.strip()))
        with translate_errors():
            raw = self._client.audio.transcriptions.with_raw_response.create(
                file=path,
                model=self._model,
                response_format="verbose_json",
                timestamp_granularities=["word"],
                prompt=prompt[:MAX_PROMPT_CHARS] if prompt else openai.omit,
            )
            # Read from the checked JSON, not the SDK's object: it is built without validation.
            result = checked_reply(raw.http_response, TranscriptionReply, "transcription")
        words = [Word(w.word.strip(), w.start, w.end) for w in result.words or [] if w.word.strip()]
        # Some compatible servers leave out the duration; the last word's end stands in.
        duration = result.duration if result.duration is not None else words[-1].end if words else 0
        return Transcript(text=result.text.strip(), words=words, duration_s=duration)


def check_upload(path: Path) -> None:
    """Refuse a file the API would reject, before any bytes are sent."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PrepPathError(
            f"cannot read audio file {path}: {exc.strerror}", ExitCode.INVALID
        ) from None
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        known = ", ".join(sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES))
        raise PrepPathError(
            f"{path.name}: unsupported audio format (use one of {known})", ExitCode.INVALID
        )
    if size > MAX_UPLOAD_BYTES:
        raise PrepPathError(
            f"{path.name} is {size / 1024 / 1024:.1f} MB; the transcription limit is 25 MB",
            ExitCode.INVALID,
        )
    if size == 0:
        raise PrepPathError(f"{path.name} is empty", ExitCode.INVALID)


class OpenAITextToSpeech:
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str, voice: str) -> None:
        self._client = client
        self._model = model
        self._voice = voice

    def synthesize(self, text: str) -> Speech:
        text = " ".join(text.split())
        if not text:
            raise PrepPathError("nothing to say: the text is empty", ExitCode.INVALID)
        if len(text) > MAX_TTS_CHARS:
            raise PrepPathError(
                f"text of {len(text)} characters is over OpenAI's {MAX_TTS_CHARS}-character "
                "speech limit",
                ExitCode.INVALID,
            )
        with (
            translate_errors(),
            self._client.audio.speech.with_streaming_response.create(
                model=self._model, voice=self._voice, input=text, response_format="pcm"
            ) as response,
        ):
            check_audio(response.http_response)
            pcm = b"".join(response.iter_bytes())
        if len(pcm) < 2:
            raise PrepPathError("the speech service returned no audio", ExitCode.UNAVAILABLE)
        # A stray odd byte would shift every later sample; drop it.
        return Speech(pcm=pcm[: len(pcm) - len(pcm) % 2], sample_rate=PCM_SAMPLE_RATE)
