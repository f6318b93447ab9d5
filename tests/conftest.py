"""Shared fixtures: an isolated PREPPATH_HOME per test and a runner for the real CLI entry point."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from preppath.__main__ import main
from preppath.domain import ExperienceLevel, InterviewType
from preppath.services.context import AppContext, open_app
from preppath.services.interviews import InterviewOptions, create_interview
from preppath.services.views import InterviewView
from preppath.settings import load_settings

# The S3 protocol server (moto) and a fresh bucket for the sync tests.
from s3_server import bucket, s3_server  # noqa: F401 (pytest finds fixtures by name)

# `--require-all` (CI) turns skips into failures; the hooks live in their own module so that
# tests/test_project_setup.py can run them on a suite of its own.
from strict_skips import (  # noqa: F401 (pytest finds hooks by name in conftest)
    pytest_addoption,
    pytest_make_collect_report,
    pytest_runtest_makereport,
)

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
    monkeypatch.setenv("PREPPATH_JOBS_BACKOFF_S", "0")  # job retries at once: no test times them
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    yield root


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a `preppath` child process: the same isolation as `home`."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPPATH_", "OPENAI_"))}
    env.update(
        PREPPATH_HOME=str(home),
        PREPPATH_VOICE="false",
        PREPPATH_TIMEZONE="UTC",
        NO_COLOR="1",
        COLUMNS="120",
        **extra,
    )
    return env


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


# The key points of the small COBOL question the user-pack tests write into their packs.
COBOL_KEY_POINTS = """
[[question.key_points]]
point = "Identification division"
phrasings = ["identification division"]

[[question.key_points]]
point = "Environment division"
phrasings = ["environment division"]

[[question.key_points]]
point = "Data and procedure divisions"
phrasings = ["data division", "procedure division"]
"""

# The usual interview options in CLI tests: a backend role with a Python stack.
BACKEND_PYTHON = ("--role", "Backend Engineer", "--stack", "python")

START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # a Monday, noon UTC


class Clock:
    """A settable clock for `open_app(settings, clock=...)`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from preppath.db.engine import prepare_database

    path = tmp_path_factory.mktemp("template") / "preppath.db"
    prepare_database(path)
    return path


@pytest.fixture
def fresh_database(home: Path, migrated_database: Path) -> None:
    """Start from a copy of a database freshly created by the real migrations (creating one
    costs ~50 ms, a copy ~1 ms)."""
    target = home / "data" / "preppath.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_database, target)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def app(home: Path, clock: Clock) -> Iterator[AppContext]:
    """The service layer's context on the test's database, with a settable clock."""
    ctx = open_app(load_settings(), clock=clock)
    yield ctx
    ctx.engine.dispose()


def db_rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return db.execute(sql, args).fetchall()


def cli_create(
    run: Runner,
    *,
    profile: str | None = None,
    count: int = 3,
    type_: str = "technical",
    role: str = "Backend Engineer",
    level: str = "mid",
    stack: tuple[str, ...] = ("python",),
    seed: int | None = None,
) -> dict[str, Any]:
    """`preppath interview create … --json` through the real entry point; its JSON."""
    args = [
        *(("--profile", profile) if profile else ()),
        "interview",
        "create",
        "--type",
        type_,
        "--role",
        role,
        "--level",
        level,
        "--count",
        str(count),
        "--json",
    ]
    for s in stack:
        args += ["--stack", s]
    if seed is not None:
        args += ["--seed", str(seed)]
    result = run(*args)
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def service_interview(
    ctx: AppContext,
    *,
    count: int = 1,
    stack: tuple[str, ...] = ("python",),
    type_: InterviewType = InterviewType.TECHNICAL,
    seed: int = 7,
) -> InterviewView:
    """An interview created through the service layer, as `interview create` would."""
    return create_interview(
        ctx, InterviewOptions(type_, "Backend Engineer", ExperienceLevel.MID, stack, count, seed)
    )


def answer_scored(
    ctx: AppContext, interview_id: int, position: int, text: str, evaluation: Any
) -> Any:
    """Answer through the real service with the evaluator replaced by a named fake that returns
    `evaluation`: the score is the test's choice, everything after scoring is real."""
    from preppath.providers.factory import overridden
    from preppath.services.answers import answer_question
    from preppath.testing.fakes import FakeEvaluator

    with overridden("evaluation", FakeEvaluator().enqueue(evaluation)):
        return answer_question(ctx, interview_id, position, text)
