"""Recording and playback through the real sounddevice/PortAudio path on an ALSA fake device."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from preppath.errors import ExitCode, PrepPathError
from preppath.voice import devices
from preppath.voice.devices import DeviceInfo, resolve_device, voice_status
from voice_conftest import FakeAlsa, contains_run, goforward, read_int16, requires_human

pytestmark = requires_human

QUESTION = "Tell me about a time you disagreed with a teammate. What did you do?"
GAP_S = 4.5


@pytest.fixture(scope="module")
def mic_samples() -> np.ndarray[Any, np.dtype[np.int16]]:
    """Speech (go forward ten meters), 4.5 s of digital silence, then speech again."""
    speech = read_int16(goforward())
    return np.concatenate([speech, np.zeros(int(GAP_S * 16000), np.int16), speech, speech])


@pytest.fixture(scope="module")
def recorded(
    tmp_path_factory: pytest.TempPathFactory, mic_samples: np.ndarray[Any, Any]
) -> tuple[Path, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("alsa-rec")
    fake = FakeAlsa(root, mic_samples)
    steps: list[dict[str, Any]] = [
        {"do": "record", "path": str(root / "silence.wav"), "decode": True},
        {"do": "record", "path": str(root / "max.wav"), "max_seconds": 1.5, "silence_stop_s": None},
        {
            "do": "record",
            "path": str(root / "snap.wav"),
            "max_seconds": 6.0,
            "silence_stop_s": None,
            "snapshot_at": 3.0,
        },
        {"do": "record", "path": str(root / "stopped.wav"), "pre_stopped": True},
        {"do": "status"},
        {"do": "cli", "args": ["devices", "--json"]},
        {"do": "cli", "args": ["test", "--seconds", "1"]},
    ]
    return root, fake.run(*steps)


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> tuple[FakeAlsa, list[dict[str, Any]]]:
    root = tmp_path_factory.mktemp("alsa-play")
    fake = FakeAlsa(root, np.zeros(16000, np.int16))
    steps = [
        {"do": "interrupt", "text": QUESTION},
        {"do": "speak", "text": QUESTION, "pcm_out": str(root / "question.pcm")},
    ]
    return fake, fake.run(*steps)


def test_recorded_answer_equals_samples_fed_in(
    recorded: tuple[Path, list[dict[str, Any]]], mic_samples: np.ndarray[Any, Any]
) -> None:
    """The WAV written while recording holds exactly the samples the microphone delivered."""
    root, results = recorded
    for name, result in (("silence.wav", results[0]), ("max.wav", results[1])):
        got = read_int16(root / name)
        assert len(got) == result["frames"] > 0
        assert np.array_equal(got, mic_samples[: len(got)])
        assert sf.info(str(root / name)).samplerate == 16000


def test_silence_after_speech_stops_the_recording(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    """Three seconds of silence after speech end the recording before the next speech starts."""
    speech_s = len(read_int16(goforward())) / 16000
    result = recorded[1][0]
    assert result["stop_reason"] == "silence"
    assert speech_s + 2.5 < result["duration_s"] < speech_s + GAP_S


def test_max_length_is_counted_in_frames(recorded: tuple[Path, list[dict[str, Any]]]) -> None:
    """An unpaced device delivers audio at once, yet the limit cuts at exactly max_seconds."""
    result = recorded[1][1]
    assert result["stop_reason"] == "max_length"
    assert result["frames"] == 24000


def test_transcript_is_decoded_while_recording(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    """A streaming decoder fed from the recording loop returns the transcript at the stop."""
    assert recorded[1][0]["transcript"] == "go forward ten meters"


def test_file_is_playable_mid_recording(recorded: tuple[Path, list[dict[str, Any]]]) -> None:
    """A copy taken mid-recording (as a crash leaves it) is a valid WAV missing under ~1 s."""
    root, results = recorded
    snapshot = root / "snap.snapshot.wav"
    assert results[2]["frames"] == 6 * 16000
    info = sf.info(str(snapshot))
    assert info.frames >= 2.0 * 16000
    assert np.array_equal(read_int16(snapshot), read_int16(root / "snap.wav")[: info.frames])


def test_progress_reports_elapsed_audio(recorded: tuple[Path, list[dict[str, Any]]]) -> None:
    """on_progress is called about ten times a second of audio, ending at the recorded length."""
    result = recorded[1][1]
    assert result["progress_calls"] >= 10
    assert result["last_elapsed"] == pytest.approx(1.5)


def test_stop_event_already_set_records_nothing(
    recorded: tuple[Path, list[dict[str, Any]]],
) -> None:
    """Enter pressed before the first block arrives: an empty but valid recording."""
    root, results = recorded
    assert results[3]["stop_reason"] == "stopped"
    assert results[3]["frames"] == 0
    assert sf.info(str(root / "stopped.wav")).frames == 0


def test_voice_status_sees_the_fake_device(recorded: tuple[Path, list[dict[str, Any]]]) -> None:
    """With a microphone and a speaker, voice mode is available."""
    status = recorded[1][4]
    assert status["available"] and status["can_play"]
    assert "default" in status["devices"]


def test_cli_devices_json(recorded: tuple[Path, list[dict[str, Any]]]) -> None:
    """`audio devices --json` lists devices with their channel counts and the status."""
    result = recorded[1][5]
    assert result["exit_code"] == 0, result
    data = json.loads(result["output"])
    assert data["available"] is True
    default = next(d for d in data["devices"] if d["name"] == "default")
    assert default["max_input_channels"] > 0 and default["is_default_input"]


def test_cli_test_records_and_plays_back(recorded: tuple[Path, list[dict[str, Any]]]) -> None:
    """`audio test --seconds 1` records a second, reports its level and plays it back."""
    result = recorded[1][6]
    assert result["exit_code"] == 0, result
    assert "recorded 1.0 s" in result["output"]
    assert "playing it back" in result["output"]


def test_spoken_question_lands_in_the_speaker_file(
    spoken: tuple[FakeAlsa, list[dict[str, Any]]],
) -> None:
    """Every sample eSpeak synthesised reaches the speaker, in order."""
    fake, results = spoken
    played = results[1]
    assert played["completed"]
    question = np.frombuffer((fake.root / "question.pcm").read_bytes(), "<i2")
    assert played["played_s"] == pytest.approx(len(question) / 22050)
    assert contains_run(fake.speaker_samples(), question.astype(np.int16))


def test_time_to_first_audio_is_measured(spoken: tuple[FakeAlsa, list[dict[str, Any]]]) -> None:
    """speak() reports synthesis-to-first-chunk and synthesis-to-device times."""
    played = spoken[1][1]
    assert 0 < played["first_chunk_s"] <= played["first_audio_s"] < 2.0


def test_stop_event_skips_the_question(spoken: tuple[FakeAlsa, list[dict[str, Any]]]) -> None:
    """A set stop event (a key press) ends playback before the question is played."""
    skipped = spoken[1][0]
    assert skipped["completed"] is False
    assert skipped["played_s"] < 1.0


def test_missing_portaudio_is_one_line(tmp_path: Path) -> None:
    """Without PortAudio, status and recording give one line with the fix, never a traceback."""
    fake_module = tmp_path / "fake_sd"
    fake_module.mkdir()
    (fake_module / "sounddevice.py").write_text('raise OSError("PortAudio library not found")\n')
    script = """
import json
from pathlib import Path
from preppath.errors import PrepPathError
from preppath.voice.devices import voice_status
from preppath.voice.recorder import record_answer
status = voice_status()
try:
    record_answer(Path("x.wav"))
except PrepPathError as exc:
    error = (exc.message, int(exc.code))
print(json.dumps({"available": status.available, "reason": status.reason, "error": error}))
"""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake_module), *sys.path]))
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(proc.stdout)
    assert data["available"] is False
    assert "\n" not in data["reason"] and "libportaudio2" in data["reason"]
    assert data["error"] == [data["reason"], int(ExitCode.UNAVAILABLE)]
    assert not (tmp_path / "x.wav").exists()


def _device(index: int, name: str, inputs: int, outputs: int) -> DeviceInfo:
    return DeviceInfo(index, name, "ALSA", inputs, outputs, 44100.0, inputs > 0, outputs > 0)


def test_no_microphone_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """Speakers but no microphone: unavailable, with a one-line reason that says what to do."""
    monkeypatch.setattr(devices, "list_devices", lambda: [_device(0, "HDMI", 0, 2)])
    status = voice_status()
    assert not status.available and status.can_play
    assert "no microphone" in status.reason and "\n" not in status.reason


def test_no_sound_card_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """PortAudio present but no devices (a server, CI): unavailable with a one-line reason."""
    monkeypatch.setattr(devices, "list_devices", lambda: [])
    status = voice_status()
    assert not status.available
    assert "no audio devices" in status.reason and "\n" not in status.reason


def test_device_chosen_by_number_or_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """--device takes an index or part of a name; unknown or ambiguous names are UNAVAILABLE."""
    found = [
        _device(0, "HDMI out", 0, 2),
        _device(1, "USB Mic", 1, 0),
        _device(2, "USB Mic 2", 1, 0),
    ]
    monkeypatch.setattr(devices, "list_devices", lambda: found)
    assert resolve_device(None, "input") is None
    assert resolve_device("1", "input") == 1
    assert resolve_device("usb mic 2", "input") == 2
    with pytest.raises(PrepPathError) as ambiguous:
        resolve_device("usb", "input")
    with pytest.raises(PrepPathError) as missing:
        resolve_device("hdmi", "input")  # an output, not an input
    assert ambiguous.value.code == missing.value.code == ExitCode.UNAVAILABLE
