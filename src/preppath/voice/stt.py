"""Offline speech-to-text with pocketsphinx 5 and its bundled en-us model, with word timings.

Two entry points, each with its own decoder (see `_acquire`):
- `PocketsphinxSTT.transcribe_file` / `transcribe_pcm` for files: up to 30 s decoded as one
  utterance with batch CMN, longer files cut at pauses;
- `StreamingTranscriber` for live answers: the VAD endpointer cuts the audio into utterances at
  pauses and a worker thread fully decodes each one (`end_utt`, which runs the second pass) as
  soon as it closes, while the person keeps speaking, so at the stop only the last utterance is
  left. An utterance with no pause is cut after 10 s at the first quiet 90 ms, by 16 s at the
  latest, so that last decode stays short.

Search settings are pocketsphinx's defaults (two-pass search: `fwdflat` and `bestpath` run in
`end_utt`), chosen by evidence. On a held-out 44-s human recording cut at pauses, WER was 0.33
with the defaults, 0.44 with the single-pass search used before (`fwdflat=False,
bestpath=False, maxhmmpf=3000`) and 0.34 with `maxhmmpf=3000` alone. On the six shared clips
the single pass looked better, but in bench/bench_voice.py's leave-one-out over them no change
beat the defaults on every clip, and the rule is to keep the defaults unless one does. The cost,
measured there: CPU real-time factor about 0.28 instead of 0.16, and `end_utt` about 0.05 s per
second of utterance (2.3 s for an unbroken 60 s, hence the bound); a 60-s answer fed at real
time was transcribed 0.13 s after its end with pauses, 0.54 s without any.

Vocabulary biasing (each word added again under an alias `word~bias` with the default unigram
weight, far likelier than the LM's estimate for rare words) is off unless asked for
(`bias=True`, as `preppath audio transcribe --vocabulary` does): on the shared clips a clip's
own rare words lowered WER in 6 of 12 decodes (3 clips, as files and live) and changed nothing
in the rest, even where a rare word was wrong ("disposed" in austen-0890), and biasing stays
only where it helps on every clip. A bank question's 138 words changed nothing either. Words
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
from preppath.values import Transcript, Word
from preppath.voice.decode import DEFAULT_MAX_SECONDS, TARGET_RATE, load_audio

FRAMES_PER_SECOND = 100  # pocketsphinx's feature frame rate
ALIAS_SUFFIX = "~bias"  # "~" never occurs in cmudict, so an alias cannot clash with a real word
MAX_VOCABULARY = 300
WHOLE_FILE_MAX_S = 30.0  # longer files are cut at pauses so memory and latency stay bounded
_FEED_BYTES = TARGET_RATE // 10 * 2  # hand the decoder 0.1 s at a time, not 30 ms VAD frames
_PREROLL_BYTES = int(0.2 * TARGET_RATE) * 2
_VARIANT = re.compile(r"\(\d+\)$")
_TOKEN = re.compile(r"[a-z][a-z']*")

# pocketsphinx's own search settings (see the module docstring for the measurements).
DECODER_OPTIONS: Mapping[str, Any] = {}
BIAS_VOCABULARY = False  # whether `vocabulary` biases recognition unless a call says otherwise
# Bounded utterances: from CUT_AFTER_S on, an utterance still going is cut in the middle of the
# first _QUIET_RUN frames (90 ms) all 15 dB below its median frame, a gap between words (on the
# shared clips with their pauses removed: one such gap every 1.9 s, 2 of 11 inside a word as the
# decoder segments it), at the latest at MAX_UTTERANCE_S, at the quietest 90 ms of its last
# half second (after CUT_AFTER_S the decoder is handed audio 0.5 s late, so the cut can fall there).
CUT_AFTER_S = 10.0
MAX_UTTERANCE_S = 16.0
_LOOKBACK_BYTES = TARGET_RATE // 2 * 2
_CUT_FRAME_BYTES = 480 * 2  # 30 ms, the grid on which cut points are measured
_QUIET_RUN = 3
_QUIET_RATIO = 10 ** (-15 / 10)  # 15 dB below the median frame's energy


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


_CacheKey = tuple[tuple[str, ...], tuple[tuple[str, Any], ...], bool]
_cache: OrderedDict[_CacheKey, _Recognizer] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 3  # live and file recognisers, and one with a vocabulary asked for explicitly
_shared_cmn: str | None = None
"""Cepstral mean from the last live answer: the next one starts adapted to this microphone."""


def _acquire(vocabulary: Sequence[str], *, live: bool, bias: bool | None) -> _Recognizer:
    """A free recogniser for this vocabulary, building one (about 0.3 s) when none is cached.

    Live and file decoding never share a decoder: once a pocketsphinx decoder has been fed audio
    incrementally, its later whole-utterance decodes no longer match a fresh decoder's.
    """
    use_bias = BIAS_VOCABULARY if bias is None else bias
    words = vocabulary_words(vocabulary) if use_bias else ()
    options = dict(DECODER_OPTIONS)
    key = (words, tuple(sorted(options.items())), live)
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


def preload(vocabulary: Sequence[str] = (), *, bias: bool | None = None) -> None:
    """Build the live recogniser ahead of time (e.g. while the question is being spoken), and
    for the first answer the file one that decodes its first utterance."""
    _acquire(vocabulary, live=True, bias=bias).lock.release()
    if _shared_cmn is None:
        _acquire(vocabulary, live=False, bias=bias).lock.release()


class _Utterances:
    """Cuts pushed audio into bounded utterances at pauses and decodes each one as it closes."""

    def __init__(self, rec: _Recognizer, *, whole: bool, first: _Recognizer | None = None) -> None:
        self.rec = rec
        self.whole = whole
        # With no cepstral mean known for this microphone, live decoding starts from the model's
        # default and garbles the first words; decoding the first utterance whole (on `first`, a
        # file recogniser) measures it, and `rec` starts from that mean. Not on `rec` itself: a
        # decoder fed whole utterances and then incrementally can crash in pocketsphinx 5.1.1's
        # live CMN (seen here after a cut that left no pause between the two).
        self.first = first
        self.batch = whole  # how the current utterance is decoded
        self.ep = Endpointer(vad_mode=Vad.LOOSE, sample_rate=TARGET_RATE)
        self.frame_bytes: int = self.ep.frame_bytes
        self.pending = bytearray()
        self.history = bytearray()  # the last second of input, for pre-roll before an onset
        self.history_end = 0  # bytes pushed so far (the end of `history`)
        self.speech = bytearray()  # this utterance's audio not yet handed to the decoder
        self.in_utt = False
        self.utt_bytes = 0
        self.offset_s = 0.0
        self.last_end_s = 0.0
        self.decoded = 0  # utterances finished
        self.spans: list[tuple[float, float]] = []  # (start, end) seconds of each utterance
        self.words: list[Word] = []
        self.unmeasured = bytearray()  # the utterance's tail not yet a whole 30-ms frame
        self.energy: list[float] = []  # mean square of each 30-ms frame of the utterance
        self.quiet: float | None = None  # energy below which a frame counts as quiet

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
            self._add(speech)
        if self.in_utt and not in_speech:
            self._end()

    def _add(self, speech: bytes) -> None:
        self.speech += speech
        self.utt_bytes += len(speech)
        self.unmeasured += speech
        fb = _CUT_FRAME_BYTES
        while len(self.unmeasured) >= fb:
            frame = np.frombuffer(bytes(self.unmeasured[:fb]), "<i2").astype(np.float64)
            del self.unmeasured[:fb]
            self.energy.append(float(np.dot(frame, frame)) / len(frame))
            cut = self._cut_point()
            if cut is not None:
                self._split(cut)
        if self.batch:
            return
        # Past CUT_AFTER_S the last _LOOKBACK_BYTES wait, so a cut can still fall inside them.
        limit = self.utt_bytes
        cut_after = int(CUT_AFTER_S * TARGET_RATE * 2)
        if limit > cut_after:
            limit = max(cut_after, limit - _LOOKBACK_BYTES)
        ready = limit - (self.utt_bytes - len(self.speech))
        if ready >= _FEED_BYTES:
            self.rec.decoder.process_raw(bytes(self.speech[:ready]))
            del self.speech[:ready]

    def _cut_point(self) -> int | None:
        """Where to cut the utterance (bytes from its start), once it has grown long."""
        first = int(CUT_AFTER_S * TARGET_RATE * 2) // _CUT_FRAME_BYTES
        last = len(self.energy) - 1  # the frame just measured
        if last < first:
            return None
        if self.quiet is None:
            self.quiet = float(np.median(self.energy[:first])) * _QUIET_RATIO
        start = last - _QUIET_RUN + 1
        if start >= first and max(self.energy[start:]) <= self.quiet:
            return (start + _QUIET_RUN // 2) * _CUT_FRAME_BYTES  # the middle of the quiet run
        if (last + 1) * _CUT_FRAME_BYTES >= MAX_UTTERANCE_S * TARGET_RATE * 2:
            fed = self.utt_bytes - len(self.speech)
            lo = max(first, -(-fed // _CUT_FRAME_BYTES))  # the quietest run not yet decoded
            if last + 1 - lo < _QUIET_RUN:
                return (last + 1) * _CUT_FRAME_BYTES
            runs = np.convolve(self.energy[lo:], np.ones(_QUIET_RUN), "valid")
            return (lo + int(np.argmin(runs)) + _QUIET_RUN // 2) * _CUT_FRAME_BYTES
        return None

    def _split(self, cut: int) -> None:
        """Decode the utterance up to `cut` now and carry on with the rest as a new one."""
        head = cut - (self.utt_bytes - len(self.speech))  # the cut is never in audio already fed
        tail, energy, unmeasured = bytes(self.speech[head:]), self.energy, bytes(self.unmeasured)
        del self.speech[head:]
        self.utt_bytes = cut
        offset_s = self.offset_s
        self._end()
        self.offset_s = offset_s + cut / 2 / TARGET_RATE
        self._begin()
        self.speech += tail
        self.utt_bytes = len(tail)
        self.energy = energy[cut // _CUT_FRAME_BYTES :]
        self.unmeasured += unmeasured

    def _begin(self) -> None:
        self.in_utt, self.utt_bytes = True, 0
        self.energy, self.quiet = [], None
        self.unmeasured.clear()
        self.batch = self.whole or (self.first is not None and self.decoded == 0)
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
        """Decode the utterance completely (the second pass runs in end_utt)."""
        if not self.in_utt:
            return
        if self.batch:
            rec = self.rec if self.whole or self.first is None else self.first
            self.words += rec.decode_whole(bytes(self.speech), self.offset_s)
            if rec is not self.rec:
                self.rec.decoder.set_cmn(str(rec.decoder.get_cmn(False)))
        else:
            if self.speech:
                self.rec.decoder.process_raw(bytes(self.speech))
            self.rec.decoder.end_utt()
            self.words += self.rec.words(self.offset_s)
        self.last_end_s = self.offset_s + self.utt_bytes / 2 / TARGET_RATE
        self.spans.append((self.offset_s, self.last_end_s))
        self.decoded += 1
        self.speech.clear()
        self.in_utt = False


def _transcript(words: list[Word], n_samples: int) -> Transcript:
    return Transcript(" ".join(w.word for w in words), words, round(n_samples / TARGET_RATE, 3))


def transcribe_pcm(
    samples: npt.NDArray[np.int16], *, vocabulary: Sequence[str] = (), bias: bool | None = None
) -> Transcript:
    """Transcribe 16 kHz mono int16 samples already in memory.

    `vocabulary` biases recognition toward its words when `bias` (default `BIAS_VOCABULARY`).
    """
    pcm = samples.astype("<i2", copy=False).tobytes()
    rec = _acquire(vocabulary, live=False, bias=bias)
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
    """Implements `SpeechToText` offline; CPU real-time factor about 0.3 on this kind of machine."""

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
    the decoding, finishing each utterance as soon as the endpointer closes it. Use as a context
    manager, or call `finish()`/`cancel()` yourself.
    """

    def __init__(self, *, vocabulary: Sequence[str] = (), bias: bool | None = None) -> None:
        self._rec = _acquire(vocabulary, live=True, bias=bias)
        self._first: _Recognizer | None = None
        if _shared_cmn is not None:
            self._rec.decoder.set_cmn(_shared_cmn)
        else:
            try:
                self._first = _acquire(vocabulary, live=False, bias=bias)
            except BaseException:
                self._rec.lock.release()
                raise
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._samples = 0
        self._words: list[Word] = []
        self._spans: list[tuple[float, float]] = []
        self._error: BaseException | None = None
        self._cancelled = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="preppath-stt", daemon=True)
        self._thread.start()

    @property
    def unknown_vocabulary(self) -> tuple[str, ...]:
        """Vocabulary words the dictionary lacks, so no bias could be applied to them (only
        words asked to bias are looked up: empty when biasing is off)."""
        return self._rec.unknown

    @property
    def utterances(self) -> list[tuple[float, float]]:
        """(start, end) seconds of each utterance decoded, once `finish()` has returned."""
        return list(self._spans)

    def feed(self, pcm: bytes | npt.NDArray[np.int16]) -> None:
        if self._closed:
            raise RuntimeError("feed() after finish()")
        data = pcm if isinstance(pcm, bytes) else pcm.astype("<i2", copy=False).tobytes()
        self._samples += len(data) // 2
        self._queue.put(data)

    def _run(self) -> None:
        global _shared_cmn
        utts = _Utterances(self._rec, whole=False, first=self._first)
        try:
            while (item := self._queue.get()) is not None:
                if not self._cancelled:
                    utts.push(item)
            if self._cancelled:
                utts.abort()
            else:
                self._words = utts.close()
                self._spans = utts.spans
                _shared_cmn = str(self._rec.decoder.get_cmn(False))
        except BaseException as exc:  # reported to the caller of finish(), not printed by threading
            self._error = exc
            _forget(self._rec)  # its decoder may be stuck mid-utterance
            if self._first is not None:
                _forget(self._first)
        finally:
            self._rec.lock.release()
            if self._first is not None:
                self._first.lock.release()

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
