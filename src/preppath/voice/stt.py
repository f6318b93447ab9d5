"""Offline speech-to-text with pocketsphinx 5 and its bundled en-us model, with word timings.

Two entry points share one recogniser:
- `PocketsphinxSTT.transcribe_file` for files (whole-utterance decoding, batch CMN: most accurate);
- `StreamingTranscriber` for live answers: audio is cut into utterances at pauses by the VAD
  endpointer and decoded on a worker thread while the person speaks, so at the stop only the
  last fraction of a second is left to decode.

Vocabulary biasing: each vocabulary word already in the dictionary is added again under an alias
(`word~bias`) with pocketsphinx's default unigram weight, which is far likelier than the LM's
estimate for rare words (names, jargon) and irrelevant for common ones. On the shared Austen clips
six rare passage words lowered WER from 0.197 to 0.169 (0.268 -> 0.183 with pocketsphinx's
default two-pass search); six unrelated terms left it unchanged (bench/bench_voice.py). Words
missing from the dictionary cannot be added (no letter-to-sound model ships) and are skipped.
"""

from __future__ import annotations

import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pocketsphinx import Decoder, Endpointer, Vad

from preppath.errors import ExitCode, PrepPathError
from preppath.providers.base import Transcript, Word
from preppath.voice.decode import DEFAULT_MAX_SECONDS, TARGET_RATE, load_audio

FRAMES_PER_SECOND = 100  # pocketsphinx's feature frame rate
ALIAS_SUFFIX = "~bias"  # "~" never occurs in cmudict, so an alias cannot clash with a real word
MAX_VOCABULARY = 300
WHOLE_FILE_MAX_S = 30.0  # longer files are cut at pauses so memory and latency stay bounded
_FEED_BYTES = TARGET_RATE // 10 * 2  # hand the decoder 0.1 s at a time, not 30 ms VAD frames
_PREROLL_BYTES = int(0.2 * TARGET_RATE) * 2
_VARIANT = re.compile(r"\(\d+\)$")
_TOKEN = re.compile(r"[a-z][a-z']*")

# Single-pass search (no fwdflat/bestpath passes): those run inside end_utt and took 2.8 s for a
# 60-s utterance; without them it is instant and WER on the shared clips went from 0.27 to 0.20
# (71 words, so read that as "not worse"). maxhmmpf 3000 (default 30 000) nearly halves CPU time
# with identical output on those clips.
DECODER_OPTIONS: Mapping[str, Any] = {"fwdflat": False, "bestpath": False, "maxhmmpf": 3000}


def _is_filler_token(word: str) -> bool:
    """Silence and noise tokens: <s>, </s>, <sil>, [NOISE], [SPEECH], ++GARBAGE++."""
    return word.startswith(("<", "[", "+"))


def vocabulary_words(vocabulary: Sequence[str]) -> tuple[str, ...]:
    """Lower-case single words from terms and phrases ("Load balancer" -> load, balancer)."""
    seen: dict[str, None] = {}
    for term in vocabulary:
        for token in _TOKEN.findall(term.lower()):
            seen.setdefault(token.strip("'"), None)
    return tuple(w for w in seen if w)[:MAX_VOCABULARY]


class _Recognizer:
    """A pocketsphinx decoder with one vocabulary boosted; used by one transcription at a time."""

    def __init__(self, vocabulary: tuple[str, ...], options: Mapping[str, Any]) -> None:
        try:
            self.decoder = Decoder(loglevel="FATAL", **options)
        except (RuntimeError, OSError, ValueError) as exc:
            raise PrepPathError(
                f"pocketsphinx could not load its en-us model: {exc}", ExitCode.UNAVAILABLE
            ) from exc
        self.lock = threading.Lock()
        self.vocabulary = vocabulary
        known = [(w, self.decoder.lookup_word(w)) for w in vocabulary]
        self.unknown = tuple(w for w, phones in known if phones is None)
        boosted = [(w, phones) for w, phones in known if phones is not None]
        for i, (word, phones) in enumerate(boosted):
            # Rebuilding the search once, after the last word, instead of after each one.
            self.decoder.add_word(word + ALIAS_SUFFIX, phones, i == len(boosted) - 1)

    def words(self, offset_s: float) -> list[Word]:
        found: list[Word] = []
        for seg in self.decoder.seg():
            token = str(seg.word)
            if _is_filler_token(token):
                continue
            token = _VARIANT.sub("", token).removesuffix(ALIAS_SUFFIX)
            start = offset_s + seg.start_frame / FRAMES_PER_SECOND
            end = offset_s + (seg.end_frame + 1) / FRAMES_PER_SECOND
            found.append(Word(token, round(start, 2), round(end, 2)))
        return found

    def decode_whole(self, pcm: bytes, offset_s: float = 0.0) -> list[Word]:
        self.decoder.start_utt()
        if pcm:
            self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        return self.words(offset_s)


_CacheKey = tuple[tuple[str, ...], tuple[tuple[str, Any], ...]]
_cache: OrderedDict[_CacheKey, _Recognizer] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 2  # the current question's vocabulary and the plain one (typed/imported answers)
_shared_cmn: str | None = None
"""Cepstral mean from the last live answer: the next one starts adapted to this microphone."""


def _acquire(vocabulary: Sequence[str]) -> _Recognizer:
    """A free recogniser for this vocabulary, building one (about 0.3 s) when none is cached."""
    words, options = vocabulary_words(vocabulary), dict(DECODER_OPTIONS)
    key = (words, tuple(sorted(options.items())))
    with _cache_lock:
        rec = _cache.get(key)
        if rec is not None and rec.lock.acquire(blocking=False):
            _cache.move_to_end(key)
            return rec
    rec = _Recognizer(words, options)
    rec.lock.acquire()
    with _cache_lock:
        _cache[key] = rec
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return rec


def _forget(rec: _Recognizer) -> None:
    with _cache_lock:
        for key, cached in list(_cache.items()):
            if cached is rec:
                del _cache[key]


def preload(vocabulary: Sequence[str] = ()) -> None:
    """Build the recogniser ahead of time (e.g. while the question is being spoken)."""
    _acquire(vocabulary).lock.release()


class _Utterances:
    """Cuts pushed audio into utterances at pauses and decodes each (incrementally or whole)."""

    def __init__(self, rec: _Recognizer, *, whole: bool, whole_first: bool = False) -> None:
        self.rec = rec
        self.whole = whole
        # With no cepstral mean known for this microphone, live decoding starts from the model's
        # default and garbles the first words; decoding the first utterance whole measures it.
        self.whole_first = whole_first
        self.batch = whole  # how the current utterance is decoded
        self.ep = Endpointer(vad_mode=Vad.LOOSE, sample_rate=TARGET_RATE)
        self.frame_bytes: int = self.ep.frame_bytes
        self.pending = bytearray()
        self.history = bytearray()  # the last second of input, for pre-roll before an onset
        self.history_end = 0  # bytes pushed so far (the end of `history`)
        self.speech = bytearray()  # not yet handed to the decoder
        self.in_utt = False
        self.utt_bytes = 0
        self.offset_s = 0.0
        self.last_end_s = 0.0
        self.decoded = 0  # utterances finished
        self.words: list[Word] = []

    def push(self, pcm: bytes) -> None:
        self.pending += pcm
        fb = self.frame_bytes
        while len(self.pending) >= fb:
            frame = bytes(self.pending[:fb])
            del self.pending[:fb]
            self.history += frame
            self.history_end += len(frame)
            del self.history[: -TARGET_RATE * 2]
            self._handle(self.ep.process(frame), self.ep.in_speech)

    def close(self) -> list[Word]:
        # end_stream also returns the speech the endpointer still holds in its 0.3 s window.
        # It rejects an empty frame, so audio ending on a frame boundary gets 30 ms of silence.
        self._handle(self.ep.end_stream(bytes(self.pending) or bytes(self.frame_bytes)), False)
        self.pending.clear()
        self._end()
        return self.words

    def abort(self) -> None:
        """Leave the decoder ready for the next user without decoding what is left."""
        if self.in_utt and not self.batch:
            self.rec.decoder.end_utt()
        self.in_utt = False

    def _handle(self, speech: bytes | None, in_speech: bool) -> None:
        if speech:
            if not self.in_utt:
                self.offset_s = float(self.ep.speech_start)
                self._begin()
                lead = self._preroll()
                self.offset_s -= len(lead) / 2 / TARGET_RATE
                speech = lead + speech
            self.speech += speech
            self.utt_bytes += len(speech)
            if not self.batch and len(self.speech) >= _FEED_BYTES:
                self.rec.decoder.process_raw(bytes(self.speech))
                self.speech.clear()
        if self.in_utt and not in_speech:
            self._end()

    def _begin(self) -> None:
        self.in_utt, self.utt_bytes = True, 0
        self.batch = self.whole or (self.whole_first and self.decoded == 0)
        if not self.batch:
            self.rec.decoder.start_utt()

    def _preroll(self) -> bytes:
        """Audio just before the detected onset: the VAD can clip a soft first word ("and")."""
        start = int(float(self.ep.speech_start) * TARGET_RATE) * 2
        first = max(start - _PREROLL_BYTES, int(self.last_end_s * TARGET_RATE) * 2)
        history_start = self.history_end - len(self.history)
        first = max(first, history_start)
        if first >= start:
            return b""
        return bytes(self.history[first - history_start : start - history_start])

    def _end(self) -> None:
        if not self.in_utt:
            return
        if self.batch:
            self.words += self.rec.decode_whole(bytes(self.speech), self.offset_s)
        else:
            if self.speech:
                self.rec.decoder.process_raw(bytes(self.speech))
            self.rec.decoder.end_utt()
            self.words += self.rec.words(self.offset_s)
        self.last_end_s = self.offset_s + self.utt_bytes / 2 / TARGET_RATE
        self.decoded += 1
        self.speech.clear()
        self.in_utt = False


def _transcript(words: list[Word], n_samples: int) -> Transcript:
    return Transcript(" ".join(w.word for w in words), words, round(n_samples / TARGET_RATE, 3))


def transcribe_pcm(samples: npt.NDArray[np.int16], *, vocabulary: Sequence[str] = ()) -> Transcript:
    """Transcribe 16 kHz mono int16 samples already in memory."""
    pcm = samples.astype("<i2", copy=False).tobytes()
    rec = _acquire(vocabulary)
    try:
        if len(samples) <= WHOLE_FILE_MAX_S * TARGET_RATE:
            words = rec.decode_whole(pcm)
        else:
            utts = _Utterances(rec, whole=True)
            utts.push(pcm)
            words = utts.close()
    finally:
        rec.lock.release()
    return _transcript(words, len(samples))


class PocketsphinxSTT:
    """Implements `SpeechToText` offline; real-time factor about 0.2 on this kind of machine."""

    name = "pocketsphinx"

    def __init__(self, *, max_seconds: float | None = DEFAULT_MAX_SECONDS) -> None:
        self.max_seconds = max_seconds

    def transcribe_file(self, path: Path, *, vocabulary: Sequence[str] = ()) -> Transcript:
        audio = load_audio(Path(path), max_seconds=self.max_seconds)
        return transcribe_pcm(audio.samples, vocabulary=vocabulary)

    def streaming(self, *, vocabulary: Sequence[str] = ()) -> StreamingTranscriber:
        return StreamingTranscriber(vocabulary=vocabulary)


class StreamingTranscriber:
    """Decode while recording: `feed()` audio as it arrives, `finish()` right after the stop.

    `feed` only queues (safe from any thread, never blocks the audio path); a worker thread does
    the decoding. Use as a context manager, or call `finish()`/`cancel()` yourself.
    """

    def __init__(self, *, vocabulary: Sequence[str] = ()) -> None:
        self._rec = _acquire(vocabulary)
        self._cold = _shared_cmn is None
        if _shared_cmn is not None:
            self._rec.decoder.set_cmn(_shared_cmn)
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._samples = 0
        self._words: list[Word] = []
        self._error: BaseException | None = None
        self._cancelled = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="preppath-stt", daemon=True)
        self._thread.start()

    @property
    def unknown_vocabulary(self) -> tuple[str, ...]:
        """Vocabulary words the dictionary lacks, so no bias could be applied to them."""
        return self._rec.unknown

    def feed(self, pcm: bytes | npt.NDArray[np.int16]) -> None:
        if self._closed:
            raise RuntimeError("feed() after finish()")
        data = pcm if isinstance(pcm, bytes) else pcm.astype("<i2", copy=False).tobytes()
        self._samples += len(data) // 2
        self._queue.put(data)

    def _run(self) -> None:
        global _shared_cmn
        utts = _Utterances(self._rec, whole=False, whole_first=self._cold)
        try:
            while (item := self._queue.get()) is not None:
                if not self._cancelled:
                    utts.push(item)
            if self._cancelled:
                utts.abort()
            else:
                self._words = utts.close()
                _shared_cmn = str(self._rec.decoder.get_cmn(False))
        except BaseException as exc:  # reported to the caller of finish(), not printed by threading
            self._error = exc
            _forget(self._rec)  # its decoder may be stuck mid-utterance
        finally:
            self._rec.lock.release()

    def finish(self, timeout: float | None = 60.0) -> Transcript:
        """Wait for the last utterance to be decoded and return the whole transcript."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise PrepPathError("speech recognition did not finish in time", ExitCode.ERROR)
        if self._error is not None:
            raise PrepPathError(f"speech recognition failed: {self._error}") from self._error
        return _transcript(self._words, self._samples)

    def cancel(self) -> None:
        """Stop without a result (the answer was discarded); returns once the worker has quit."""
        self._cancelled = True
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        self._thread.join()

    def __enter__(self) -> StreamingTranscriber:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._closed:
            self.cancel()
