"""Finding the sound system: PortAudio, its devices, and a one-line reason when there is none.

sounddevice is imported here, lazily, and only here: importing it loads PortAudio (and probes every
device), which raises `OSError` when the library is missing. Every other voice module asks this one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from preppath.errors import ExitCode, PrepPathError

INSTALL_HINT = (
    "install the PortAudio library (Debian/Ubuntu: sudo apt-get install libportaudio2; "
    "macOS: brew install portaudio)"
)
Kind = Literal["input", "output"]


@dataclass(frozen=True)
class VoiceStatus:
    """Whether voice mode can run; `reason` is one line saying why not and how to fix it."""

    available: bool
    reason: str
    can_record: bool = False
    can_play: bool = False


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Hide the C-level chatter ALSA/JACK print while PortAudio probes devices.

    Those lines ("ALSA lib confmisc.c ... cannot find card") go straight to file descriptor 2,
    so redirecting `sys.stderr` would not catch them.
    """
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with Path(os.devnull).open("wb") as devnull:
            sys.stderr.flush()
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def load_sounddevice() -> Any:
    """Import sounddevice, turning a missing PortAudio into a one-line UNAVAILABLE error."""
    if "sounddevice" in sys.modules:
        return sys.modules["sounddevice"]
    try:
        with _quiet_stderr():
            import sounddevice
    except OSError as exc:
        raise PrepPathError(
            f"no sound system: PortAudio library not found; {INSTALL_HINT}", ExitCode.UNAVAILABLE
        ) from exc
    return sounddevice


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio sees (an empty list on a machine without a sound card)."""
    sd = load_sounddevice()
    try:
        raw = list(sd.query_devices())
        apis = [str(api["name"]) for api in sd.query_hostapis()]
        default_in, default_out = (int(x) for x in sd.default.device)
    except sd.PortAudioError as exc:
        raise PrepPathError(f"cannot list audio devices: {exc}", ExitCode.UNAVAILABLE) from exc
    return [
        DeviceInfo(
            index=int(d["index"]),
            name=str(d["name"]),
            host_api=apis[int(d["hostapi"])] if int(d["hostapi"]) < len(apis) else "?",
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        )
        for d in raw
    ]


def voice_status() -> VoiceStatus:
    """Can we record (and play)? Never raises; the reason is one line with the fix."""
    try:
        devices = list_devices()
    except PrepPathError as exc:
        return VoiceStatus(False, exc.message)
    can_record = any(d.max_input_channels > 0 for d in devices)
    can_play = any(d.max_output_channels > 0 for d in devices)
    if not devices:
        reason = (
            "no audio devices found: PortAudio sees no sound card "
            "(connect a microphone, or check that ALSA/PulseAudio can see it)"
        )
    elif not can_record:
        reason = "no microphone found: connect one and check `preppath audio devices`"
    elif not can_play:
        reason = "microphone ready; no speaker found, so questions will be shown but not spoken"
    else:
        reason = "microphone and speaker ready"
    return VoiceStatus(can_record, reason, can_record, can_play)


def resolve_device(spec: int | str | None, kind: Kind) -> int | None:
    """Turn `--device 3` or `--device "USB"` into a PortAudio index (None means the default)."""
    if spec is None or spec == "":
        return None
    devices = list_devices()
    usable = [
        d
        for d in devices
        if (d.max_input_channels if kind == "input" else d.max_output_channels) > 0
    ]
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        if any(d.index == index for d in usable):
            return index
    else:
        matches = [d for d in usable if text.lower() in d.name.lower()]
        exact = [d for d in matches if d.name.lower() == text.lower()]
        if len(exact) == 1 or len(matches) == 1:
            return (exact or matches)[0].index
        if len(matches) > 1:
            names = ", ".join(f"{d.index}: {d.name}" for d in matches)
            raise PrepPathError(
                f"{kind} device {text!r} is ambiguous ({names}); pass its number",
                ExitCode.UNAVAILABLE,
            )
    raise PrepPathError(
        f"no {kind} device {text!r}; `preppath audio devices` lists them", ExitCode.UNAVAILABLE
    )
