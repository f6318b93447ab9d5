"""A rich progress bar for sync transfers, shown on standard error (only on a terminal)."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TransferSpeedColumn,
)


class BarProgress:
    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._lock = threading.Lock()  # transfers report from several threads

    def start(self, label: str, total_bytes: int) -> None:
        self.stop()
        if total_bytes <= 0:
            return
        self._bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._bar.start()
        self._task = self._bar.add_task(label, total=total_bytes)

    def advance(self, nbytes: int) -> None:
        with self._lock:
            if self._bar is not None and self._task is not None:
                self._bar.advance(self._task, nbytes)

    def stop(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
            self._bar = None
            self._task = None
