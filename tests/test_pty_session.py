"""A real interactive `preppath interview start` in a pseudo-terminal: set-up prompts, typed
answers, /skip, /quit, resuming where it stopped, the closing report, and Ctrl-C."""

from __future__ import annotations

import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKEND_PYTHON, subprocess_env

pexpect = pytest.importorskip("pexpect")

PREPPATH = Path(sys.executable).with_name("preppath")
TIMEOUT = 30
ANSWER_1 = "A context manager runs setup in __enter__ and cleanup in __exit__ for a with block."
ANSWER_3 = "Decorators take a function and return a wrapper closure that adds behaviour."


def spawn(home: Path, *args: str) -> Any:
    env = subprocess_env(home, TERM="dumb", LINES="40")
    child = pexpect.spawn(
        str(PREPPATH),
        list(args),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 120),
        cwd=str(home.parent),
    )
    child.delaybeforesend = 0.02
    return child


def finish(child: Any) -> tuple[int | None, str]:
    child.expect(pexpect.EOF)
    tail = child.before
    child.close()
    return child.exitstatus, tail


def rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return db.execute(sql, args).fetchall()


def answer_current(child: Any, text: str) -> None:
    """Type a one-line answer at the `> ` prompt and send it with an empty line."""
    child.expect_exact("> ")
    child.sendline(text)
    child.expect_exact("… ")
    child.sendline("")


def test_interactive_session_skip_quit_resume_and_report(home: Path) -> None:
    """Set-up prompts, an answer with feedback, /skip, /quit (exit 0, state saved), then
    `start ID` resumes at question 3 and closes with the report's recommendations."""
    child = spawn(home, "interview", "start")
    child.expect("Interview type")
    child.sendline("technical")
    child.expect("Role")
    child.sendline("Backend Engineer")
    child.expect("Level")
    child.sendline("mid")
    child.expect("Stack")
    child.sendline("python")
    child.expect("Questions")
    child.sendline("3")

    child.expect(r"Question 1/3")
    answer_current(child, ANSWER_1)
    child.expect(r"Feedback on question 1")
    child.expect(r"(\d+)/100")
    assert 0 <= int(child.match.group(1)) <= 100
    child.expect("next")
    child.sendline("")

    child.expect(r"Question 2/3")
    child.expect_exact("> ")
    child.sendline("/skip")

    child.expect(r"Question 3/3")
    child.expect_exact("> ")
    child.sendline("/quit")
    child.expect(r"Resume with preppath interview start (\d+)")
    interview_id = int(child.match.group(1))
    code, _ = finish(child)
    assert code == 0

    assert rows(
        home, "SELECT id, type, role, level, stack, status, question_count FROM interview"
    ) == [(interview_id, "technical", "Backend Engineer", "mid", '["python"]', "in_progress", 3)]
    assert rows(home, "SELECT position, status FROM interview_question ORDER BY position") == [
        (1, "answered"),
        (2, "skipped"),
        (3, "pending"),
    ]
    assert rows(
        home,
        "SELECT q.position, f.answer_text, f.answer_source FROM interview_feedback f "
        "JOIN interview_question q ON q.id = f.question_id",
    ) == [(1, ANSWER_1, "typed")]

    child = spawn(home, "interview", "start", str(interview_id))
    index = child.expect([r"Question 1/3", r"Question 2/3", r"Question 3/3"])
    assert index == 2, "the resumed session did not start at question 3"
    answer_current(child, ANSWER_3)
    child.expect(r"Feedback on question 3")
    child.expect("next")
    child.sendline("")
    child.expect(rf"Interview {interview_id} report")
    child.expect("Recommendations")
    code, _ = finish(child)
    assert code == 0

    assert rows(home, "SELECT status FROM interview") == [("completed",)]
    assert rows(home, "SELECT position, status FROM interview_question ORDER BY position") == [
        (1, "answered"),
        (2, "skipped"),
        (3, "answered"),
    ]
    assert rows(
        home,
        "SELECT q.position, f.answer_text FROM interview_feedback f "
        "JOIN interview_question q ON q.id = f.question_id ORDER BY q.position",
    ) == [(1, ANSWER_1), (3, ANSWER_3)]
    assert rows(home, "SELECT count(*) FROM activity WHERE type = 'interview_completed'") == [(1,)]


def test_ctrl_c_during_an_answer_exits_130_and_keeps_earlier_answers(home: Path) -> None:
    """Ctrl-C while typing an answer: exit 130, one `preppath: error: interrupted…` line, no
    traceback, and the answers given before it remain in the database."""
    child = spawn(
        home,
        "interview",
        "start",
        "--type",
        "technical",
        "--role",
        "Backend Engineer",
        "--level",
        "mid",
        "--stack",
        "python",
        "--count",
        "3",
        "--yes",
    )
    child.expect(r"Question 1/3")
    answer_current(child, ANSWER_1)
    child.expect(r"Feedback on question 1")
    child.expect("next")
    child.sendline("")
    child.expect(r"Question 2/3")
    child.expect_exact("> ")
    child.send("I would start by half typing")
    child.expect_exact("half typing")
    child.sendintr()
    code, tail = finish(child)
    assert code == 130
    assert "Traceback" not in tail
    errors = [line.strip() for line in tail.splitlines() if "preppath: error:" in line]
    assert len(errors) == 1, tail
    assert re.search(r"preppath: error: interrupted", errors[0]), errors[0]

    assert rows(home, "SELECT position, status FROM interview_question ORDER BY position") == [
        (1, "answered"),
        (2, "pending"),
        (3, "pending"),
    ]
    assert rows(home, "SELECT f.answer_text FROM interview_feedback f") == [(ANSWER_1,)]
    assert rows(home, "SELECT status FROM interview") == [("in_progress",)]


def test_start_without_id_offers_to_resume_the_unfinished_interview(home: Path) -> None:
    """`interview start` with no ID offers the unfinished interview and resumes at its next
    pending question."""
    made = spawn(
        home,
        "interview",
        "create",
        *BACKEND_PYTHON,
        "--count",
        "2",
        "--json",
    )
    code, out = finish(made)
    assert code == 0, out
    answered = spawn(home, "interview", "answer", "1", "1", "--text", ANSWER_1)
    code, out = finish(answered)
    assert code == 0, out

    child = spawn(home, "interview", "start")
    child.expect(r"Resume interview 1 [^\r\n]*1/2 answered")
    child.sendline("")
    index = child.expect([r"Question 1/2", r"Question 2/2"])
    assert index == 1
    child.expect_exact("> ")
    child.sendline("/quit")
    code, _ = finish(child)
    assert code == 0
    assert rows(home, "SELECT count(*) FROM interview") == [(1,)]


def test_session_prompts_show_their_defaults_and_keys(home: Path) -> None:
    """The set-up prompts show their default in brackets and the feedback prompt shows its keys
    ([m] model answer, [q] quit), so the person can see what Enter and each key will do."""
    prompts: dict[str, str] = {}
    child = spawn(home, "interview", "start")
    for label, reply in (
        ("Interview type", ""),
        ("Role", "Backend Engineer"),
        ("Level", ""),
        ("Stack", "python"),
        ("Questions", "1"),
    ):
        child.expect(label + r"[^\r\n]*:")
        prompts[label] = child.after
        child.sendline(reply)
    answer_current(child, ANSWER_1)
    child.expect(r"next[^\r\n]*:")
    prompts["feedback"] = child.after
    child.sendline("")
    code, _ = finish(child)
    assert code == 0
    assert "[technical]" in prompts["Interview type"], prompts
    assert "[mid]" in prompts["Level"], prompts
    assert "[5]" in prompts["Questions"], prompts
    assert "[m] model answer" in prompts["feedback"], prompts
    assert "[q] quit" in prompts["feedback"], prompts
