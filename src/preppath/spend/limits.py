"""Spend guards: how many cloud calls a minute each capability, and all of them, may make.

The counts live in pyrate-limiter SQLite buckets (a sliding-window log, one table per limit)
in one file under the data dir, guarded by a file lock, so every preppath process on the
machine shares them: two terminals answering at once cannot go over the limits together.
A call takes a slot from its capability's limit and then from the overall one; a call refused
by the overall limit has used its capability's slot, which errs toward fewer calls, never more.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from preppath.errors import ExitCode, PrepPathError

if TYPE_CHECKING:
    from pyrate_limiter import Limiter, SQLiteBucket

    from preppath.settings import Settings

Capability = Literal["questions", "evaluation", "transcription", "speech"]
LimitName = Literal["create", "answer", "transcription", "speech", "all"]

LIMIT_OF: dict[Capability, LimitName] = {
    "questions": "create",
    "evaluation": "answer",
    "transcription": "transcription",
    "speech": "speech",
}
SETTING_OF: dict[LimitName, str] = {
    "create": "limit_create_per_min",
    "answer": "limit_answer_per_min",
    "transcription": "limit_transcription_per_min",
    "speech": "limit_speech_per_min",
    "all": "limit_all_per_min",
}
_WORDS: dict[LimitName, str] = {
    "create": "question-writing",
    "answer": "answer-scoring",
    "transcription": "transcription",
    "speech": "speech",
    "all": "overall cloud-call",
}
FILE_NAME = "spend-limits.sqlite"
MINUTE_MS = 60_000


class SpendLimitReached(PrepPathError):
    def __init__(self, message: str, wait_s: float) -> None:
        super().__init__(message, ExitCode.UNAVAILABLE)
        self.wait_s = wait_s


@dataclass(frozen=True)
class Limits:
    per_minute: dict[LimitName, int]
    wait_s: float  # the longest wait taken rather than refusing, when someone is at a terminal
    window_ms: int = MINUTE_MS  # "a minute"; shorter only in tests of waiting

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            {name: int(getattr(settings, key)) for name, key in SETTING_OF.items()},
            float(settings.limit_wait_s),
        )


def _at_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _say_waiting(message: str) -> None:
    sys.stderr.write(f"note: {message}\n")
    sys.stderr.flush()


class SpendGuard:
    """Takes a slot for each cloud call, or says which limit is full and when it frees up."""

    def __init__(
        self,
        file: Path,
        limits: Limits,
        *,
        interactive: Callable[[], bool] = _at_a_terminal,
        say: Callable[[str], None] = _say_waiting,
    ) -> None:
        self._file = file
        self._limits = limits
        self._interactive = interactive
        self._say = say
        self._buckets: dict[LimitName, tuple[Limiter, SQLiteBucket]] = {}
        self._lock = threading.Lock()

    def acquire(self, capability: Capability) -> None:
        for name in (LIMIT_OF[capability], "all"):
            self._take(name)

    def _take(self, name: LimitName) -> None:
        per_minute = self._limits.per_minute[name]
        if per_minute <= 0:  # 0 turns the limit off
            return
        limiter, bucket = self._bucket(name, per_minute, self._limits.window_ms)
        if _acquired_now(limiter, bucket, name, per_minute):
            return
        wait_s = self._wait_s(bucket, name)
        describe = (
            f"the {_WORDS[name]} limit ({per_minute} a minute, {SETTING_OF[name]}) is reached"
        )
        if wait_s <= self._limits.wait_s and self._interactive():
            self._say(f"{describe}; waiting {wait_s:.0f} s")
            try:
                if limiter.try_acquire(name, blocking=True, timeout=self._limits.wait_s + 1):
                    return
            except TimeoutError:
                pass
            wait_s = self._wait_s(bucket, name)
        at = datetime.fromtimestamp(time.time() + wait_s).strftime("%H:%M:%S")
        raise SpendLimitReached(
            f"spend guard: {describe}; the next call may go in {wait_s:.0f} s (at {at}); "
            "nothing was sent",
            wait_s,
        )

    def _wait_s(self, bucket: SQLiteBucket, name: str) -> float:
        from pyrate_limiter import RateItem

        if bucket.failing_rate is None:  # freed up meanwhile: a retry will go
            return 0.0
        waiting = bucket.waiting(RateItem(name, _now_ms()))
        assert isinstance(waiting, int)
        return max(0, waiting) / 1000

    def _bucket(
        self, name: LimitName, per_window: int, window_ms: int
    ) -> tuple[Limiter, SQLiteBucket]:
        with self._lock:
            if name not in self._buckets:
                self._buckets[name] = _open_bucket(self._file, name, per_window, window_ms)
            return self._buckets[name]


CONTENDED_S = 2.0  # how long another thread's or process's hold on the bucket is waited out


def _acquired_now(limiter: Limiter, bucket: SQLiteBucket, name: str, per_minute: int) -> bool:
    """A slot taken now, or False when the minute's slots are all taken. A non-blocking
    acquire also fails while another thread or process holds the bucket's lock for its own
    acquire (pyrate-limiter cannot tell the two apart): that is no full minute, so it is tried
    again while the window holds fewer calls than the limit, for at most CONTENDED_S."""
    deadline = time.monotonic() + CONTENDED_S
    while True:
        bucket.leak(_now_ms())  # drop entries older than the window
        if limiter.try_acquire(name, blocking=False):
            return True
        if bucket.count() >= per_minute or time.monotonic() > deadline:
            return False
        time.sleep(0.005)


def _now_ms() -> int:
    """The clock SQLiteBucket stamps entries with (wall time, shared by every process)."""
    return time.time_ns() // 1_000_000


def _open_bucket(
    file: Path, name: LimitName, per_window: int, window_ms: int
) -> tuple[Limiter, SQLiteBucket]:
    from pyrate_limiter import Limiter, Rate, SingleBucketFactory, SQLiteBucket

    from preppath.storage import private_dir, private_file

    private_dir(file.parent)
    private_file(file)
    # One table per limit *and rate*: a changed setting starts a fresh count instead of
    # judging old entries by the new number.
    table = f"{name}_{per_window}_per_{window_ms}ms"
    bucket = SQLiteBucket.init_from_file(
        [Rate(per_window, window_ms)], table=table, db_path=str(file), use_file_lock=True
    )
    # Leaking is done on each acquire instead of by a background thread per bucket.
    return Limiter(SingleBucketFactory(bucket, schedule_leak=False)), bucket


_GUARDS: dict[tuple[Path, tuple[tuple[str, int], ...], float], SpendGuard] = {}
_GUARDS_LOCK = threading.Lock()


def guard_for(data_dir: Path, settings: Settings) -> SpendGuard:
    """The process's guard for this data dir and these limits (its buckets are reused)."""
    limits = Limits.from_settings(settings)
    key = (data_dir / FILE_NAME, tuple(sorted(limits.per_minute.items())), limits.wait_s)
    with _GUARDS_LOCK:
        if key not in _GUARDS:
            _GUARDS[key] = SpendGuard(key[0], limits)
        return _GUARDS[key]
