"""`interview create --question ID`: an interview of the bank questions named, in that order,
and the one-line refusals for unknown ids, repeats, misfitting types and mixed-up options."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from conftest import Runner

GIL = "python-gil"  # technical, python
GENERATORS = "python-generators"  # technical, python
OWNERSHIP = "behavioral-ownership-beyond-role"  # behavioral


def stored_questions(home: Path, interview_id: int) -> list[tuple[int, str]]:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return db.execute(
            "SELECT position, bank_id FROM interview_question WHERE interview_id = ?"
            " ORDER BY position",
            (interview_id,),
        ).fetchall()


def test_named_questions_are_asked_in_the_order_given(run: Runner, home: Path) -> None:
    """Repeated --question builds an interview of exactly those bank questions, in order."""
    result = run("interview", "create", "-q", GENERATORS, "--question", GIL, "--json")
    assert result.code == 0, result.stderr
    created = result.json()
    assert [q["bank_id"] for q in created["questions"]] == [GENERATORS, GIL]
    assert stored_questions(home, created["id"]) == [(1, GENERATORS), (2, GIL)]
    shown = run("interview", "show", str(created["id"]), "--json").json()
    assert shown["type"] == "technical"
    assert shown["stack"] == ["python"]


def test_one_question_makes_a_drill_that_can_be_answered(run: Runner) -> None:
    """A single named question is a one-question interview that completes when answered."""
    created = run("interview", "create", "-q", GIL, "--json").json()
    answered = run(
        "interview",
        "answer",
        str(created["id"]),
        "1",
        "--text",
        "The GIL lets one thread run Python bytecode at a time, so CPU-bound threads do not "
        "run in parallel; I/O-bound threads still overlap because the lock is released.",
        "--json",
    )
    assert answered.code == 0, answered.stderr
    assert answered.json()["interview_completed"] is True


def test_questions_of_different_types_make_a_mixed_interview(run: Runner) -> None:
    """Questions of two types give a `mixed` interview unless a type is asked for."""
    created = run("interview", "create", "-q", GIL, "-q", OWNERSHIP, "--json").json()
    assert run("interview", "show", str(created["id"]), "--json").json()["type"] == "mixed"


def test_a_type_that_does_not_fit_the_questions_is_refused(run: Runner, home: Path) -> None:
    """--type behavioral with a technical question is a usage error naming the misfit."""
    result = run("interview", "create", "-q", GIL, "-q", OWNERSHIP, "--type", "behavioral")
    assert result.code == 2
    assert f"{GIL} (technical)" in result.stderr
    assert OWNERSHIP not in result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / "data" / "preppath.db").exists() or _interview_count(home) == 0


def test_unknown_ids_are_all_named_and_nothing_is_created(run: Runner, home: Path) -> None:
    """Every unknown id is listed in one line, exit 3, and no interview is stored."""
    result = run("interview", "create", "-q", GIL, "-q", "no-such-one", "-q", "nor-this")
    assert result.code == 3
    assert result.stderr.count("\n") == 1
    assert "no-such-one, nor-this" in result.stderr
    assert _interview_count(home) == 0


def test_a_repeated_id_is_refused(run: Runner, home: Path) -> None:
    """The same question twice is a usage error: an interview asks each question once."""
    result = run("interview", "create", "-q", GIL, "-q", GENERATORS, "-q", GIL)
    assert result.code == 2
    assert f"question {GIL} is given more than once" in result.stderr
    assert _interview_count(home) == 0


def test_drawing_options_cannot_be_mixed_with_named_questions(run: Runner) -> None:
    """--count, --stack and --seed draw questions, so they are refused beside --question."""
    result = run("interview", "create", "-q", GIL, "--count", "2", "--stack", "go")
    assert result.code == 2
    assert "drop --count, --stack" in result.stderr


def test_more_than_twenty_questions_are_refused(run: Runner) -> None:
    """The 20-question limit of a drawn interview holds for named questions too."""
    listed = run("questions", "list", "--json").json()
    ids = [q["id"] for q in listed][:21]
    args = [arg for ident in ids for arg in ("-q", ident)]
    result = run("interview", "create", *args)
    assert result.code == 2
    assert "at most 20 questions; 21 given" in result.stderr


def test_a_drawn_interview_still_needs_a_role(run: Runner) -> None:
    """Without --question, --role stays required (now checked by PrepPath, not typer)."""
    result = run("interview", "create", "--count", "2")
    assert result.code == 2
    assert "--role" in result.stderr


def _interview_count(home: Path) -> int:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return int(db.execute("SELECT count(*) FROM interview").fetchone()[0])
