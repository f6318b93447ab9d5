"""Playing speech through the speakers, stoppable from another thread (a key skips the question)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np

from preppath.errors import ExitCode, PrepPathError
from preppath.values import Speech
from preppath.voice.decode import resample
from preppath.voice.devices import load_sounddevice, resolve_device, voice_status
from preppath.voice.tts import EspeakTTS

_DRAIN_GRACE_S = 5.0  # a device that never reports "finished" is given up on after this


@dataclass(frozen=True)
class PlaybackResult:
    completed: bool
    """False when `stop_event` cut it short (or the device stalled)."""
    played_s: float
    first_audio_s: float | None
    """From `play()` to the first samples handed to the device."""


@dataclass(frozen=True)
class SpokenResult:
    completed: bool
    played_s: float
    speech_s: float
    first_chunk_s: float
    """Synthesis start to eSpeak's first PCM chunk."""
    first_audio_s: float | None
    """Synthesis start to the first samples handed to the device."""


class _Cursor:
    """Playback position shared between the caller and PortAudio's callback thread."""

    def __init__(self) -> None:
        self.pos = 0
        self.first: float | None = None


class Player:
    """One output device at one sample rate; open it with `with`, then `play()` clips on it.

    A fresh PortAudio stream is started per clip rather than kept running between clips: an
    unpaced device (the ALSA file device in tests) would otherwise write silence as fast as the
    CPU allows for as long as the player is open.
    """

    def __init__(self, sample_rate: int, *, device: int | str | None = None, blocksize: int = 1024):
        self.sample_rate = sample_rate
        self.device = device
        self.blocksize = blocksize
        self._sd: Any = None
        self._index: int | None = None
        self._device_rate = sample_rate

    @staticmethod
    def is_available() -> bool:
        """True when PortAudio loads and sees at least one output device."""
        return voice_status().can_play

    def __enter__(self) -> Player:
        sd = load_sounddevice()
        self._index = resolve_device(self.device, "output")
        if self._index is None and not voice_status().can_play:
            raise PrepPathError(
                "no speaker found: PortAudio sees no output device "
                "(check `preppath audio devices`)",
                ExitCode.UNAVAILABLE,
            )
        try:
            sd.check_output_settings(
                device=self._index, channels=1, dtype="int16", samplerate=self.sample_rate
            )
        except (sd.PortAudioError, ValueError):
            # e.g. a hw: device locked to 48 kHz: resample eSpeak's 22 050 Hz ourselves.
            try:
                info = sd.query_devices(self._index, "output")
                self._device_rate = int(info["default_samplerate"])
                sd.check_output_settings(
                    device=self._index, channels=1, dtype="int16", samplerate=self._device_rate
                )
            except (sd.PortAudioError, ValueError) as exc:
                raise PrepPathError(
                    f"cannot play audio: no usable speaker ({exc}); check `preppath audio devices`",
                    ExitCode.UNAVAILABLE,
                ) from exc
        self._sd = sd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._sd = None

    def play(self, pcm: bytes, *, stop_event: threading.Event | None = None) -> PlaybackResult:
        """Play 16-bit mono PCM; returns early (completed=False) once `stop_event` is set."""
        sd = self._sd
        if sd is None:
            raise RuntimeError("Player.play() outside `with Player(...)`")
        samples = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
        samples = resample(samples, self.sample_rate, self._device_rate)
        started = time.perf_counter()
        cursor, done = _Cursor(), threading.Event()

        def callback(outdata: Any, frames: int, _time: Any, _status: Any) -> None:
            if stop_event is not None and stop_event.is_set():
                outdata.fill(0)
                raise sd.CallbackAbort
            chunk = samples[cursor.pos : cursor.pos + frames]
            outdata[: len(chunk), 0] = chunk
            outdata[len(chunk) :] = 0
            cursor.pos += len(chunk)
            if cursor.first is None:
                cursor.first = time.perf_counter()
            if cursor.pos >= len(samples):
                raise sd.CallbackStop

        deadline = started + len(samples) / self._device_rate + _DRAIN_GRACE_S
        interrupted = False
        try:
            stream = sd.OutputStream(
                samplerate=self._device_rate,
                device=self._index,
                channels=1,
                dtype="int16",
                blocksize=self.blocksize,
                callback=callback,
                finished_callback=done.set,
            )
            with stream:
                while not done.wait(0.02):
                    if (stop_event is not None and stop_event.is_set()) or (
                        time.perf_counter() > deadline
                    ):
                        interrupted = True
                        stream.abort()
                        break
        except sd.PortAudioError as exc:
            raise PrepPathError(f"cannot play audio: {exc}", ExitCode.UNAVAILABLE) from exc
        completed = not interrupted and cursor.pos >= len(samples)
        if stop_event is not None and stop_event.is_set():
            completed = False
        return PlaybackResult(
            completed=completed,
            played_s=cursor.pos / self._device_rate,
            first_audio_s=None if cursor.first is None else cursor.first - started,
        )


def play_speech(
    speech: Speech, *, device: int | str | None = None, stop_event: threading.Event | None = None
) -> PlaybackResult:
    """Play synthesised speech once; see `Player` to play several clips on one device."""
    with Player(speech.sample_rate, device=device) as player:
        return player.play(speech.pcm, stop_event=stop_event)


def speak(
    text: str,
    *,
    tts: EspeakTTS | None = None,
    device: int | str | None = None,
    stop_event: threading.Event | None = None,
) -> SpokenResult:
    """Synthesise and play a question, timing how long the listener waits for the first sound.

    Synthesis finishes before playback starts: eSpeak needs about 10 ms for a 30-word question, so
    streaming chunks straight to the device would save nothing measurable and complicate stopping.
    """
    tts = tts or EspeakTTS()
    started = time.perf_counter()
    first_chunk: list[float] = []
    chunks: list[bytes] = []

    def collect(chunk: bytes) -> bool:
        if not first_chunk:
            first_chunk.append(time.perf_counter() - started)
        chunks.append(chunk)
        return not (stop_event is not None and stop_event.is_set())

    tts.stream(text, collect)
    speech = Speech(b"".join(chunks), tts.sample_rate)
    before_play = time.perf_counter() - started
    result = play_speech(speech, device=device, stop_event=stop_event)
    return SpokenResult(
        completed=result.completed,
        played_s=result.played_s,
        speech_s=speech.duration_s,
        first_chunk_s=first_chunk[0] if first_chunk else before_play,
        first_audio_s=None if result.first_audio_s is None else before_play + result.first_audio_s,
    )
