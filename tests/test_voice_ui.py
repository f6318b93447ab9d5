"""The live level meter and the key watcher that turns a key press into a stop event."""

from __future__ import annotations

import dataclasses
import io
import os
import pty
import threading
from typing import Any

from rich.console import Console

from preppath.voice.keys import KeyWatcher
from preppath.voice.meter import LiveMeter, render_progress
from preppath.voice.recorder import RecordingProgress

BASE = RecordingProgress(
    elapsed_s=75.0, level=0.5, level_dbfs=-30.0, speaking=True, silence_s=0.0, max_seconds=300
)


def _progress(**changes: Any) -> RecordingProgress:
    return dataclasses.replace(BASE, **changes)


def test_meter_line_shows_time_level_and_state() -> None:
    """The meter line shows elapsed/limit, a half-full bar and the speaking state."""
    text = render_progress(_progress(), hint="Enter to stop").plain
    assert "1:15 / 5:00" in text
    assert text.count("▮") == 12 and "speaking" in text and "Enter to stop" in text


def test_meter_shows_silence_countdown() -> None:
    """After a second of quiet the meter says how long it has been quiet."""
    assert "quiet 2s" in render_progress(_progress(speaking=False, silence_s=2.2, level=0)).plain


def test_live_meter_renders_to_its_console() -> None:
    """LiveMeter.update is a ready on_progress callback and keeps the last progress."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with LiveMeter(console) as meter:
        meter.update(_progress(elapsed_s=3.0))
    assert meter.last is not None and meter.last.elapsed_s == 3.0
    assert "0:03" in buffer.getvalue()


def test_key_watcher_is_inert_without_a_terminal() -> None:
    """With piped stdin (tests, scripts) no thread starts and the event stays clear."""
    with KeyWatcher(stream=io.StringIO("x\n")) as keys:
        assert not keys.active
    assert not keys.event.is_set()


def test_key_watcher_sets_event_on_enter_in_a_terminal() -> None:
    """On a terminal, Enter sets the event; other keys do not when enter_only is set."""
    leader, follower = pty.openpty()
    with os.fdopen(follower, "r") as stream:
        event = threading.Event()
        with KeyWatcher(event, enter_only=True, stream=stream) as keys:
            assert keys.active
            os.write(leader, b"x")
            assert not event.wait(0.3)
            os.write(leader, b"\r")
            assert event.wait(2.0)
    os.close(leader)
