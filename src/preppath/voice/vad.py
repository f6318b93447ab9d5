"""Voice activity for stopping a recording after the speaker falls silent.

Built on pocketsphinx's `Endpointer` (WebRTC-style VAD with a 0.3 s hysteresis window, so a click
or a breath does not count as speech) plus an energy floor, so a quiet room's hiss is silence.
Time is counted in samples fed, never the wall clock: a test device delivers seconds at once.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from pocketsphinx import Endpointer, Vad

ENERGY_FLOOR_DBFS = -55.0


def frame_dbfs(samples: npt.NDArray[np.int16]) -> float:
    if samples.size == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * math.log10(rms / 32768) if rms > 0 else -math.inf


class SilenceDetector:
    """Seconds of silence since speech was last heard (0 until any speech has been heard)."""

    def __init__(self, sample_rate: int = 16_000, *, floor_dbfs: float = ENERGY_FLOOR_DBFS):
        self.sample_rate = sample_rate
        self.floor_dbfs = floor_dbfs
        self._ep = Endpointer(vad_mode=Vad.LOOSE, sample_rate=sample_rate)
        self._frame_bytes: int = self._ep.frame_bytes
        self._pending = bytearray()
        self._zeros = bytes(self._frame_bytes)
        self.samples_seen = 0
        self.heard_speech = False
        self._last_speech_s = 0.0

    def feed(self, samples: npt.NDArray[np.int16]) -> None:
        self._pending += samples.astype("<i2", copy=False).tobytes()
        fb = self._frame_bytes
        while len(self._pending) >= fb:
            frame = bytes(self._pending[:fb])
            del self._pending[:fb]
            self.samples_seen += fb // 2
            quiet = frame_dbfs(np.frombuffer(frame, dtype="<i2")) < self.floor_dbfs
            self._ep.process(self._zeros if quiet else frame)
            if self._ep.in_speech:
                self.heard_speech = True
                self._last_speech_s = self.samples_seen / self.sample_rate
            elif self.heard_speech:
                # The endpointer ends a region a window after the last voiced frame; use its end.
                self._last_speech_s = min(self._last_speech_s, float(self._ep.speech_end))

    @property
    def elapsed_s(self) -> float:
        return self.samples_seen / self.sample_rate

    @property
    def in_speech(self) -> bool:
        return bool(self._ep.in_speech)

    @property
    def silence_s(self) -> float:
        if not self.heard_speech or self._ep.in_speech:
            return 0.0
        return max(0.0, self.elapsed_s - self._last_speech_s)
