"""Speech-to-text and text-to-speech through the OpenAI audio endpoints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import openai
from pydantic import BaseModel

from preppath.errors import ExitCode, PrepPathError
from preppath.providers.openai_client import check_audio, checked_reply, translate_errors
from preppath.values import Speech, Transcript, Word

# OpenAI's upload limit; a bigger file is re-encoded or split before upload (openai_upload.py)
# instead of failing after a slow upload and a 413.
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
SUPPORTED_SUFFIXES = frozenset(
    {".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm"}
)
# Whisper reads only the last ~224 tokens of a prompt; a longer one is wasted upload.
MAX_PROMPT_CHARS = 800
# OpenAI's `pcm` format: raw 16-bit little-endian mono samples at 24 kHz, no header.
PCM_SAMPLE_RATE = 24_000
MAX_TTS_CHARS = 4096


class _Word(BaseModel):
    word: str
    start: float
    end: float


class _Segment(BaseModel):
    start: float
    end: float
    text: str


class _Verbose(BaseModel):
    """A `verbose_json` transcription, as much of it as PrepPath reads."""

    text: str
    duration: float | None = None
    words: list[_Word] | None = None
    segments: list[_Segment] | None = None


class OpenAISpeechToText:
    """Whisper-style transcription with word and segment timestamps, mapped to the same
    `Transcript` the offline recogniser produces, so delivery metrics read both alike."""

    name = "openai"

    def __init__(
        self, client: openai.OpenAI, model: str, *, max_upload_bytes: int = MAX_UPLOAD_BYTES
    ) -> None:
        self._client = client
        self._model = model
        self._max_upload_bytes = max_upload_bytes

    def transcribe_file(self, path: Path, *, vocabulary: Sequence[str] = ()) -> Transcript:
        from preppath.providers.openai_upload import upload_pieces

        check_upload(path)
        prompt = ", ".join(dict.fromkeys(v.strip() for v in vocabulary if v.strip()))
        texts: list[str] = []
        words: list[Word] = []
        end = 0.0
        with upload_pieces(path, self._max_upload_bytes) as pieces:
            for piece in pieces:
                part = self._transcribe_one(piece.path, prompt)
                texts.append(part.text)
                words += [
                    Word(w.word, w.start + piece.offset_s, w.end + piece.offset_s)
                    for w in part.words
                ]
                end = piece.offset_s + part.duration_s
        return Transcript(text=" ".join(t for t in texts if t), words=words, duration_s=end)

    def _transcribe_one(self, path: Path, prompt: str) -> Transcript:
        with translate_errors():
            raw = self._client.audio.transcriptions.with_raw_response.create(
                file=path,
                model=self._model,
                response_format="verbose_json",
                timestamp_granularities=["word", "segment"],
                prompt=prompt[:MAX_PROMPT_CHARS] if prompt else openai.omit,
            )
            # Read from the checked JSON, not the SDK's object: it is built without validation.
            reply = checked_reply(raw.http_response, _Verbose, "transcription")
        return as_transcript(reply)


def as_transcript(reply: _Verbose) -> Transcript:
    """Words from the reply's word timestamps; a server that sends only segments (some local
    Whisper servers do) gets each segment's words spread evenly over its span."""
    if reply.words:
        words = [Word(w.word.strip(), w.start, w.end) for w in reply.words if w.word.strip()]
    else:
        words = [w for s in reply.segments or [] for w in _spread(s)]
    # Some compatible servers leave out the duration; the last word's end stands in.
    duration = reply.duration if reply.duration is not None else words[-1].end if words else 0.0
    return Transcript(text=reply.text.strip(), words=words, duration_s=duration)


def _spread(segment: _Segment) -> list[Word]:
    tokens = segment.text.split()
    if not tokens:
        return []
    step = max(0.0, segment.end - segment.start) / len(tokens)
    return [
        Word(t, round(segment.start + i * step, 3), round(segment.start + (i + 1) * step, 3))
        for i, t in enumerate(tokens)
    ]


def check_upload(path: Path) -> None:
    """Refuse a file the API would reject and PrepPath cannot fix, before any bytes are sent."""
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
    if size == 0:
        raise PrepPathError(f"{path.name} is empty", ExitCode.INVALID)


VOICES = ("alloy", "echo", "fable", "onyx", "nova", "shimmer")
STREAM_CHUNK = 4800  # 0.1 s of 24 kHz PCM: small enough that playback starts early


class OpenAITextToSpeech:
    """OpenAI speech as 24 kHz PCM, streamed so playback can start before the audio has all
    arrived, and cached by (text, voice, model, format) so a repeated question is free."""

    name = "openai"
    sample_rate = PCM_SAMPLE_RATE

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        voice: str,
        *,
        cache_dir: Path | None = None,
        cache_max_bytes: int | None = None,
    ) -> None:
        from preppath.paths import resolve_paths
        from preppath.providers.speech_cache import SpeechCache

        if voice not in VOICES:
            raise PrepPathError(
                f"unknown voice {voice!r}; tts_voice is one of {', '.join(VOICES)}",
                ExitCode.USAGE,
            )
        self._client = client
        self._model = model
        self._voice = voice
        self._cache = SpeechCache(
            cache_dir or resolve_paths().cache_dir / "speech", max_bytes=cache_max_bytes
        )

    def synthesize(self, text: str) -> Speech:
        return Speech(pcm=b"".join(self.pcm_chunks(text)), sample_rate=PCM_SAMPLE_RATE)

    def cached(self, text: str) -> Speech | None:
        """The text's audio if the cache holds it (a speech job made it ahead), else None."""
        text = _speakable(text)
        pcm = self._cache.read(self._cache.path(text, self._voice, self._model, "pcm"))
        return Speech(pcm=pcm, sample_rate=PCM_SAMPLE_RATE) if pcm is not None else None

    def pcm_chunks(self, text: str) -> Iterator[bytes]:
        """PCM chunks (each a whole number of samples) as they arrive, or from the cache."""
        text = _speakable(text)
        cached_at = self._cache.path(text, self._voice, self._model, "pcm")
        cached = self._cache.read(cached_at)
        if cached is not None:
            yield cached
            return
        writer = self._cache.writer(cached_at)
        try:
            with (
                translate_errors(),
                self._client.audio.speech.with_streaming_response.create(
                    model=self._model, voice=self._voice, input=text, response_format="pcm"
                ) as response,
            ):
                check_audio(response.http_response)
                carry, sent = b"", 0
                for chunk in response.iter_bytes(STREAM_CHUNK):
                    data = carry + chunk
                    # A sample split across chunks would shift every later one: hold its byte.
                    whole = len(data) - len(data) % 2
                    carry = data[whole:]
                    if whole:
                        writer.write(data[:whole])
                        sent += whole
                        yield data[:whole]
            if not sent:
                raise PrepPathError("the speech service returned no audio", ExitCode.UNAVAILABLE)
        except BaseException:  # failed, or the listener skipped: never cache part of it
            writer.discard()
            raise
        writer.commit()


def _speakable(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise PrepPathError("nothing to say: the text is empty", ExitCode.INVALID)
    if len(text) > MAX_TTS_CHARS:
        raise PrepPathError(
            f"text of {len(text)} characters is over OpenAI's {MAX_TTS_CHARS}-character "
            "speech limit",
            ExitCode.INVALID,
        )
    return text
