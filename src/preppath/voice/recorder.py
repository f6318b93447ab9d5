"""Recording an answer: microphone -> WAV on disk as it arrives, plus live level and silence stop.

The PortAudio callback only copies each block into a queue; the calling thread writes the file,
runs the silence detector, feeds the streaming decoder and reports progress. The WAV header is
rewritten about once a second, so a crash leaves a playable file missing at most that second.
Limits count frames, not wall-clock time: a test device can deliver minutes of audio in a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import soundfile as sf

from preppath.errors import ExitCode, PrepPathError
from preppath.values import Transcript
from preppath.voice.decode import TARGET_RATE, StreamResampler
from preppath.voice.devices import load_sounddevice, resolve_device
from preppath.voice.stt import StreamingTranscriber
from preppath.voice.vad import SilenceDetector, frame_dbfs

StopReason = Literal["stopped", "silence", "max_length"]
DEFAULT_MAX_SECONDS = 300.0  # the longest target (system design) answer
_BLOCK_S = 0.1  # one PortAudio block: the meter's refresh step
_QUEUE_BLOCKS = 600  # 60 s of audio buffered before the callback starts to wait
_STALL_S = 5.0  # no audio for this long means the microphone went away
_SFC_UPDATE_HEADER_NOW = 0x1060  # libsndfile command; soundfile has no wrapper for it


@dataclass(frozen=True)
class RecordingProgress:
    """Passed to `on_progress` about ten times per second of audio."""

    elapsed_s: float
    level: float
    """Loudness of the last block, 0 (at or below -60 dBFS) to 1 (full scale)."""
    level_dbfs: float
    speaking: bool
    silence_s: float
    max_seconds: float


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    duration_s: float
    frames: int
    sample_rate: int
    size_bytes: int
    sha256: str
    stop_reason: StopReason
    transcript: Transcript | None = None
    dropped_blocks: int = 0
    """Blocks lost because the machine could not keep up (0 in a healthy recording)."""


class _WavWriter:
    """16-bit mono WAV written block by block, header kept current about once a second."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = sf.SoundFile(
            str(path), "w", samplerate=TARGET_RATE, channels=1, subtype="PCM_16", format="WAV"
        )
        self.frames = 0
        self._since_header = 0

    def write(self, samples: npt.NDArray[np.int16]) -> None:
        self._file.write(samples)
        self.frames += len(samples)
        self._since_header += len(samples)
        if self._since_header >= TARGET_RATE:
            self._since_header = 0
            self._file.flush()
            # Private API; without it the header is still fixed at close().
            with contextlib.suppress(AttributeError):
                sf._snd.sf_command(self._file._file, _SFC_UPDATE_HEADER_NOW, sf._ffi.NULL, 0)

    def close(self) -> None:
        self._file.close()


def _level(dbfs: float) -> float:
    return min(1.0, max(0.0, (dbfs + 60.0) / 60.0))


def _open_rate(sd: Any, index: int | None) -> int:
    """16 kHz when the device takes it (ALSA's plug layer usually converts), else its own rate."""
    try:
        sd.check_input_settings(device=index, channels=1, dtype="int16", samplerate=TARGET_RATE)
        return TARGET_RATE
    except (sd.PortAudioError, ValueError):
        try:
            rate = int(sd.query_devices(index, "input")["default_samplerate"])
            sd.check_input_settings(device=index, channels=1, dtype="int16", samplerate=rate)
            return rate
        except (sd.PortAudioError, ValueError) as exc:
            raise PrepPathError(
                f"cannot record: no usable microphone ({exc}); check `preppath audio devices`",
                ExitCode.UNAVAILABLE,
            ) from exc


def _record_loop(
    blocks: queue.Queue[bytes],
    writer: _WavWriter,
    gate: SilenceDetector,
    max_frames: int,
    max_seconds: float,
    silence_stop_s: float | None,
    stop_event: threading.Event | None,
    on_progress: Callable[[RecordingProgress], None] | None,
    decoder: StreamingTranscriber | None,
    resampler: StreamResampler | None = None,
) -> StopReason:
    """Consume blocks until a stop condition; returns which one."""
    last_audio = time.monotonic()
    while True:
        if stop_event is not None and stop_event.is_set():
            return "stopped"
        try:
            data = blocks.get(timeout=0.05)
        except queue.Empty:
            if time.monotonic() - last_audio > _STALL_S:
                raise PrepPathError(
                    "the microphone stopped delivering audio", ExitCode.UNAVAILABLE
                ) from None
            continue
        last_audio = time.monotonic()
        samples = np.frombuffer(data, dtype="<i2").astype(np.int16)
        if resampler is not None:
            samples = resampler.process(samples)
        samples = samples[: max_frames - writer.frames]
        writer.write(samples)
        gate.feed(samples)
        if decoder is not None:
            decoder.feed(samples)
        if on_progress is not None:
            on_progress(_progress(samples, writer.frames, gate, max_seconds))
        if writer.frames >= max_frames:
            return "max_length"
        if silence_stop_s and gate.silence_s >= silence_stop_s:
            return "silence"


def _drain(blocks: queue.Queue[bytes]) -> None:
    while True:
        try:
            blocks.get_nowait()
        except queue.Empty:
            return


def _progress(
    samples: npt.NDArray[np.int16], frames: int, gate: SilenceDetector, max_seconds: float
) -> RecordingProgress:
    dbfs = frame_dbfs(samples)
    return RecordingProgress(
        elapsed_s=frames / TARGET_RATE,
        level=_level(dbfs),
        level_dbfs=dbfs,
        speaking=gate.in_speech,
        silence_s=gate.silence_s,
        max_seconds=max_seconds,
    )


def file_sha256(path: Path) -> str:
    """Checksum stored with each recording (InterviewRecording.sha256)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_answer(
    path: Path,
    *,
    device: int | str | None = None,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    silence_stop_s: float | None = 3.0,
    stop_event: threading.Event | None = None,
    on_progress: Callable[[RecordingProgress], None] | None = None,
    decoder: StreamingTranscriber | None = None,
) -> RecordingResult:
    """Record 16 kHz mono int16 to `path` until `stop_event`, silence after speech, or the limit.

    `silence_stop_s=None` (or 0) disables the silence stop. With a `decoder`, audio is transcribed
    while it is recorded and the result carries the transcript. Blocks until stopped.
    """
    path = Path(path)
    sd = load_sounddevice()
    index = resolve_device(device, "input")
    rate = _open_rate(sd, index)
    resampler = StreamResampler(rate, TARGET_RATE) if rate != TARGET_RATE else None
    max_frames = max(1, round(max_seconds * TARGET_RATE))
    blocks: queue.Queue[bytes] = queue.Queue(maxsize=_QUEUE_BLOCKS)
    stopping = threading.Event()
    dropped = [0]

    def callback(indata: Any, _frames: int, _time: Any, _status: Any) -> None:
        if stopping.is_set():
            return
        try:  # waiting here paces an unpaced test device; a real one never fills the queue
            blocks.put(bytes(indata), timeout=1.0)
        except queue.Full:
            dropped[0] += 1

    try:
        stream = sd.RawInputStream(
            samplerate=rate, device=index, channels=1, dtype="int16",
            blocksize=int(rate * _BLOCK_S), callback=callback,
        )  # fmt: skip
    except sd.PortAudioError as exc:
        raise PrepPathError(f"cannot open the microphone: {exc}", ExitCode.UNAVAILABLE) from exc
    gate = SilenceDetector(TARGET_RATE)
    writer = _WavWriter(path)
    finished = False
    try:
        with stream:
            try:
                reason = _record_loop(
                    blocks, writer, gate, max_frames, max_seconds, silence_stop_s,
                    stop_event, on_progress, decoder, resampler,
                )  # fmt: skip
            finally:
                # What is still buffered came after the stop: drop it, and free a callback
                # that may be waiting on the full queue so the stream can stop at once.
                stopping.set()
                _drain(blocks)
                stream.abort()
        finished = True
    except sd.PortAudioError as exc:
        raise PrepPathError(f"recording failed: {exc}", ExitCode.UNAVAILABLE) from exc
    finally:
        writer.close()
        if not finished and writer.frames == 0:
            path.unlink(missing_ok=True)  # nothing was captured: leave no empty file behind
        if decoder is not None and not finished:
            decoder.cancel()
    transcript = decoder.finish() if decoder is not None else None
    return RecordingResult(
        path=path,
        duration_s=writer.frames / TARGET_RATE,
        frames=writer.frames,
        sample_rate=TARGET_RATE,
        size_bytes=path.stat().st_size,
        sha256=file_sha256(path),
        stop_reason=reason,
        transcript=transcript,
        dropped_blocks=dropped[0],
    )
