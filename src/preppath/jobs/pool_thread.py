"""One pool run in a background thread, for sessions that queue work as they go (scoring in
the background, questions spoken ahead).

`kick()` starts the thread when none runs; a thread whose run began before the latest kick
runs the pool again, so work queued while it was finishing is never left behind. The thread
ends as soon as a run finds nothing new, so an idle session holds no thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preppath.jobs.pool import Pool


class PoolThread:
    def __init__(self, name: str, pool: Callable[[], Pool]) -> None:
        self._name = name
        self._pool = pool
        self._lock = threading.Lock()
        self._more = False
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> threading.Thread | None:
        """The thread while it runs, to join; None once it has ended."""
        return self._thread

    def kick(self) -> None:
        pool = self._pool()
        with self._lock:
            self._more = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name=self._name, daemon=True)
                self._thread.start()
        pool._wake.set()

    def _drain(self) -> None:
        while True:
            with self._lock:
                self._more = False
            self._pool().run()
            with self._lock:
                if not self._more:  # nothing kicked since this round began
                    self._thread = None
                    return
