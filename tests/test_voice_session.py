"""A spoken interview end to end: the real `preppath interview start` in a pty, with PortAudio
talking to an ALSA fake microphone (a real human recording) and a fake speaker file."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pexpect
import pytest

from voice_conftest import FakeAlsa, goforward, read_int16, requires_human

PREPPATH = Path(sys.executable).with_name("preppath")


def _spawn(alsa: FakeAlsa, home: Path, *args: str) -> pexpect.spawn:
    env = alsa.env(
        PREPPATH_HOME=str(home),
        PREPPATH_TIMEZONE="UTC",
        NO_COLOR="1",
        TERM="dumb",
        COLUMNS="120",
        PREPPATH_SILENCE_STOP_S="1.5",
    )
    env.pop("PREPPATH_VOICE", None)
    return pexpect.spawn(
        str(PREPPATH), list(args), env=env, encoding="utf-8", timeout=60, dimensions=(40, 120)
    )


@requires_human
def test_spoken_answer_is_recorded_transcribed_scored_and_stored(tmp_path: Path) -> None:
    """Voice mode speaks the question, records the mic until silence, shows the transcript,
    and stores the answer as voice with delivery metrics and an InterviewRecording row."""
    speech = read_int16(goforward())
    mic = np.concatenate([np.zeros(8000, np.int16), speech, np.zeros(16000 * 6, np.int16)])
    alsa = FakeAlsa(tmp_path / "alsa", mic)
    home = tmp_path / "home"
    child = _spawn(
        alsa,
        home,
        "interview",
        "start",
        "--voice",
        "--yes",
        "--type",
        "behavioral",
        "--role",
        "Backend Engineer",
        "--count",
        "1",
        "--seed",
        "3",
    )
    index = child.expect(["Enter records your answer", "voice is off"])
    if index == 1:
        child.close()
        pytest.skip("PortAudio is not installed (apt-get install libportaudio2)")
    child.send("\r")
    child.expect("You said")
    child.expect(r"submit[^\r\n]*: ")
    said = child.before
    child.send("\r")
    child.expect("Feedback on question 1")
    child.expect(r"next[^\r\n]*: ")
    child.send("\r")
    child.expect("Recommendations")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    assert alsa.speaker.stat().st_size > 22050, "the question was not played to the speaker"
    db = sqlite3.connect(home / "data" / "preppath.db")
    source, text, delivery = db.execute(
        "SELECT answer_source, answer_text, delivery FROM interview_feedback"
    ).fetchone()
    assert source == "voice"
    assert "forward" in text and text.split()[0] in said
    metrics = json.loads(delivery)
    assert metrics["wpm"] > 0 and "clarity_factor" in metrics
    path, fmt, duration, size, sha = db.execute(
        "SELECT path, format, duration_s, size_bytes, sha256 FROM interview_recording"
    ).fetchone()
    assert not Path(path).is_absolute()  # a key relative to the data folder
    assert fmt == "wav" and (home / "data" / path).stat().st_size == size and len(sha) == 64
    assert 2.8 < duration < 12  # the clip, its lead-in, and the silence that stopped it


def test_no_portaudio_falls_back_to_typed_answers_with_one_line(tmp_path: Path) -> None:
    """Without a usable sound system, voice mode says why in one line and takes typed answers."""
    env = dict(
        os.environ,
        PREPPATH_HOME=str(tmp_path / "home"),
        NO_COLOR="1",
        TERM="dumb",
        HOME=str(tmp_path),
    )  # no ~/.asoundrc: PortAudio sees no sound card here
    env.pop("ALSA_CONFIG_PATH", None)
    env.pop("PREPPATH_VOICE", None)
    child = pexpect.spawn(
        str(PREPPATH),
        ["interview", "start", "--voice", "--yes", "--count", "1", "--role", "backend"],
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    if child.expect(["voice is off: ([^\r\n]*)", "Enter records"]) == 1:
        child.close()
        pytest.skip("this machine has a real sound card, so voice does not fall back")
    reason = child.match.group(1)
    assert reason.strip()
    child.expect("empty line sends it")
    child.sendline("/quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")


@requires_human
def test_audio_import_answers_a_question_from_a_recording(run: Any, home: Path) -> None:
    """`audio import` validates, stores, transcribes and scores a recording as the answer."""
    created = run(
        "interview", "create", "--type", "behavioral", "--role", "backend", "--count", "2", "--json"
    ).json()
    result = run("audio", "import", str(created["id"]), "1", str(goforward()), "--json")
    assert result.code == 0, result.stderr
    answer = result.json()
    assert answer["delivery"]["wpm"] > 0
    db = sqlite3.connect(home / "data" / "preppath.db")
    source, text = db.execute(
        "SELECT answer_source, answer_text FROM interview_feedback"
    ).fetchone()
    assert source == "audio_import" and "forward" in text
    (stored,) = db.execute("SELECT path FROM interview_recording").fetchone()
    assert (home / "data" / stored).read_bytes() == goforward().read_bytes()


def test_audio_import_rejects_a_corrupt_file_and_saves_nothing(
    run: Any, home: Path, tmp_path: Path
) -> None:
    """A file that is not audio gets one line and exit 5; no answer or copy is kept."""
    created = run("interview", "create", "--role", "backend", "--count", "1", "--json").json()
    bad = tmp_path / "answer.mp3"
    bad.write_bytes(b"this is not audio at all" * 100)
    result = run("audio", "import", str(created["id"]), "1", str(bad))
    assert result.code == 5
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("preppath: error:")
    db = sqlite3.connect(home / "data" / "preppath.db")
    assert db.execute("SELECT count(*) FROM interview_feedback").fetchone() == (0,)
    assert not list((home / "data").rglob("*.mp3"))


def test_audio_import_unknown_interview_is_not_found(run: Any, home: Path) -> None:
    """An unknown interview answers 'not found' (exit 3) before any audio work."""
    result = run("audio", "import", "42", "1", str(goforward()))
    assert result.code == 3 and "interview 42 not found" in result.stderr


def test_ctrl_c_while_recording_keeps_no_recording(tmp_path: Path) -> None:
    """Ctrl-C while a spoken answer is being recorded exits 130 and leaves neither a recording
    file nor a row: the unfinished recording is removed, never left for a later interview."""
    import time

    noise = np.random.default_rng(1).standard_normal(16000 * 240) * 4000
    alsa = FakeAlsa(tmp_path / "alsa", noise.astype(np.int16))  # loud: no silence stop
    home = tmp_path / "home"
    child = _spawn(
        alsa, home, "interview", "start", "--voice", "--yes", "--type", "behavioral",
        "--role", "Backend Engineer", "--count", "1", "--seed", "3",
    )  # fmt: skip
    if child.expect(["Enter records your answer", "voice is off"]) == 1:
        child.close()
        pytest.skip("PortAudio is not installed (apt-get install libportaudio2)")
    child.send("\r")
    folder = home / "data" / "recordings"
    deadline = time.monotonic() + 60  # a guard against hanging, not a measurement

    def recording_started() -> bool:
        for p in folder.rglob("*.wav"):
            try:  # a file can be renamed between listing and stat
                if p.stat().st_size > 44:
                    return True
            except FileNotFoundError:
                continue
        return False

    while not recording_started():
        assert time.monotonic() < deadline, "the recording never started"
        time.sleep(0.01)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130, child.before
    assert [p for p in folder.rglob("*") if p.is_file()] == []
    db = sqlite3.connect(home / "data" / "preppath.db")
    assert db.execute("SELECT count(*) FROM interview_recording").fetchone() == (0,)
