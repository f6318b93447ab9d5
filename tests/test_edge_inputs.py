"""Inputs found in review: each gets a plain outcome, never an 'unexpected' error or a hang."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import COBOL_KEY_POINTS, cli_create, db_rows, subprocess_env

PREPPATH = Path(sys.executable).with_name("preppath")
PACK_HEAD = """
[[question]]
id = "{id}"
type = "technical"
difficulty = "easy"
levels = ["junior"]
stack = ["cobol"]
text = "What are the four divisions of a COBOL program?"
expected_answer = "Identification, environment, data and procedure divisions."
"""


def _pack(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "pack.toml"
    path.write_text("".join(PACK_HEAD.format(id=i) + COBOL_KEY_POINTS for i in ids))
    return path


def test_validate_reports_an_id_used_twice_in_one_pack(run: Any, tmp_path: Path) -> None:
    """A pack repeating an id is invalid, with the line of the second one."""
    result = run("questions", "validate", str(_pack(tmp_path, "cobol-a", "cobol-a")))
    assert result.code == 5
    assert f"{tmp_path / 'pack.toml'}:" in result.stderr and "appears twice" in result.stderr


def test_validate_reports_an_id_the_shipped_bank_uses(run: Any, tmp_path: Path) -> None:
    """A user pack reusing a built-in id is invalid: loading would skip that question."""
    result = run("questions", "validate", str(_pack(tmp_path, "python-gil")))
    assert result.code == 5 and "repeats a built-in question" in result.stderr


def test_input_ending_mid_answer_sends_it_and_pauses(home: Path) -> None:
    """Piped input without a closing empty line: the text is answered, then the session pauses
    (exit 0) instead of reading the closed input forever."""
    done = subprocess.run(
        [str(PREPPATH), "interview", "start", "--yes", "--role", "backend", "--count", "2"],
        input="The GIL lets one thread run Python bytecode at a time.",
        env=subprocess_env(home),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Input ended" in done.stdout
    answers = db_rows(home, "SELECT answer_text FROM interview_feedback")
    assert answers == [("The GIL lets one thread run Python bytecode at a time.",)]


def test_an_empty_api_key_means_offline(run: Any, monkeypatch: Any) -> None:
    """PREPPATH_OPENAI_API_KEY set but empty does not switch to (a failing) OpenAI."""
    monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", "")
    result = run("interview", "create", "--role", "backend", "--count", "1", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["provider"] == "offline"


def test_out_of_range_numbers_are_usage_errors(run: Any) -> None:
    """IDs, pages and seeds too big for SQLite are exit 2, one line."""
    for args in (
        ("interview", "show", "9" * 25),
        ("interview", "list", "--page", "9" * 25),
        ("interview", "create", "--role", "x", "--seed", "9" * 25),
    ):
        result = run(*args)
        assert result.code == 2, (args, result.stderr)
        assert result.stderr == "preppath: error: a number or date is out of range\n"


def test_reanswering_a_completed_interview_updates_its_score(run: Any, home: Path) -> None:
    """The stored overall follows the latest answers, so list, show and report agree."""
    iv = cli_create(run, count=1)
    run("interview", "answer", str(iv["id"]), "1", "--text", "I am not sure at all.")
    better = run(
        "interview",
        "answer",
        str(iv["id"]),
        "1",
        "--text",
        "Mutable defaults are evaluated once at definition time, so the same list is "
        "shared between calls; use None and create the list inside the function.",
        "--json",
    ).json()
    report = run("interview", "report", str(iv["id"]), "--json").json()
    assert db_rows(home, "SELECT overall FROM interview") == [(float(better["overall"]),)]
    assert report["overall"] == report["interview"]["overall"] == better["overall"]


def test_practice_dates_before_2000_are_refused(run: Any, home: Path) -> None:
    """`--at 0001-01-01` is a typo, not history: exit 2 and nothing recorded."""
    result = run("activity", "track", "practice", "--at", "0001-01-01T00:00:00")
    assert result.code == 2 and "2000" in result.stderr
    assert db_rows(home, "SELECT count(*) FROM activity") == [(0,)]


def test_review_of_a_deleted_interviews_bank_question_uses_the_bank(app: Any, clock: Any) -> None:
    """A retake whose interview was deleted is still drawn: the bank has the question."""

    from conftest import service_interview
    from preppath.providers.factory import overridden
    from preppath.services.answers import answer_question
    from preppath.services.interviews import delete_interview
    from preppath.services.retakes import create_review_interview
    from preppath.testing.fakes import FakeEvaluator
    from preppath.values import Evaluation

    view = service_interview(app)
    weak = FakeEvaluator().enqueue(Evaluation(2.0, 2.0, 2.0, 20, [], []))
    with overridden("evaluation", weak):
        answer_question(app, view.id, 1, "I do not know.")
    assert weak.calls == [(view.questions[0].bank_id, "I do not know.")]
    delete_interview(app, view.id)
    clock.advance(days=1)
    review = create_review_interview(app)
    assert [q.bank_id for q in review.questions] == [view.questions[0].bank_id]
