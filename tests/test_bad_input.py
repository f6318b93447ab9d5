"""Bad input: each gets ONE `preppath: error:` line on stderr, its documented exit code, no
traceback, and nothing already saved is lost."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKEND_PYTHON, COBOL_KEY_POINTS, cli_create, subprocess_env

PREPPATH = Path(sys.executable).with_name("preppath")
NOBODY = 65534

ANSWER = (
    "A decorator is a function that takes another function and returns a wrapper; the "
    "wrapper forwards *args and **kwargs and uses functools.wraps to keep the metadata."
)

BAD_LEVEL_PACK = (
    """\
[pack]
name = "broken"

[[question]]
id = "broken-question"
type = "technical"
difficulty = "easy"
levels = ["junior", "wizard"]
stack = ["cobol"]
text = "What are the four divisions of a COBOL program?"
expected_answer = "Identification, environment, data and procedure divisions."
"""
    + COBOL_KEY_POINTS
)


def db_path(home: Path) -> Path:
    return home / "data" / "preppath.db"


def rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db_path(home))) as db:
        return db.execute(sql, args).fetchall()


def snapshot(home: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show a failed command changed nothing."""
    with closing(sqlite3.connect(db_path(home))) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def assert_one_line_error(result: Any, code: int) -> str:
    """The error contract: exit `code`, exactly one stderr line `preppath: error: …`."""
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("preppath: error:"), lines[0]
    assert len(lines[0]) > len("preppath: error: ")
    return lines[0]


def create(run: Any, count: int = 2) -> int:
    return int(cli_create(run, count=count)["id"])


# --- unknown and foreign ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("interview", "show", "999"),
        ("interview", "show", "999", "--json"),
        ("interview", "answer", "999", "1", "--text", ANSWER),
        ("interview", "skip", "999", "1"),
        ("interview", "report", "999"),
        ("interview", "report", "999", "--format", "html", "--output", "r.html"),
        ("interview", "delete", "999", "--yes"),
        ("interview", "delete", "999"),
        ("interview", "start", "999"),
    ],
)
def test_unknown_interview_id_exits_3(run: Any, home: Path, args: tuple[str, ...]) -> None:
    """An unknown interview id is "not found": exit 3, one line naming the id."""
    create(run)
    before = snapshot(home)
    line = assert_one_line_error(run(*args), 3)
    assert line == "preppath: error: interview 999 not found"
    assert snapshot(home) == before
    assert not Path("r.html").exists()


@pytest.mark.parametrize("verb", ["answer", "skip"])
def test_unknown_question_number_exits_3(run: Any, home: Path, verb: str) -> None:
    """A question number the interview does not have is "not found" (exit 3)."""
    ident = create(run, count=2)
    before = snapshot(home)
    extra = ("--text", ANSWER) if verb == "answer" else ()
    line = assert_one_line_error(run("interview", verb, str(ident), "7", *extra), 3)
    assert "not found" in line and "7" in line
    assert snapshot(home) == before


def test_foreign_interview_id_exits_3(run: Any, home: Path) -> None:
    """Another profile's interview id is "not found" exactly like an unknown one."""
    theirs = run(
        "--profile",
        "other",
        "interview",
        "create",
        "--role",
        "Backend Engineer",
        "--count",
        "1",
        "--json",
    ).json()["id"]
    line = assert_one_line_error(run("interview", "show", str(theirs)), 3)
    assert line == f"preppath: error: interview {theirs} not found"


# --- answers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [
        ("--text", ""),
        ("--text", "   \n\t  \n"),
        ("stdin", ""),
        ("stdin", "\n\n  \n"),
        ("file", "  \n"),
    ],
)
def test_empty_answer_exits_5(run: Any, home: Path, tmp_path: Path, how: tuple[str, str]) -> None:
    """An empty or blank answer is rejected with exit 5 and nothing is stored."""
    ident = create(run)
    before = snapshot(home)
    kind, body = how
    if kind == "--text":
        result = run("interview", "answer", str(ident), "1", "--text", body)
    elif kind == "stdin":
        result = run("interview", "answer", str(ident), "1", input=body)
    else:
        path = tmp_path / "empty.txt"
        path.write_text(body, encoding="utf-8")
        result = run("interview", "answer", str(ident), "1", "--file", str(path))
    line = assert_one_line_error(result, 5)
    assert "empty" in line
    assert snapshot(home) == before


def test_megabyte_answer_on_stdin_exits_5_and_changes_nothing(run: Any, home: Path) -> None:
    """A 1 MB pasted answer is refused with exit 5; the earlier answer and everything else stay."""
    ident = create(run, count=2)
    first = run("interview", "answer", str(ident), "1", "--text", ANSWER, "--json")
    assert first.code == 0, first.stderr
    before = snapshot(home)
    huge = ("word " * 210_000)[: 1024 * 1024]
    for position in ("1", "2"):  # a retake of the answered one, and the pending one
        result = run("interview", "answer", str(ident), position, input=huge)
        line = assert_one_line_error(result, 5)
        assert "limit" in line
        assert len(line) < 300
        assert result.stdout == ""
    assert snapshot(home) == before
    assert rows(home, "SELECT answer_text FROM interview_feedback") == [(ANSWER,)]


def test_unreadable_answer_file_exits_5(run: Any, home: Path, tmp_path: Path) -> None:
    """--file pointing at a missing or non-UTF-8 file is one error line, exit 5."""
    ident = create(run)
    assert_one_line_error(
        run("interview", "answer", str(ident), "1", "--file", str(tmp_path / "missing.txt")), 5
    )
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\x80 not utf-8 \xc3\x28")
    assert_one_line_error(run("interview", "answer", str(ident), "1", "--file", str(binary)), 5)
    assert rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]


# --- invalid options ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("interview", "create", "--type", "quiz", "--role", "Backend Engineer"),
        ("interview", "create", "--level", "guru", "--role", "Backend Engineer"),
        ("interview", "create", "--type", "Technical!", "--role", "Backend Engineer"),
        ("interview", "list", "--type", "quiz"),
        ("interview", "list", "--status", "finished"),
        ("interview", "start", "--type", "quiz", "--yes"),
        ("interview", "start", "--level", "guru", "--yes"),
        ("questions", "list", "--type", "quiz"),
        ("questions", "list", "--level", "guru"),
    ],
)
def test_invalid_type_or_level_exits_2(run: Any, home: Path, args: tuple[str, ...]) -> None:
    """An invalid interview type, status or level is a usage error: exit 2, one line."""
    line = assert_one_line_error(run(*args), 2)
    assert "quiz" in line or "guru" in line or "finished" in line or "Technical!" in line
    assert not db_path(home).exists() or rows(home, "SELECT count(*) FROM interview") == [(0,)]


@pytest.mark.parametrize(
    "args",
    [
        ("interview", "create", "--role", "Backend Engineer", "--count", "0"),
        ("interview", "create", "--role", "Backend Engineer", "--count", "21"),
        ("interview", "create", "--role", "   "),
        ("interview", "create", "--role", "Backend Engineer", "--count", "many"),
        ("interview", "list", "--page", "0"),
        ("interview", "list", "--per-page", "0"),
        ("interview", "list", "--since", "yesterday-ish"),
        ("interview", "show", "abc"),
        ("interview", "frobnicate"),
    ],
)
def test_bad_option_values_exit_2(run: Any, home: Path, args: tuple[str, ...]) -> None:
    """Out-of-range counts, blank roles, bad pages and malformed ids are usage errors (exit 2)."""
    assert_one_line_error(run(*args), 2)
    assert not db_path(home).exists() or rows(home, "SELECT count(*) FROM interview") == [(0,)]


def test_text_and_file_together_exit_2(run: Any, home: Path, tmp_path: Path) -> None:
    """Giving both --text and --file is a usage error."""
    ident = create(run)
    path = tmp_path / "a.txt"
    path.write_text(ANSWER, encoding="utf-8")
    assert_one_line_error(
        run("interview", "answer", str(ident), "1", "--text", ANSWER, "--file", str(path)), 2
    )
    assert rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]


def test_unknown_report_format_exits_2(run: Any, tmp_path: Path) -> None:
    """An unknown --format is a usage error and writes no file."""
    ident = create(run)
    out = tmp_path / "r.pdf"
    assert_one_line_error(
        run("interview", "report", str(ident), "--format", "pdf", "--output", str(out)), 2
    )
    assert not out.exists()


def test_malformed_config_file_exits_2(run: Any, home: Path) -> None:
    """A config.toml that is not valid TOML is one error line (exit 2), not a traceback."""
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("speech_rate = = 3\n", encoding="utf-8")
    line = assert_one_line_error(run("interview", "list"), 2)
    assert "config" in line


# --- the database -------------------------------------------------------------------------------


def test_corrupt_database_exits_4(run: Any, home: Path) -> None:
    """A database file full of random bytes: exit 4, one line, and the file is left as it was."""
    path = db_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(random.Random(7).randbytes(32768))
    before = path.read_bytes()
    for args in (
        ("interview", "list"),
        ("interview", "create", "--role", "Backend Engineer", "--count", "1"),
        ("interview", "answer", "1", "1", "--text", ANSWER),
    ):
        line = assert_one_line_error(run(*args), 4)
        assert str(path) in line
    assert path.read_bytes() == before


def test_truncated_database_exits_4(run: Any, home: Path) -> None:
    """A real database cut off after its first pages is refused with exit 4 and one line."""
    from preppath.db import migrations

    path = db_path(home)
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        migrations.apply(db, 0)
        db.execute(
            "INSERT INTO profile (name, created_at) VALUES "
            "('default', '2024-01-01 00:00:00.000000')"
        )
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        assert db.execute("PRAGMA page_count").fetchone()[0] > 6
    path.write_bytes(path.read_bytes()[: 3 * page_size])
    before = path.read_bytes()
    for args in (("interview", "list"), ("interview", "show", "1")):
        line = assert_one_line_error(run(*args), 4)
        assert str(path) in line
    assert path.read_bytes() == before


def _unprivileged_runner() -> list[str] | None:
    """A command prefix that drops root, or [] when not root; None if we cannot."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    probe = subprocess.run(
        [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "true"],
        capture_output=True,
        check=False,
    )
    return (
        [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        if probe.returncode == 0
        else None
    )


@pytest.fixture
def shared_home() -> Iterator[Path]:
    """A PREPPATH_HOME in a world-readable place (pytest's tmp dirs are private to root)."""
    root = Path(tempfile.mkdtemp(prefix="preppath-ro-", dir="/tmp"))
    root.chmod(0o755)
    yield root / "home"
    for path in root.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(root, ignore_errors=True)


def _cli(home: Path, *args: str, prefix: list[str] | None = None) -> Any:
    env = subprocess_env(home, HOME=str(home.parent))
    done = subprocess.run(
        [*(prefix or []), str(PREPPATH), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=home.parent,
        timeout=60,
        check=False,
    )

    class R:
        code = done.returncode
        stdout = done.stdout
        stderr = done.stderr

    return R


def test_read_only_data_dir_exits_4(shared_home: Path) -> None:
    """A data dir the user cannot write: exit 4, one line that points at permissions (not at a
    corrupt file), and the database is left as it was."""
    prefix = _unprivileged_runner()
    if prefix is None:
        pytest.skip("running as root without a working setpriv: cannot drop write access")
    made = _cli(
        shared_home, "interview", "create", "--role", "Backend Engineer", "--count", "1", "--json"
    )
    assert made.code == 0, made.stderr
    data = shared_home / "data"
    # PrepPath made the home 0700 (private); open it all up so only the write bit is missing.
    for path in (shared_home, *shared_home.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    if not prefix:  # not root: take the write bit away from ourselves
        data.chmod(0o555)
        db_path(shared_home).chmod(0o444)
    before = db_path(shared_home).read_bytes()
    for args in (
        ("interview", "create", "--role", "Backend Engineer", "--count", "1"),
        ("interview", "answer", "1", "1", "--text", ANSWER),
        ("interview", "list"),
    ):
        result = _cli(shared_home, *args, prefix=prefix)
        line = assert_one_line_error(result, 4)
        assert "permission" in line.lower(), line
        assert "move it aside" not in line and "unreadable" not in line, line
    assert db_path(shared_home).read_bytes() == before


def test_uncreatable_data_dir_exits_4(shared_home: Path) -> None:
    """When the data dir cannot be created at all: exit 4, one line."""
    prefix = _unprivileged_runner()
    if prefix is None:
        pytest.skip("running as root without a working setpriv: cannot drop write access")
    shared_home.mkdir()
    shared_home.chmod(0o555)
    result = _cli(shared_home, "interview", "list", prefix=prefix)
    line = assert_one_line_error(result, 4)
    assert str(shared_home / "data") in line
    assert not (shared_home / "data").exists()


# --- question packs -----------------------------------------------------------------------------


def _bad_user_pack(home: Path) -> Path:
    packs = home / "config" / "packs"
    packs.mkdir(parents=True)
    path = packs / "broken.toml"
    path.write_text(BAD_LEVEL_PACK, encoding="utf-8")
    (packs / "garbage.toml").write_text("[[question]\nid = 'x'\n", encoding="utf-8")
    return path


def test_malformed_user_pack_does_not_break_the_bank(run: Any, home: Path) -> None:
    """A broken pack in the user packs dir is skipped: the shipped bank still serves interviews."""
    _bad_user_pack(home)
    result = run(
        "interview",
        "create",
        *BACKEND_PYTHON,
        "--count",
        "3",
        "--json",
    )
    assert result.code == 0, result.stderr
    assert len(result.json()["questions"]) == 3
    assert "Traceback" not in result.stderr
    listed = run("questions", "list", "--json")
    assert listed.code == 0, listed.stderr
    ids = {q["id"] for q in listed.json()}
    assert "broken-question" not in ids and len(ids) >= 200


def test_malformed_user_pack_is_reported_by_questions_list(run: Any, home: Path) -> None:
    """`questions list` names each bad user pack with FILE:LINE."""
    path = _bad_user_pack(home)
    result = run("questions", "list")
    assert result.code == 0, result.stderr
    flat = " ".join((result.stdout + result.stderr).split())
    assert f"{path}:8:" in flat
    assert str(path.with_name("garbage.toml")) in flat


def test_malformed_user_pack_is_reported_when_creating(run: Any, home: Path) -> None:
    """Creating an interview while a user pack is broken names that pack in a notice on stderr,
    so the user knows why their questions are missing."""
    path = _bad_user_pack(home)
    result = run(
        "interview",
        "create",
        *BACKEND_PYTHON,
        "--count",
        "1",
        "--json",
    )
    assert result.code == 0, result.stderr
    assert path.name in result.stderr, result.stderr


def test_validate_malformed_pack_exits_5(run: Any, tmp_path: Path) -> None:
    """`questions validate` on a non-TOML file: exit 5 with FILE:LINE, no traceback."""
    path = tmp_path / "garbage.toml"
    path.write_text("[[question]\nid = 'x'\n", encoding="utf-8")
    result = run("questions", "validate", str(path))
    assert result.code == 5
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{path}:1:")
    assert result.stderr.splitlines()[-1].startswith("preppath: error:")
