"""How the command line reads what people type: interview types and levels by their common
spellings, stacks as comma-separated lists, `interview start` without a terminal, and output
for a pipe that is never cut to a width."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import COBOL_KEY_POINTS, cli_create, db_rows, subprocess_env

PREPPATH = Path(sys.executable).with_name("preppath")
GIL = "The GIL lets only one thread run Python bytecode at a time, so threads do not help CPU work."
MUTABLE = (
    "Lists are mutable and tuples are immutable, so a tuple is hashable and can be a dict key."
)


def piped(home: Path, *args: str, stdin: str = "", columns: str | None = "60") -> Any:
    """`preppath ARGS` as a script runs it: standard input and output are pipes."""
    env = subprocess_env(home)
    if columns is None:
        env.pop("COLUMNS")
    else:
        env["COLUMNS"] = columns
    return subprocess.run(
        [str(PREPPATH), *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# --- interview types and levels ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("behavioural", "behavioral"),
        ("behavior", "behavioral"),
        ("Behavioral", "behavioral"),
        ("system-design", "system_design"),
        ("system design", "system_design"),
        ("sd", "system_design"),
        ("tech", "technical"),
        ("Mixed", "mixed"),
    ],
)
def test_interview_types_are_taken_by_their_common_spellings(
    run: Any, home: Path, typed: str, stored: str
) -> None:
    """`--type behavioural`, `system design`, `sd` … create an interview of the canonical type."""
    result = run("interview", "create", "--type", typed, "--role", "Backend Engineer", "-n", "1")
    assert result.code == 0, result.stderr
    assert db_rows(home, "SELECT type FROM interview") == [(stored,)]


def test_levels_are_taken_by_their_common_spellings(run: Any, home: Path) -> None:
    """`--level Senior`, `sr` and `mid-level` are senior, senior and mid."""
    for typed in ("Senior", "sr", "mid-level"):
        result = run("interview", "create", "-l", typed, "--role", "Backend Engineer", "-n", "1")
        assert result.code == 0, result.stderr
    assert db_rows(home, "SELECT level FROM interview ORDER BY id") == [
        ("senior",),
        ("senior",),
        ("mid",),
    ]


def test_type_filters_take_the_same_spellings(run: Any) -> None:
    """`interview list --type sd` and `questions list --type behavioural` filter as the
    canonical names do."""
    design = cli_create(run, type_="system-design", count=1, stack=())["id"]
    cli_create(run, count=1)
    listed = run("interview", "list", "--type", "sd", "--json").json()
    assert [i["id"] for i in listed["items"]] == [design]
    spelled = run("questions", "list", "--type", "behavioural", "--json").json()
    canonical = run("questions", "list", "--type", "behavioral", "--json").json()
    assert spelled == canonical and len(spelled) > 5


def test_an_unknown_type_is_refused_with_the_canonical_names(run: Any) -> None:
    """An unknown type is exit 2 with one line naming the valid types, not pydantic's
    "Value error, …"; `mixed` is not a type a single question can have."""
    for args in (
        ("interview", "create", "--type", "quiz", "--role", "Backend Engineer"),
        ("questions", "list", "--type", "mixed"),
    ):
        result = run(*args)
        assert result.code == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Value error" not in result.stderr
        assert "technical, behavioral" in result.stderr and "system_design" in result.stderr


def test_help_shows_the_canonical_type_names(run: Any) -> None:
    """The help of every command taking an interview type lists the canonical names."""
    for command in ("create", "start", "list"):
        out = " ".join(run("interview", command, "--help").stdout.split())
        assert "technical, behavioral, system_design or mixed" in out, (command, out)


def test_a_pack_may_spell_the_type_and_levels_as_the_commands_do(run: Any, home: Path) -> None:
    """A user pack with `type = "tech"` and `levels = ["Jr", "mid-level"]` is valid, and its
    question is listed under the canonical type and levels."""
    pack = home / "config" / "packs" / "cobol.toml"
    pack.parent.mkdir(parents=True)
    pack.write_text(
        """
[[question]]
id = "cobol-divisions"
type = "tech"
difficulty = "easy"
levels = ["Jr", "mid-level"]
stack = ["cobol"]
text = "What are the four divisions of a COBOL program?"
expected_answer = "Identification, environment, data and procedure divisions."
"""
        + COBOL_KEY_POINTS
    )
    result = run("questions", "validate", str(pack))
    assert result.code == 0, result.stderr
    listed = run("questions", "list", "--stack", "cobol", "--json").json()
    assert [(q["id"], q["type"], q["levels"]) for q in listed] == [
        ("cobol-divisions", "technical", ["junior", "mid"])
    ]


# --- stacks -------------------------------------------------------------------------------------


def test_a_comma_separated_stack_is_several_stacks(run: Any, home: Path) -> None:
    """`--stack python,sql` is two stacks, as at the interactive prompt, and mixes with a
    repeated `--stack`; no notice about a stack called "python,sql"."""
    result = run(
        "interview",
        "create",
        "--role",
        "Backend Engineer",
        "-s",
        "python, SQL",
        "-s",
        "go",
        "-n",
        "3",
    )
    assert result.code == 0, result.stderr
    assert "python,sql" not in result.stderr and "no bank questions" not in result.stderr
    assert db_rows(home, "SELECT stack FROM interview") == [('["python", "sql", "go"]',)]


def test_questions_list_takes_several_stacks(run: Any) -> None:
    """`questions list --stack python,sql` lists the questions of either stack."""
    both = {q["id"] for q in run("questions", "list", "-s", "python,sql", "--json").json()}
    python = {q["id"] for q in run("questions", "list", "-s", "python", "--json").json()}
    sql = {q["id"] for q in run("questions", "list", "--stack", "sql", "--json").json()}
    assert python and sql and both == python | sql


# --- interview start without a terminal ---------------------------------------------------------


def test_piped_start_without_options_refuses_and_points_to_create_and_answer(home: Path) -> None:
    """Piped into `interview start` with nothing on the command line, set-up lines are not
    taken as options or answers: exit 2, one line pointing to `interview create` and
    `interview answer`, and no interview is created."""
    done = piped(home, "interview", "start", stdin="technical\nBackend Engineer\nmid\npython\n3\n")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("preppath: error: ")
    assert "interview create" in done.stderr and "interview answer" in done.stderr
    assert done.stdout == ""
    if (home / "data" / "preppath.db").exists():
        assert db_rows(home, "SELECT count(*) FROM interview") == [(0,)]


def test_piped_start_with_options_says_so_and_takes_each_block_as_one_answer(home: Path) -> None:
    """With its options on the command line, a piped `start` says on stderr that nothing is
    asked and what it will run; then each block ended by an empty line is one answer, in
    order: no block is swallowed by the prompt between questions."""
    done = piped(
        home,
        "interview",
        "start",
        "--role",
        "Backend Engineer",
        "--stack",
        "python",
        "--count",
        "3",
        "--seed",
        "7",
        stdin=f"{GIL}\n\n/skip\n{MUTABLE}\n\n",
    )
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note: not a terminal")]
    assert len(notes) == 2, done.stderr
    assert "3 technical questions for Backend Engineer (mid; stack: python)" in notes[0]
    assert "standard input" in notes[1]
    assert db_rows(
        home,
        "SELECT q.position, q.status, f.answer_text FROM interview_question q "
        "LEFT JOIN interview_feedback f ON f.question_id = q.id ORDER BY q.position",
    ) == [(1, "answered", GIL), (2, "skipped", None), (3, "answered", MUTABLE)]
    assert db_rows(home, "SELECT status FROM interview") == [("completed",)]


def test_piped_start_of_an_existing_interview_says_where_answers_come_from(
    run: Any, home: Path
) -> None:
    """`interview start ID` with piped input runs that interview and says the answers are
    read from standard input."""
    ident = cli_create(run, count=1)["id"]
    done = piped(home, "interview", "start", str(ident), stdin=f"{GIL}\n\n")
    assert done.returncode == 0, done.stderr
    assert f"answers to interview {ident} are read from standard input" in done.stderr
    assert db_rows(home, "SELECT answer_text FROM interview_feedback") == [(GIL,)]


# --- output for a pipe --------------------------------------------------------------------------


@pytest.mark.parametrize("columns", ["60", None])
def test_interview_list_in_a_pipe_is_never_cut_short(
    run: Any, home: Path, columns: str | None
) -> None:
    """`interview list | cat` (60 columns, or no width given) shows every value whole, each
    interview on one line: no "2026-12-…" or "in_progr…"."""
    role = "Senior Site Reliability Engineer"
    cli_create(run, type_="system_design", role=role, count=2)
    run("interview", "answer", "1", "1", "--text", GIL)
    done = piped(home, "interview", "list", columns=columns)
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    created = db_rows(home, "SELECT created_at FROM interview")[0][0][:16].replace("T", " ")
    row = next(line for line in done.stdout.splitlines() if line.strip().startswith("1 "))
    for value in (created, "system design", "mid", role, "in_progress 1/2"):
        assert value in row, (value, done.stdout)


def test_question_list_in_a_pipe_keeps_each_question_on_one_line(home: Path) -> None:
    """`questions list | cat` writes each ID and each question's text whole, on one line."""
    done = piped(home, "questions", "list", "--stack", "go", columns="60")
    assert done.returncode == 0, done.stderr
    listed = piped(home, "questions", "list", "--stack", "go", "--json").stdout
    import json

    lines = done.stdout.splitlines()
    for q in json.loads(listed):
        assert any(line.startswith(q["id"] + " ") for line in lines), q["id"]
        assert any(line.strip() == q["text"] for line in lines), q["text"]


def test_other_tables_in_a_pipe_are_not_cut_either(home: Path) -> None:
    """Tables from other commands (`config show`, a report's scores) are written whole to a
    pipe at 60 columns: nothing ends in "…"."""
    done = piped(home, "config", "show", columns="60")
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    assert "openai_base_url" in done.stdout and "retake_threshold" in done.stdout
