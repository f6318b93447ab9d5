"""Per-kind limits: how many jobs run at once, and how many may start a minute.

The two are separate, as in the original queue workers: concurrency caps the jobs running at
one time, and the per-minute figure caps starts in any 60 s window (the workers' limiter was
`max` starts per `duration`). A burst up to the per-minute figure may therefore start at once
(as fast as concurrency lets it), and never more than that within a minute. The window limits
this process; limits shared across processes are the spend guards' job.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preppath.settings import Settings

KINDS = ("evaluation", "transcription", "speech")
_CAPABILITY = {"evaluation": "evaluation", "transcription": "transcription", "speech": "speech"}


@dataclass(frozen=True)
class KindLimit:
    concurrency: int
    per_minute: int | None
    """None: no rate limit (offline work costs nothing and calls no one)."""


def limits_for(settings: Settings) -> dict[str, KindLimit]:
    """The settings' limits; a kind served offline is limited by concurrency alone."""
    from preppath.providers import factory

    limits = {}
    for kind in KINDS:
        cloud = factory.provider_name(settings, _CAPABILITY[kind]) != "offline"  # type: ignore[arg-type]
        per_minute: int = getattr(settings, f"jobs_{kind}_per_minute")
        limits[kind] = KindLimit(
            concurrency=getattr(settings, f"jobs_{kind}_concurrency"),
            per_minute=per_minute if cloud else None,
        )
    return limits


WINDOW_S = 60.0
EDGE_S = 1.0
"""How much longer than a minute a start stays in the window. The spend guards count the same
calls per minute, at the moment each request is sent, which is a little after its job starts
(the first job of a run also builds its client). Without this slack a job starting exactly a
minute after the oldest start could reach the guard while that request is still in its
minute, and be refused."""


class StartWindow:
    """Start permits: at most `per_minute` starts in any `window_s` seconds (a sliding log of
    the last starts), or unlimited when `per_minute` is None."""

    def __init__(
        self,
        per_minute: int | None,
        clock: Callable[[], float] = time.monotonic,
        window_s: float = WINDOW_S + EDGE_S,
    ) -> None:
        self._most = per_minute
        self._window_s = window_s
        self._clock = clock
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def _forget_old(self, now: float) -> None:
        while self._starts and self._starts[0] <= now - self._window_s:
            self._starts.popleft()

    def wait_s(self) -> float:
        """Seconds until a start is allowed (0 when one is)."""
        if self._most is None:
            return 0.0
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            if len(self._starts) < self._most:
                return 0.0
            # The window frees a place when the oldest start in it leaves.
            return self._starts[0] + self._window_s - now

    def take(self) -> None:
        if self._most is None:
            return
        with self._lock:
            now = self._clock()
            self._forget_old(now)
            self._starts.append(now)
