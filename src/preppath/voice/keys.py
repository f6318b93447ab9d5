"""Turning a key press into a `threading.Event`: skip the question being spoken, stop recording.

`record_answer` and `Player.play` take a stop event; this sets it from the keyboard without the
caller reading stdin itself. When stdin is not a terminal (pipes, tests) it does nothing.
"""

from __future__ import annotations

import os
import sys
import threading
from types import TracebackType
from typing import Any, TextIO


class KeyWatcher:
    """Sets `event` on any key (or only Enter, with `enter_only=True`) while inside `with`."""

    def __init__(
        self,
        event: threading.Event | None = None,
        *,
        enter_only: bool = False,
        stream: TextIO | None = None,
    ) -> None:
        self.event = event or threading.Event()
        self.enter_only = enter_only
        self._stream = stream or sys.stdin
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._saved: list[Any] | None = None

    @property
    def active(self) -> bool:
        """False when there is no terminal to read keys from."""
        return self._thread is not None

    def __enter__(self) -> KeyWatcher:
        try:
            if not self._stream.isatty():
                return self
            fd = self._stream.fileno()
        except (AttributeError, ValueError, OSError):
            return self
        if sys.platform != "win32":
            import termios
            import tty

            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd)  # keys arrive one by one, unechoed; Ctrl-C still interrupts
        self._thread = threading.Thread(target=self._watch, args=(fd,), daemon=True)
        self._thread.start()
        return self

    def _is_trigger(self, key: bytes) -> bool:
        return not self.enter_only or key in (b"\r", b"\n")

    def _watch(self, fd: int) -> None:
        if sys.platform == "win32":
            import msvcrt

            while not self._done.wait(0.05):
                if msvcrt.kbhit() and self._is_trigger(msvcrt.getch()):
                    self.event.set()
                    return
        else:
            import select

            while not self._done.is_set():
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready and self._is_trigger(os.read(fd, 1)):
                    self.event.set()
                    return

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join(1.0)
            self._thread = None
        if self._saved is not None and sys.platform != "win32":
            import termios

            termios.tcsetattr(self._stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None
