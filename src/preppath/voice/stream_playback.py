"""Playing speech while it is still arriving: the first words sound after the first chunk, not
after the whole download (a cloud voice sends a long question over a second or more).

The network side appends to a buffer; PortAudio's callback thread takes from it. Playback waits
for `PREBUFFER_S` of audio (or the end of the stream) so a slightly slow network does not stutter
on the first word; if the buffer ever runs dry the callback plays silence until more arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from preppath.errors import ExitCode, PrepPathError
from preppath.values import Speech
from preppath.voice.devices import load_sounddevice, resolve_device, voice_status
from preppath.voice.playback import PlaybackResult, play_speech

PREBUFFER_S = 0.25
_DRAIN_GRACE_S = 5.0  # a device that never reports "finished" is given up on after this


class _Buffer:
    """Samples handed over from the network thread to the audio callback."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data = bytearray()
        self.ended = False
        self.played = 0  # samples
        self.first: float | None = None
        self.first_audio = threading.Event()

    def take(self, frames: int) -> tuple[bytes, bool]:
        """Up to `frames` samples, and whether the stream had ended when they were taken (read
        together: a chunk appended just before the end must not be mistaken for the end)."""
        with self.lock:
            chunk = bytes(self.data[: frames * 2])
            del self.data[: frames * 2]
            return chunk, self.ended


def play_chunks(
    chunks: Iterable[bytes],
    sample_rate: int,
    *,
    device: int | str | None = None,
    stop_event: threading.Event | None = None,
) -> PlaybackResult:
    """Play 16-bit mono PCM chunks as they come; returns early once `stop_event` is set.

    A speaker that cannot take `sample_rate` gets the whole audio resampled by `play_speech`
    instead: correct, just not early.
    """
    sd = load_sounddevice()
    index = resolve_device(device, "output")
    if index is None and not voice_status().can_play:
        raise PrepPathError(
            "no speaker found: PortAudio sees no output device (check `preppath audio devices`)",
            ExitCode.UNAVAILABLE,
        )
    try:
        sd.check_output_settings(device=index, channels=1, dtype="int16", samplerate=sample_rate)
    except (sd.PortAudioError, ValueError):
        speech = Speech(b"".join(chunks), sample_rate)
        return play_speech(speech, device=device, stop_event=stop_event)
    return _stream(sd, index, iter(chunks), sample_rate, stop_event)


def _stream(
    sd: Any,
    index: int | None,
    chunks: Any,
    sample_rate: int,
    stop_event: threading.Event | None,
) -> PlaybackResult:
    buffer, done = _Buffer(), threading.Event()
    started = time.perf_counter()

    def stopped() -> bool:
        return stop_event is not None and stop_event.is_set()

    def callback(outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        if stopped():
            outdata.fill(0)
            raise sd.CallbackAbort
        raw, ended = buffer.take(frames)
        samples = np.frombuffer(raw, dtype="<i2")
        outdata[: len(samples), 0] = samples
        outdata[len(samples) :] = 0
        if len(samples):
            buffer.played += len(samples)
            if buffer.first is None:
                buffer.first = time.perf_counter()
                buffer.first_audio.set()
        elif ended:
            raise sd.CallbackStop

    prebuffer = int(PREBUFFER_S * sample_rate) * 2
    stream = None
    received = 0
    try:
        for chunk in chunks:
            if stopped():
                break
            with buffer.lock:
                buffer.data += chunk
            received += len(chunk)
            if stream is None and received >= prebuffer:
                stream = _open(sd, index, sample_rate, callback, done)
        with buffer.lock:
            buffer.ended = True
        if stream is None and received and not stopped():
            stream = _open(sd, index, sample_rate, callback, done)
        if stream is not None:
            deadline = time.perf_counter() + received / 2 / sample_rate + _DRAIN_GRACE_S
            while not done.wait(0.02):
                if stopped() or time.perf_counter() > deadline:
                    stream.abort()
                    break
    except sd.PortAudioError as exc:
        raise PrepPathError(f"cannot play audio: {exc}", ExitCode.UNAVAILABLE) from exc
    finally:
        if stream is not None:
            stream.close()
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # a skipped question stops its download (and is not cached)
    total = received // 2
    return PlaybackResult(
        completed=not stopped() and total > 0 and buffer.played >= total,
        played_s=buffer.played / sample_rate,
        first_audio_s=None if buffer.first is None else buffer.first - started,
    )


def _open(sd: Any, index: int | None, rate: int, callback: Any, done: threading.Event) -> Any:
    stream = sd.OutputStream(
        samplerate=rate,
        device=index,
        channels=1,
        dtype="int16",
        blocksize=1024,
        callback=callback,
        finished_callback=done.set,
    )
    stream.start()
    return stream
