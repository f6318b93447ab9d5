"""A one-line live level meter for `record_answer(on_progress=...)`, drawn with rich."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from preppath.voice.recorder import RecordingProgress

_BAR = 24


def render_progress(p: RecordingProgress, *, label: str = "Recording", hint: str = "") -> Text:
    """`● Recording 0:12 / 5:00 ▮▮▮▮▮▯▯▯ speaking   Enter to stop` as styled text."""
    filled = round(p.level * _BAR)
    colour = "green" if p.level < 0.75 else "yellow" if p.level < 0.92 else "red"
    text = Text()
    text.append("● ", style="bold red")
    text.append(f"{label} {_clock(p.elapsed_s)} / {_clock(p.max_seconds)} ")
    text.append("▮" * filled, style=colour)
    text.append("▯" * (_BAR - filled), style="dim")
    if p.speaking:
        state = "speaking"
    elif p.silence_s >= 1.0:
        state = f"quiet {p.silence_s:.0f}s"
    else:
        state = ""
    text.append(f" {state:<9}", style="cyan")
    if hint:
        text.append(f"  {hint}", style="dim")
    return text


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


class LiveMeter:
    """Context manager whose `update` is an `on_progress` callback; the line vanishes on exit."""

    def __init__(
        self, console: Console | None = None, *, label: str = "Recording", hint: str = ""
    ) -> None:
        self.label = label
        self.hint = hint
        self.last: RecordingProgress | None = None
        self._live = Live(
            Text(""), console=console or Console(stderr=True), refresh_per_second=12,
            transient=True,
        )  # fmt: skip

    def update(self, progress: RecordingProgress) -> None:
        self.last = progress
        self._live.update(render_progress(progress, label=self.label, hint=self.hint))

    def __enter__(self) -> LiveMeter:
        self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._live.__exit__(exc_type, exc, tb)
