"""`preppath audio …` commands run in-process (devices and `test` run on the fake device)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import soundfile as sf
from typer.testing import CliRunner

from preppath.cli.audio import app
from preppath.errors import ExitCode, PrepPathError
from voice_conftest import goforward, requires_human

runner = CliRunner()


@requires_human
def test_transcribe_json_has_text_words_duration_delivery() -> None:
    """`transcribe FILE --json` prints text, timed words, duration and delivery metrics."""
    result = runner.invoke(app, ["transcribe", str(goforward()), "--json", "--type", "technical"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["text"] == "go forward ten meters"
    assert [w["word"] for w in data["words"]] == ["go", "forward", "ten", "meters"]
    assert all(0 <= w["start"] < w["end"] <= data["duration_s"] for w in data["words"])
    assert data["duration_s"] == 2.786
    assert data["delivery"]["question_type"] == "technical"
    assert data["delivery"]["word_count"] == 4


@requires_human
def test_transcribe_text_output_lists_observations() -> None:
    """Without --json the transcript is followed by one line per observation."""
    result = runner.invoke(app, ["transcribe", str(goforward())])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "go forward ten meters"
    assert any("words per minute" in line for line in lines)


def test_transcribe_bad_file_raises_invalid(tmp_path: Path) -> None:
    """A corrupt file surfaces as PrepPathError(INVALID) for the root app to print."""
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(b"\x00not audio" * 50)
    result = runner.invoke(app, ["transcribe", str(bad)])
    assert isinstance(result.exception, PrepPathError)
    assert result.exception.code == ExitCode.INVALID


def test_speak_output_writes_wav(tmp_path: Path) -> None:
    """`speak TEXT --output F.wav` writes eSpeak's speech instead of playing it."""
    out = tmp_path / "q.wav"
    result = runner.invoke(app, ["speak", "Why use a queue here?", "--rate", "200", "-o", str(out)])
    assert result.exit_code == 0, result.output
    info = sf.info(str(out))
    assert info.samplerate == 22050 and info.channels == 1 and info.frames > 22050 * 0.5


def test_speak_rejects_rate_outside_range() -> None:
    """--rate outside 80-450 is a usage error from the option parser."""
    result = runner.invoke(app, ["speak", "hi", "--rate", "1000"])
    assert result.exit_code == 2


def test_voices_json_lists_english() -> None:
    """`voices --json` lists voices with their language codes."""
    result = runner.invoke(app, ["voices", "--json"])
    assert result.exit_code == 0
    assert any("en-us" in v["languages"] for v in json.loads(result.output))


def test_importing_the_cli_loads_no_heavy_module() -> None:
    """The audio sub-app imports numpy/PortAudio/pocketsphinx/PyAV only inside commands."""
    script = (
        "import sys, preppath.cli.audio\n"
        "heavy = {'numpy','sounddevice','soundfile','pocketsphinx','av','espeakng_loader'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
