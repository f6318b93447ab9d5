"""Per-kind limits: how many jobs run at once, and how many may start a minute.

The spend-guard limiter (issue 8, item 8) is not on main yet, so the per-minute limit is a small
token bucket inside the pool: it holds as many tokens as the kind's concurrency (a burst that
size may start at once), then refills at per_minute/60 a second. It limits this process; limits
shared across processes are the spend guards' job.
"""

from __future__ import annotations

import threading
import time
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


class TokenBucket:
    """Start permits: `capacity` at once, refilled at `per_minute` a minute."""

    def __init__(
        self, capacity: int, per_minute: int | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._capacity = float(capacity)
        self._rate = per_minute / 60 if per_minute else None
        self._clock = clock
        self._tokens = float(capacity)
        self._at = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        if self._rate is not None:
            self._tokens = min(self._capacity, self._tokens + (now - self._at) * self._rate)
        self._at = now

    def wait_s(self) -> float:
        """Seconds until a permit is available (0 when one is)."""
        if self._rate is None:
            return 0.0
        with self._lock:
            self._refill()
            return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    def take(self) -> None:
        if self._rate is None:
            return
        with self._lock:
            self._refill()
            self._tokens -= 1
