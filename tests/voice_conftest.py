"""Helpers for the voice tests: the shared human recordings, fixtures encoded with PyAV, and the
ALSA fake microphone/speaker run in a subprocess (PortAudio reads ALSA's config once, at start-up).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
import soundfile as sf

from preppath.values import Transcript

HUMAN = Path(__file__).resolve().parents[2] / "shared" / "audio" / "human"
ALSA_DIR = Path(__file__).resolve().parent / "fixtures" / "alsa"

requires_human = pytest.mark.skipif(
    not HUMAN.is_dir(), reason=f"shared human recordings not found at {HUMAN}"
)


def austen_clips() -> list[Path]:
    return sorted(HUMAN.glob("austen-*.wav"))


def goforward() -> Path:
    return HUMAN / "goforward.wav"


def reference(wav: Path) -> str:
    return wav.with_suffix(".txt").read_text().strip()


def read_int16(path: Path) -> np.ndarray[Any, np.dtype[np.int16]]:
    samples, _ = sf.read(str(path), dtype="int16")
    return np.asarray(samples, dtype=np.int16)


def speech_only(samples: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.int16]]:
    """What the VAD endpointer keeps of a clip: its speech, without leading/trailing silence."""
    from pocketsphinx import Endpointer, Vad

    ep = Endpointer(vad_mode=Vad.LOOSE)
    n = ep.frame_bytes // 2
    kept = [ep.process(samples[i : i + n].tobytes()) for i in range(0, len(samples) - n + 1, n)]
    kept.append(ep.end_stream(bytes(ep.frame_bytes)))
    return np.frombuffer(b"".join(k for k in kept if k), np.int16)


# (container, codec, suffix); Ogg carries Opus because FFmpeg's own Vorbis encoder is stereo-only.
FORMATS = {
    "wav": ("wav", "pcm_s16le", ".wav"),
    "flac": ("flac", "flac", ".flac"),
    "ogg": ("ogg", "libopus", ".ogg"),
    "mp3": ("mp3", "libmp3lame", ".mp3"),
    "webm": ("webm", "libopus", ".webm"),
    "m4a": ("ipod", "aac", ".m4a"),
}


def encode(
    samples: np.ndarray[Any, Any], rate: int, dest: Path, fmt: str, channels: int = 1
) -> Path:
    """Encode int16 samples (mono, or interleaved frames x channels) into `fmt` with PyAV."""
    container_name, codec, suffix = FORMATS[fmt]
    dest = dest.with_suffix(suffix)
    layout = "mono" if channels == 1 else "stereo"
    out_rate = 48_000 if codec == "libopus" else rate
    with av.open(str(dest), "w", format=container_name) as out:
        stream: Any = out.add_stream(codec, rate=out_rate, layout=layout)
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout=layout, rate=out_rate
        )
        frame = av.AudioFrame.from_ndarray(
            samples.reshape(1, -1).astype(np.int16), format="s16", layout=layout
        )
        frame.sample_rate = rate
        frame.time_base = Fraction(1, rate)
        frame.pts = 0
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))
    return dest


class FakeAlsa:
    """A HOME whose ~/.asoundrc makes `default` a file-backed microphone and speaker."""

    def __init__(self, root: Path, mic: np.ndarray[Any, Any], speaker_rate: int = 22050) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.mic = root / "mic.raw"
        self.speaker = root / "speaker.raw"
        mic.astype("<i2").tofile(self.mic)
        text = (ALSA_DIR / "asoundrc.template").read_text()
        for key, value in {
            "@MIC@": self.mic,
            "@MIC_ECHO@": root / "mic-echo.raw",
            "@SPEAKER@": self.speaker,
            "@SPEAKER_RATE@": speaker_rate,
        }.items():
            text = text.replace(key, str(value))
        (root / ".asoundrc").write_text(text)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(HOME=str(self.root), PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        env.pop("ALSA_CONFIG_PATH", None)
        env.update(extra)
        return env

    def run(self, *steps: dict[str, Any]) -> list[dict[str, Any]]:
        """Run steps of fixtures/alsa/driver.py against this device; one JSON result per step."""
        proc = subprocess.run(
            [sys.executable, str(ALSA_DIR / "driver.py"), json.dumps(list(steps))],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode == 77:
            pytest.skip(proc.stdout.strip() or "PortAudio is not installed")
        assert proc.returncode == 0, proc.stderr[-3000:]
        results: list[dict[str, Any]] = json.loads(proc.stdout)
        return results

    def speaker_samples(self) -> np.ndarray[Any, np.dtype[np.int16]]:
        return np.fromfile(self.speaker, dtype="<i2").astype(np.int16)


def contains_run(haystack: np.ndarray[Any, Any], needle: np.ndarray[Any, Any]) -> bool:
    """True when `needle` occurs in `haystack` as one contiguous run of samples."""
    if len(needle) == 0 or len(needle) > len(haystack):
        return False
    first = needle[np.flatnonzero(needle)[0]] if needle.any() else 0
    lead = int(np.flatnonzero(needle)[0]) if needle.any() else 0
    for pos in np.flatnonzero(haystack == first):
        start = int(pos) - lead
        if start >= 0 and np.array_equal(haystack[start : start + len(needle)], needle):
            return True
    return False


def transcribe_cached(path: Path, vocabulary: tuple[str, ...] = ()) -> Transcript:
    """File transcripts shared by every voice test in the session (decoding is the slow part)."""
    return _transcribe(path, tuple(vocabulary))


@functools.cache
def _transcribe(path: Path, vocabulary: tuple[str, ...]) -> Transcript:
    from preppath.voice.stt import PocketsphinxSTT

    return PocketsphinxSTT().transcribe_file(path, vocabulary=vocabulary)
