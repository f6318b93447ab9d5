"""The speech job: a question's audio synthesised into the speech cache before it is asked, so
it plays at once when its turn comes (services/speech_ahead.py queues it in a session).

The job's effect is a cache file, not a row: a finished file is renamed into place only when
all of its audio has arrived, and a job that finds the file already there makes no request.
So a job killed mid-way and run again synthesises its text once, and a job run after the file
was made (by a kill just before `done`, or by the question being spoken directly) costs
nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from preppath.jobs.handlers import Apply
    from preppath.jobs.store import Job
    from preppath.providers.base import TextToSpeech
    from preppath.providers.speech_cache import SpeechCache
    from preppath.services.context import AppContext
    from preppath.values import Speech

SPEECH = "speech"


def speech_key(interview_id: int, position: int) -> str:
    """One job per asked question: queuing it again while it waits or runs is the same job."""
    return f"interview:{interview_id}:question:{position}"


def speech_cache(ctx: AppContext) -> SpeechCache:
    from preppath.providers.speech_cache import SpeechCache

    return SpeechCache(ctx.paths.cache_dir / "speech", max_bytes=cache_limit_bytes(ctx))


def cache_limit_bytes(ctx: AppContext) -> int | None:
    from preppath.providers.speech_cache import limit_bytes

    return limit_bytes(ctx.settings.speech_cache_max_mb)


def _plain_path(tts: TextToSpeech, text: str, cache: SpeechCache) -> Path:
    """Where a voice without a cache of its own (eSpeak) keeps `text`: keyed by the engine,
    voice and rate, so a changed setting is a new file, never the old voice."""
    identity = f"{tts.name}:{getattr(tts, 'rate_wpm', '')}"
    return cache.path(" ".join(text.split()), str(getattr(tts, "voice", "")), identity, "pcm")


def cached_speech(tts: TextToSpeech, text: str, cache: SpeechCache) -> Speech | None:
    """The cached audio of `text` in this voice, or None."""
    from preppath.values import Speech

    own = getattr(tts, "cached", None)
    if callable(own):  # a cloud voice keeps its own cache (same folder, its own keys)
        found: Speech | None = own(text)
        return found
    pcm = cache.read(_plain_path(tts, text, cache))
    return Speech(pcm, int(getattr(tts, "sample_rate", 0))) if pcm is not None else None


def synthesise_into_cache(tts: TextToSpeech, text: str, cache: SpeechCache) -> bool:
    """Make sure the cache holds `text` spoken; True when it had to be synthesised."""
    from preppath.providers.base import StreamingTextToSpeech

    if cached_speech(tts, text, cache) is not None:
        return False
    if isinstance(tts, StreamingTextToSpeech):
        for _chunk in tts.pcm_chunks(text):  # its stream writes and commits its cache file
            pass
        return True
    speech = tts.synthesize(text)
    writer = cache.writer(_plain_path(tts, text, cache))
    writer.write(speech.pcm)
    writer.commit()
    return True


def remember_speech(tts: TextToSpeech, text: str, speech: Speech, cache: SpeechCache) -> None:
    """Keep audio synthesised outside a job (a question spoken directly) for a repeat."""
    if getattr(tts, "cached", None) is not None:
        return  # a cloud voice cached it while it streamed
    writer = cache.writer(_plain_path(tts, text, cache))
    writer.write(speech.pcm)
    writer.commit()


class SpeechHandler:
    """Synthesises a question's text (payload: interview_id, position, text) into the cache."""

    def __init__(self) -> None:
        self._tts: TextToSpeech | None = None
        self._lock = threading.Lock()

    def _get_tts(self, ctx: AppContext) -> TextToSpeech:
        from preppath.jobs.handlers import without_sdk_retries
        from preppath.providers import factory

        with self._lock:  # built once per pool, by whichever worker needs it first
            if self._tts is None:
                self._tts = without_sdk_retries(factory.text_to_speech(ctx.settings, ctx.paths))
            return self._tts

    def prepare(self, ctx: AppContext, job: Job) -> Apply:
        made = synthesise_into_cache(
            self._get_tts(ctx), str(job.payload["text"]), speech_cache(ctx)
        )
        result = {"position": job.payload.get("position"), "synthesised": made}
        return lambda db: (result, None)

    def failed(self, db: sqlite3.Connection, job: Job, reason: str) -> None:
        return None  # nothing waits on it: the question is synthesised when it is asked

    def requeued(self, db: sqlite3.Connection, job: Job) -> None:
        return None
