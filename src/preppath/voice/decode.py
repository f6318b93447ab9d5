"""Audio files in, 16 kHz mono int16 out, through PyAV (FFmpeg in-process, no shell-out).

Every problem with a file becomes one `PrepPathError(..., INVALID)` line naming the file and the
fix, so `audio import` and `audio transcribe` never show a decoder's traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from preppath.errors import ExitCode, PrepPathError

TARGET_RATE = 16_000
# The original service accepted what OpenAI's transcription endpoint accepts, plus Ogg's aliases.
SUPPORTED_EXTENSIONS = (
    ".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".opus", ".wav", ".webm",
)  # fmt: skip
CLOUD_MAX_BYTES = 25 * 1024 * 1024  # OpenAI's upload limit, kept for local imports too
DEFAULT_MAX_SECONDS = 900.0  # three times the longest target answer (system design, 300 s)
SILENCE_DBFS = -55.0  # loudest 50 ms window quieter than this: nothing was captured
_WINDOW = TARGET_RATE // 20

Int16Array = npt.NDArray[np.int16]


@dataclass(frozen=True)
class AudioInfo:
    """What validation learned about a file; `duration_s` is of the decoded audio."""

    path: Path
    container: str
    codec: str
    duration_s: float
    source_sample_rate: int
    channels: int
    size_bytes: int
    peak_dbfs: float

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "container": self.container,
            "codec": self.codec,
            "duration_s": round(self.duration_s, 3),
            "source_sample_rate": self.source_sample_rate,
            "channels": self.channels,
            "size_bytes": self.size_bytes,
            "peak_dbfs": round(self.peak_dbfs, 1),
        }


@dataclass(frozen=True)
class DecodedAudio:
    info: AudioInfo
    samples: Int16Array  # mono, TARGET_RATE

    @property
    def pcm(self) -> bytes:
        return self.samples.astype("<i2", copy=False).tobytes()


def _invalid(message: str) -> PrepPathError:
    return PrepPathError(message, ExitCode.INVALID)


def _check_file(path: Path, max_bytes: int | None) -> int:
    if not path.exists():
        raise _invalid(f"audio file not found: {path}")
    if not path.is_file():
        raise _invalid(f"not an audio file (a directory?): {path}")
    size = path.stat().st_size
    if size == 0:
        raise _invalid(f"audio file is empty: {path}")
    if max_bytes is not None and size > max_bytes:
        raise _invalid(
            f"audio file is {size / 2**20:.1f} MB, "
            f"over the {max_bytes / 2**20:.0f} MB limit: {path}"
        )
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        kinds = "WAV, FLAC, OGG, MP3, WebM or M4A"
        raise _invalid(f"unsupported audio format {path.suffix or '(none)'!r}; use {kinds}: {path}")
    return size


def _too_long(path: Path, seconds: float, limit: float) -> PrepPathError:
    return _invalid(f"audio is {seconds:.0f} s long, over the {limit:.0f} s limit: {path}")


def peak_window_dbfs(samples: Int16Array) -> float:
    """Loudness of the loudest 50 ms window, in dB relative to full scale (-inf for silence)."""
    usable = len(samples) - len(samples) % _WINDOW
    if usable == 0:
        windows = samples.astype(np.float64).reshape(1, -1)
    else:
        windows = samples[:usable].astype(np.float64).reshape(-1, _WINDOW)
    if windows.size == 0:
        return -math.inf
    rms = float(np.sqrt((windows**2).mean(axis=1)).max())
    return 20 * math.log10(rms / 32768) if rms > 0 else -math.inf


def load_audio(
    path: Path,
    *,
    max_bytes: int | None = None,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
    reject_silence: bool = True,
) -> DecodedAudio:
    """Check and decode any supported file to 16 kHz mono int16, or raise one INVALID line."""
    path = Path(path)
    size = _check_file(path, max_bytes)
    chunks: list[Int16Array] = []
    decoded = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise _invalid(f"file has no audio track: {path}")
            stream = container.streams.audio[0]
            if (
                max_seconds is not None
                and container.duration is not None
                and container.duration / av.time_base > max_seconds + 1
            ):
                raise _too_long(path, container.duration / av.time_base, max_seconds)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1).astype(np.int16, copy=False))
                    decoded += out.samples
                # Containers can lie about duration: stop decoding as soon as the limit is passed.
                if max_seconds is not None and decoded > (max_seconds + 1) * TARGET_RATE:
                    raise _too_long(path, decoded / TARGET_RATE, max_seconds)
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.int16, copy=False))
            codec = stream.codec_context.name
            rate = int(stream.codec_context.sample_rate or 0)
            channels = int(stream.codec_context.channels or 0)
            fmt = container.format.name
    except PrepPathError:
        raise
    except (av.error.FFmpegError, ValueError, OSError, EOFError) as exc:
        reason = str(getattr(exc, "strerror", None) or exc or type(exc).__name__)
        reason = " ".join(reason.split())  # one line, whatever FFmpeg said
        raise _invalid(f"cannot decode audio (corrupt or not audio: {reason}): {path}") from exc
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    duration = len(samples) / TARGET_RATE
    if len(samples) == 0:
        raise _invalid(f"file holds no audio samples: {path}")
    if max_seconds is not None and duration > max_seconds:
        raise _too_long(path, duration, max_seconds)
    peak = peak_window_dbfs(samples)
    if reject_silence and peak < SILENCE_DBFS:
        raise _invalid(f"audio is silent (loudest moment {peak:.0f} dBFS); nothing to hear: {path}")
    info = AudioInfo(path, fmt, codec, duration, rate, channels, size, peak)
    return DecodedAudio(info, samples)


def validate_audio_file(
    path: Path,
    *,
    max_bytes: int | None = CLOUD_MAX_BYTES,
    max_seconds: float | None = DEFAULT_MAX_SECONDS,
) -> AudioInfo:
    """Missing, empty, too big, unsupported, corrupt, over-long or silent: one INVALID line."""
    return load_audio(path, max_bytes=max_bytes, max_seconds=max_seconds).info


class StreamResampler:
    """Stateful int16 mono resampler for live audio (a device that cannot do 16 kHz itself)."""

    def __init__(self, source_rate: int, target_rate: int) -> None:
        self.source_rate = source_rate
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=target_rate)

    def process(self, samples: Int16Array | None) -> Int16Array:
        """Resample one block; pass None at the end to flush what the filter holds back."""
        frame = None
        if samples is not None:
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples, dtype=np.int16).reshape(1, -1),
                format="s16",
                layout="mono",
            )
            frame.sample_rate = self.source_rate
        outs = [o.to_ndarray().reshape(-1) for o in self._resampler.resample(frame)]
        return np.concatenate(outs).astype(np.int16) if outs else np.zeros(0, dtype=np.int16)


def resample(samples: Int16Array, source_rate: int, target_rate: int) -> Int16Array:
    """Whole-buffer resampling (used when a speaker cannot play eSpeak's 22 050 Hz)."""
    if source_rate == target_rate:
        return samples
    r = StreamResampler(source_rate, target_rate)
    return np.concatenate([r.process(samples), r.process(None)])
