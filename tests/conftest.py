"""Shared fixtures: an isolated PREPPATH_HOME per test and a runner for the real CLI entry point."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from preppath.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
SHARED_AUDIO = ROOT.parent / "shared" / "audio" / "human"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


Runner = Callable[..., Result]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own config, data and cache dirs, and no settings from the machine."""
    import os

    for name in list(os.environ):
        if name.startswith("PREPPATH_") or name.startswith("OPENAI_"):
            monkeypatch.delenv(name)
    root = tmp_path / "home"
    monkeypatch.setenv("PREPPATH_HOME", str(root))
    monkeypatch.setenv("PREPPATH_TIMEZONE", "UTC")
    monkeypatch.setenv("PREPPATH_VOICE", "false")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    yield root


@pytest.fixture
def run(home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """Run `preppath ARGS` in-process through the real entry point; `input` is piped stdin."""

    def _run(*args: str, input: str | None = None) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(input or ""))
        code = main(list(args))
        out, err = capsys.readouterr()
        return Result(int(code), out, err)

    return _run
