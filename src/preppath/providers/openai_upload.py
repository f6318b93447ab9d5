"""Audio too big for one transcription upload (25 MB): re-encoded, and split if it must be.

The API refuses files over 25 MB. A recording of that size is nearly always a wide format (48 kHz
stereo WAV is 11 MB a minute); the same speech as 16 kHz mono FLAC is a twentieth of it and
loses nothing a speech model uses. Only audio still too big after that is cut, at the quietest
moment near each piece's end so no word is split, and each piece keeps its offset so the
transcripts' timestamps can be joined on one timeline.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from preppath.errors import ExitCode, PrepPathError
from preppath.storage import private_file
from preppath.voice.decode import TARGET_RATE, Int16Array, load_audio

FRAME = TARGET_RATE // 10  # 100 ms: short enough to land between words
# A cut is looked for in the last 30 % of a piece: long pieces, and room to find a pause.
SEARCH_SHARE = 0.3
SAFETY = 0.9  # pieces are sized for 90 % of the limit: FLAC's ratio varies along the audio


@dataclass(frozen=True)
class Piece:
    path: Path
    offset_s: float
    """Where this piece starts in the original audio."""


@contextmanager
def upload_pieces(path: Path, max_bytes: int) -> Iterator[list[Piece]]:
    """The file itself when it fits; else 16 kHz mono FLAC, whole or in pieces, in a private
    temporary folder removed on exit."""
    if path.stat().st_size <= max_bytes:
        yield [Piece(path, 0.0)]
        return
    samples = load_audio(path).samples
    with tempfile.TemporaryDirectory(prefix="preppath-upload-") as folder:  # created 0700
        whole = _flac(samples, Path(folder) / "whole.flac")
        if whole.stat().st_size <= max_bytes:
            yield [Piece(whole, 0.0)]
            return
        bytes_per_sample = whole.stat().st_size / len(samples)
        whole.unlink()
        longest = int(SAFETY * max_bytes / bytes_per_sample)
        pieces = []
        for i, (start, end) in enumerate(split_at_pauses(samples, longest)):
            piece = _flac(samples[start:end], Path(folder) / f"piece-{i:03d}.flac")
            if piece.stat().st_size > max_bytes:
                raise PrepPathError(
                    f"{path.name}: cannot cut this audio into pieces under "
                    f"{max_bytes / 2**20:.0f} MB for upload; use a shorter recording",
                    ExitCode.INVALID,
                )
            pieces.append(Piece(piece, start / TARGET_RATE))
        yield pieces


def split_at_pauses(samples: Int16Array, longest: int) -> list[tuple[int, int]]:
    """(start, end) sample ranges of at most `longest` samples, each cut in the middle of the
    quietest 100 ms frame of the last `SEARCH_SHARE` of its range."""
    if longest < 2 * FRAME:
        raise ValueError("pieces must be longer than two frames")
    ranges: list[tuple[int, int]] = []
    start = 0
    while len(samples) - start > longest:
        low = start + int(longest * (1 - SEARCH_SHARE))
        window = samples[low : start + longest].astype(np.float64)
        usable = len(window) - len(window) % FRAME
        energy = (window[:usable].reshape(-1, FRAME) ** 2).mean(axis=1)
        cut = low + int(np.argmin(energy)) * FRAME + FRAME // 2
        ranges.append((start, cut))
        start = cut
    ranges.append((start, len(samples)))
    return ranges


def _flac(samples: Int16Array, path: Path) -> Path:
    import soundfile

    private_file(path)  # a person's voice: 0600 before the first byte is written
    soundfile.write(path, samples, TARGET_RATE, format="FLAC", subtype="PCM_16")
    return path
