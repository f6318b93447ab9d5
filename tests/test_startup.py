"""Start-up stays light: commands load only the heavy modules they need (GUIDE.md §3 costs).

These check which modules are imported, not how long anything takes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from conftest import subprocess_env

HEAVY = {
    "openai",
    "sqlmodel",
    "sqlalchemy",
    "numpy",
    "soundfile",
    "sounddevice",
    "pocketsphinx",
    "boto3",
    "av",
    "espeakng_loader",
}


def imported(home: Path, *args: str, stdin: str = "") -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "preppath", *args],
        env=subprocess_env(home),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    return {name.split(".")[0] for name in names}


def test_help_loads_no_heavy_module(tmp_path: Path) -> None:
    """`preppath --help` imports none of the heavy modules."""
    assert imported(tmp_path / "home", "--help") & HEAVY == set()


@pytest.mark.parametrize(
    "command", [["heatmap"], ["streak", "--json"], ["stats", "--json"], ["interview", "list"]]
)
def test_reads_skip_the_orm(tmp_path: Path, command: list[str]) -> None:
    """Read-only commands (progress, the interview list) query without SQLAlchemy or SQLModel."""
    assert imported(tmp_path / "home", *command) & HEAVY == set()


@pytest.fixture
def answered_home(tmp_path: Path) -> Path:
    """A home holding interview 1 with one question answered and one skipped."""
    home = tmp_path / "home"
    for args in (
        ["interview", "create", "--role", "Backend Engineer", "--stack", "python", "-n", "2"],
        ["interview", "answer", "1", "1", "--text", "An index speeds up lookups on a column."],
        ["interview", "skip", "1", "2"],
    ):
        run_ok(home, *args)
    return home


def run_ok(home: Path, *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "preppath", *args],
        env=subprocess_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize(
    "command",
    [
        ["interview", "show", "1"],
        ["interview", "show", "1", "--json"],
        ["interview", "report", "1"],
        ["interview", "report", "1", "--format", "json"],
    ],
)
def test_show_and_report_skip_the_orm(answered_home: Path, command: list[str]) -> None:
    """`interview show` and `interview report` read an answered interview without the ORM."""
    assert imported(answered_home, *command) & HEAVY == set()


def test_answer_and_skip_skip_the_orm(tmp_path: Path) -> None:
    """`interview answer` (which may complete the interview and unlock achievements) and
    `interview skip` write without SQLAlchemy or SQLModel."""
    home = tmp_path / "home"
    run_ok(home, "interview", "create", "--role", "Backend Engineer", "--stack", "python")
    answer = ["interview", "answer", "1", "1", "--text", "A virtualenv per project, pinned."]
    assert imported(home, *answer) & HEAVY == set()
    assert imported(home, "interview", "skip", "1", "2") & HEAVY == set()


def test_create_skips_the_orm(tmp_path: Path) -> None:
    """`interview create` writes the interview and its questions without SQLAlchemy or
    SQLModel, on an empty profile and on one that already has interviews."""
    home = tmp_path / "home"
    create = ["interview", "create", "--role", "Backend Engineer", "--stack", "python", "-n", "2"]
    assert imported(home, *create) & HEAVY == set()
    assert imported(home, *create) & HEAVY == set()  # now with questions recently seen
    run_ok(home, "interview", "show", "2")


def test_scripted_start_skips_the_orm(tmp_path: Path) -> None:
    """`interview start` with its options on the command line creates, starts and answers
    an interview without SQLAlchemy or SQLModel."""
    home = tmp_path / "home"
    start = ["interview", "start", "--role", "Backend Engineer", "--stack", "python", "-n", "1"]
    answer = "A virtualenv per project, with pinned dependencies.\n\n"
    assert imported(home, *start, stdin=answer) & HEAVY == set()
    run_ok(home, "interview", "show", "1")


def test_delete_and_review_skip_the_orm(tmp_path: Path) -> None:
    """`interview delete` and `interview start --review` (which copies a deleted interview's
    question back from the bank) run without SQLAlchemy or SQLModel."""
    home = tmp_path / "home"
    run_ok(home, "interview", "create", "--role", "Backend Engineer", "--stack", "python")
    run_ok(home, "interview", "answer", "1", "1", "--text", "I am not sure.")
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db, db:
        # Due today instead of in a few days: the review draws it now.
        assert db.execute("UPDATE retake SET due_day = '2000-01-01'").rowcount == 1
    assert imported(home, "interview", "delete", "1", "--yes") & HEAVY == set()
    review = ["interview", "start", "--review", "--yes"]
    assert imported(home, *review, stdin="A thorough answer this time.\n\n") & HEAVY == set()
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        assert db.execute("SELECT id, provider, status FROM interview").fetchall() == [
            (2, "review", "completed")
        ]


@pytest.mark.parametrize(
    "command", [["heatmap"], ["streak", "--json"], ["stats"], ["interview", "list", "--page", "1"]]
)
def test_reads_skip_pydantic_and_other_groups(tmp_path: Path, command: list[str]) -> None:
    """A read command with plain settings and options loads neither pydantic (settings and
    typer's parameter adapters) nor the CLI modules of the groups it does not run."""
    modules = imported_modules(tmp_path / "home", *command)
    assert {"pydantic", "pydantic_settings", "pydantic_core"} & {
        m.split(".")[0] for m in modules
    } == set()
    groups = {"preppath.cli.audio", "preppath.cli.config", "preppath.cli.questions"}
    if command[0] != "interview":
        groups.add("preppath.cli.interview")
    assert groups & modules == set()


def test_a_bad_value_still_gets_typers_message(tmp_path: Path) -> None:
    """A value the light conversion does not take is judged by typer's own adapter."""
    done = subprocess.run(
        [sys.executable, "-m", "preppath", "heatmap", "--weeks", "many"],
        env=subprocess_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "'many' is not a whole number" in done.stderr


def imported_modules(home: Path, *args: str) -> set[str]:
    """Every module (full dotted name) a `preppath` run imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "preppath", *args],
        env=subprocess_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


def test_config_show_skips_pydantic(tmp_path: Path) -> None:
    """`config show` with plain settings lists every setting without pydantic, once a first
    run has cached the settings' names and meanings."""
    home = tmp_path / "home"
    run_ok(home, "config", "show")
    modules = imported_modules(home, "config", "show")
    assert {"pydantic", "pydantic_settings"} & {m.split(".")[0] for m in modules} == set()


@pytest.mark.parametrize("command", [["heatmap"], ["interview", "list"]])
def test_reads_skip_the_job_modules(tmp_path: Path, command: list[str]) -> None:
    """With no job queued or running, a read command asks one count and loads none of the
    job pool's modules to judge whether earlier runs left work behind."""
    modules = imported_modules(tmp_path / "home", *command)
    assert {m for m in modules if m.startswith("preppath.jobs")} == set()
    assert "preppath.services.jobs" not in modules


def test_list_and_answer_load_only_their_views(tmp_path: Path) -> None:
    """`interview list` loads the list's result classes alone, and `interview answer` its
    feedback without the report's classes and formats (each frozen dataclass costs ~1 ms)."""
    home = tmp_path / "home"
    run_ok(home, "interview", "create", "--role", "Backend Engineer", "--stack", "python")
    listed = imported_modules(home, "interview", "list")
    assert "preppath.services.views_list" in listed
    assert {"preppath.services.views_interview", "preppath.services.views_report"} & listed == set()
    answered = imported_modules(home, "interview", "answer", "1", "1", "--text", "A `venv`.")
    assert "preppath.services.inline_code" in answered  # the panel drew the answer's `code`
    assert {
        "preppath.services.views_report",
        "preppath.services.report_formats",
    } & answered == set()


def test_create_from_the_cached_bank_loads_no_scorer(tmp_path: Path) -> None:
    """Once the bank is cached, `interview create` and `questions list` load neither the
    scorer's modules (its stemmer) nor the TOML parser: those only check and parse packs."""
    home = tmp_path / "home"
    create = ["interview", "create", "--role", "Backend Engineer", "--stack", "python"]
    run_ok(home, *create)
    for command in (create, ["questions", "list", "--json"]):
        modules = imported_modules(home, *command)
        assert {m for m in modules if m.startswith("preppath.evaluation")} == set(), command
        assert "tomllib" not in modules, command


def test_an_answer_from_the_cached_bank_loads_no_parser_or_loader(tmp_path: Path) -> None:
    """Once the bank and its readings are cached, `interview answer` loads neither the TOML
    parser, the pack loader, OpenSSL (through hashlib) nor the show and report view classes:
    its question's readings and the catalogue come from the build cache."""
    home = tmp_path / "home"
    run_ok(home, "interview", "create", "--role", "Backend Engineer", "--stack", "python")
    run_ok(home, "interview", "answer", "1", "1", "--text", "A virtualenv per project.")
    modules = imported_modules(home, "interview", "answer", "1", "2", "--text", "Pin versions.")
    assert "preppath.evaluation.prepared" in modules
    unwanted = {
        "tomllib",
        "preppath.bank.loader",
        "_hashlib",
        "preppath.services.views_show",
        "preppath.services.views_report",
    }
    assert unwanted & modules == set()
