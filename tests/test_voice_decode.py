"""Audio files through PyAV: every supported format decodes; bad files give one INVALID line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from preppath.errors import ExitCode, PrepPathError
from preppath.voice.decode import load_audio, resample, validate_audio_file
from preppath.voice.stt import transcribe_pcm
from voice_conftest import FORMATS, encode, goforward, read_int16, requires_human

pytestmark = requires_human


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """goforward.wav encoded at test time into each supported container."""
    root = tmp_path_factory.mktemp("formats")
    samples = read_int16(goforward())
    return {fmt: encode(samples, 16000, root / "goforward", fmt) for fmt in FORMATS}


@pytest.mark.parametrize("fmt", ["wav", "flac"])
def test_lossless_format_decodes_exactly(encoded: dict[str, Path], fmt: str) -> None:
    """WAV and FLAC decode to the original 16 kHz mono samples."""
    audio = load_audio(encoded[fmt])
    assert np.array_equal(audio.samples, read_int16(goforward()))


@pytest.mark.parametrize("fmt", ["ogg", "mp3", "webm", "m4a"])
def test_lossy_format_decodes_and_transcribes(encoded: dict[str, Path], fmt: str) -> None:
    """OGG, MP3, WebM and M4A decode to 16 kHz mono that still transcribes correctly."""
    audio = load_audio(encoded[fmt])
    assert audio.samples.dtype == np.int16
    assert audio.info.duration_s == pytest.approx(2.786, abs=0.08)  # codec padding trimmed or not
    assert transcribe_pcm(audio.samples).text == "go forward ten meters"


def test_stereo_44k_is_downmixed_and_resampled(tmp_path: Path) -> None:
    """A 44.1 kHz stereo FLAC becomes 16 kHz mono of the same length."""
    mono = read_int16(goforward())
    up = resample(mono, 16000, 44100)
    stereo = np.repeat(up, 2)  # interleaved L R L R
    path = encode(stereo, 44100, tmp_path / "stereo", "flac", channels=2)
    audio = load_audio(path)
    assert audio.info.channels == 2 and audio.info.source_sample_rate == 44100
    assert len(audio.samples) == pytest.approx(len(mono), abs=40)


def _write_wav(path: Path, samples: np.ndarray[Any, Any]) -> Path:
    sf.write(str(path), samples.astype(np.int16), 16000, subtype="PCM_16")
    return path


def _invalid(path: Path, **kwargs: Any) -> str:
    with pytest.raises(PrepPathError) as info:
        validate_audio_file(path, **kwargs)
    assert info.value.code == ExitCode.INVALID
    assert "\n" not in info.value.message and str(path) in info.value.message
    return info.value.message


def test_missing_file(tmp_path: Path) -> None:
    """A path that does not exist is reported as not found."""
    assert "not found" in _invalid(tmp_path / "nope.wav")


def test_empty_file(tmp_path: Path) -> None:
    """A zero-byte file is reported as empty."""
    path = tmp_path / "empty.mp3"
    path.touch()
    assert "empty" in _invalid(path)


def test_corrupt_file(tmp_path: Path) -> None:
    """Bytes that are not audio are reported as undecodable."""
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(1).bytes(4000))
    assert "cannot decode" in _invalid(path)


def test_unsupported_extension(tmp_path: Path) -> None:
    """A format outside the supported list is refused by name, with the supported ones."""
    path = tmp_path / "answer.txt"
    path.write_text("hello")
    message = _invalid(path)
    assert "unsupported" in message and "MP3" in message


def test_silent_file(tmp_path: Path) -> None:
    """A recording of silence is refused (nothing would be transcribed)."""
    assert "silent" in _invalid(_write_wav(tmp_path / "quiet.wav", np.zeros(16000 * 2)))


def test_over_long_file(tmp_path: Path) -> None:
    """Audio longer than max_seconds is refused with its length."""
    message = _invalid(goforward(), max_seconds=1.0)
    assert "over the 1 s limit" in message


def test_over_size_file() -> None:
    """A file above max_bytes (25 MB for cloud upload by default) is refused with its size."""
    assert "MB limit" in _invalid(goforward(), max_bytes=1000)


def test_valid_file_info() -> None:
    """validate_audio_file returns format, codec, duration and size of a good file."""
    info = validate_audio_file(goforward())
    assert info.container == "wav" and info.codec == "pcm_s16le"
    assert info.duration_s == pytest.approx(2.786, abs=0.01)
    assert info.size_bytes == goforward().stat().st_size
    assert set(info.to_dict()) >= {"duration_s", "container", "size_bytes"}
