"""A real interactive `preppath interview start` in a pseudo-terminal: set-up prompts, typed
answers, /skip, /quit, resuming where it stopped, the closing report, and Ctrl-C."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKEND_PYTHON, db_rows, subprocess_env

pexpect = pytest.importorskip("pexpect")

PREPPATH = Path(sys.executable).with_name("preppath")
TIMEOUT = 30
ANSWER_1 = "A context manager runs setup in __enter__ and cleanup in __exit__ for a with block."
ANSWER_3 = "Decorators take a function and return a wrapper closure that adds behaviour."


def spawn(
    home: Path, *args: str, columns: int | None = None, extra_env: dict[str, str] | None = None
) -> Any:
    """`preppath ARGS` in a pseudo-terminal. With `columns`, a terminal of that width that
    rich measures as a person's would be (a "dumb" terminal is always taken as 80 wide);
    `extra_env` adds settings (a stub server's URL and key)."""
    env = subprocess_env(home, TERM="dumb", LINES="40", **(extra_env or {}))
    if columns is not None:
        env.pop("COLUMNS")
        env["TERM"] = "xterm-256color"  # NO_COLOR (from subprocess_env) keeps it uncoloured
    child = pexpect.spawn(
        str(PREPPATH),
        list(args),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, columns or 120),
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
    # The message starts a line of its own rather than running on from the echoed ^C.
    assert re.search(r"(^|\n)preppath: error: interrupted", tail.replace("\r", "")), tail

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


SETUP_LABELS = ("Interview type", "Role", "Level", "Stack", "Questions")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def visible(text: str) -> list[str]:
    """The lines a terminal shows: escape sequences dropped, carriage returns as breaks."""
    return ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n").split("\n")


def asked_prompts(child: Any, total: int) -> list[str]:
    """Answer each set-up prompt with Enter (its default) until `Question 1/N`; the labels
    asked, in order."""
    asked = []
    question = f"Question 1/{total}"
    while child.expect([*(label + r"[^\r\n]*: ?" for label in SETUP_LABELS), question]) < len(
        SETUP_LABELS
    ):
        asked.append(next(label for label in SETUP_LABELS if child.after.startswith(label)))
        child.sendline("")
    return asked


@pytest.mark.parametrize(
    ("args", "total", "asked"),
    [
        (("--type", "behavioral", "--count", "1"), 1, ["Role", "Level"]),
        (
            ("--role", "Backend Engineer", "-s", "python,sql"),
            5,
            ["Interview type", "Level", "Questions"],
        ),
        (
            ("-t", "technical", "-r", "Backend Engineer", "-l", "mid", "-s", "go", "-n", "2"),
            2,
            [],
        ),
    ],
)
def test_start_asks_only_for_the_options_not_given(
    home: Path, args: tuple[str, ...], total: int, asked: list[str]
) -> None:
    """Options given to `interview start` are not asked again (and a behavioural interview
    is not asked for a stack); the count shown in the question title is the one given."""
    child = spawn(home, "interview", "start", *args)
    assert asked_prompts(child, total) == asked
    child.expect_exact("> ")
    child.sendline("/quit")
    code, _ = finish(child)
    assert code == 0
    stored = rows(home, "SELECT type, stack, question_count FROM interview")
    assert len(stored) == 1 and stored[0][2] == total
    if "behavioral" in args:
        assert stored[0][0] == "behavioral"
    if "python,sql" in args:
        assert stored[0][1] == '["python", "sql"]'


def test_setup_prompts_take_aliases_and_ask_again_after_a_bad_reply(home: Path) -> None:
    """At the prompts `behavioural` and `Sr` are understood; `quiz` and `0` are refused with
    what is valid and asked again, instead of ending the session."""
    child = spawn(home, "interview", "start", "--role", "Backend Engineer")
    child.expect("Interview type")
    child.sendline("quiz")
    child.expect("technical, behavioral, system_design or mixed")
    child.expect("Interview type")
    child.sendline("behavioural")
    child.expect("Level")
    child.sendline("Sr")
    child.expect("Questions")
    child.sendline("0")
    child.expect("from 1 to 20")
    child.expect("Questions")
    child.sendline("1")
    child.expect("Question 1/1")
    child.expect_exact("> ")
    child.sendline("/quit")
    code, _ = finish(child)
    assert code == 0
    assert rows(home, "SELECT type, level, question_count FROM interview") == [
        ("behavioral", "senior", 1)
    ]


def test_quit_at_a_setup_prompt_creates_nothing(home: Path) -> None:
    """/quit at a set-up prompt leaves (exit 0) without an interview, rather than becoming
    a role called "/quit"."""
    child = spawn(home, "interview", "start", "--type", "technical")
    child.expect("Role")
    child.sendline("/quit")
    child.expect("Nothing was created")
    code, _ = finish(child)
    assert code == 0
    assert rows(home, "SELECT count(*) FROM interview") == [(0,)]


def test_end_of_input_at_a_setup_prompt_creates_nothing(home: Path) -> None:
    """Ctrl-D at a set-up prompt pauses (exit 0) without creating an interview."""
    child = spawn(home, "interview", "start")
    child.expect("Interview type")
    child.sendeof()
    code, tail = finish(child)
    assert code == 0, tail
    assert "Input ended" in tail
    assert rows(home, "SELECT count(*) FROM interview") == [(0,)]


@pytest.mark.parametrize("columns", [60, 80])
def test_notes_wrap_at_word_boundaries_in_a_narrow_terminal(home: Path, columns: int) -> None:
    """At 60 and 80 columns a long note is wrapped by PrepPath at spaces: no line is wider
    than the terminal and every word of the note arrives whole."""
    role = "Quantum Basket Weaving Supervisor"
    args = ("interview", "start", "--role", role, "-s", "python", "-n", "1", "--yes")
    piped = subprocess.run(
        [str(PREPPATH), *args],
        input="",
        env=subprocess_env(home),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    notes = [line for line in piped.stderr.splitlines() if line.startswith("note: ")]
    assert any(role in n and len(n) > 100 for n in notes), piped.stderr
    child = spawn(home, *args, columns=columns)
    child.expect("Question 1/1")
    lines = visible(child.before)
    child.expect_exact("> ")
    child.sendline("/quit")
    finish(child)
    assert all(len(line) <= columns for line in lines), lines
    shown = " ".join(lines).split()
    for note in notes:
        if "not a terminal" in note:
            continue  # said only when there is no terminal
        words = note.split()
        assert any(shown[i : i + len(words)] == words for i in range(len(shown))), (note, lines)


@pytest.mark.parametrize("columns", [60, 80])
def test_interview_list_in_a_narrow_terminal_keeps_every_value_whole(
    home: Path, columns: int
) -> None:
    """`interview list` at 60 and 80 columns cuts no value short ("2026-12-…", "in_progr…"):
    the date, type, status and role are all there, and no line is wider than the terminal."""
    made = spawn(
        home,
        "interview",
        "create",
        "-t",
        "system-design",
        "--role",
        "Senior Site Reliability Engineer",
        "-n",
        "2",
    )
    assert finish(made)[0] == 0
    answered = spawn(home, "interview", "answer", "1", "1", "--text", ANSWER_1)
    assert finish(answered)[0] == 0
    child = spawn(home, "interview", "list", columns=columns)
    code, out = finish(child)
    assert code == 0
    lines = visible(out)
    text = " ".join(" ".join(lines).split())
    assert "…" not in text
    created = db_rows(home, "SELECT created_at FROM interview")[0][0][:10]
    assert re.search(rf"{created} \d\d:\d\d", text), text
    assert "in_progress" in text and "1/2" in text, text
    for word in ("system", "design", "Senior", "Site", "Reliability", "Engineer"):
        assert word in lines_words(lines), (word, lines)
    assert all(len(line) <= columns for line in lines), lines


def lines_words(lines: list[str]) -> set[str]:
    return {w.strip("│·") for line in lines for w in line.split()}


def test_a_cloud_scorer_scores_answer_n_while_answer_n_plus_1_is_given(
    home: Path, run: Any
) -> None:
    """With a cloud evaluator (the OpenAI stub, held until released) question 2 is asked while
    answer 1 is still being scored; feedback 1 appears, in order, once ready; the session ends
    with every answer scored exactly once and the report."""
    import threading
    import time

    from conftest import cli_create
    from openai_stub import OpenAIStub, chat_reply
    from test_openai_providers import CHAT, _grade

    interview_id = cli_create(run, count=3)["id"]  # from the offline bank
    gate = threading.Event()
    with OpenAIStub() as stub:
        stub.script(CHAT, chat_reply(_grade()))
        reply = stub._next_reply

        def held(recorded: Any) -> Any:
            gate.wait(TIMEOUT)  # scoring cannot finish before the test lets it
            return reply(recorded)

        stub._next_reply = held  # type: ignore[method-assign]
        cloud = {
            "PREPPATH_OPENAI_BASE_URL": stub.base_url,
            "PREPPATH_OPENAI_API_KEY": "sk-pty-background-0123456789",
        }
        child = spawn(home, "interview", "start", str(interview_id), extra_env=cloud)
        child.expect(r"Question 1/3")
        answer_current(child, ANSWER_1)
        child.expect("Answer 1 saved")
        index = child.expect([r"Feedback on question 1", r"Question 2/3"])
        assert index == 1, "question 2 waited for answer 1's score"
        gate.set()
        done = "SELECT count(*) FROM job WHERE status = 'done'"
        deadline = time.monotonic() + TIMEOUT  # a bound against hanging, not a timing check
        while rows(home, done) != [(1,)]:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        answer_current(child, "Tuples are immutable; lists are mutable and not hashable.")
        child.expect(r"Feedback on question 1")
        child.expect(r"Question 3/3")
        answer_current(child, ANSWER_3)
        child.expect(r"Feedback on question 3")
        child.expect(rf"Interview {interview_id} report")
        code, _ = finish(child)
    assert code == 0
    assert rows(home, "SELECT status FROM interview") == [("completed",)]
    assert rows(home, "SELECT count(*), count(DISTINCT question_id) FROM interview_feedback") == [
        (3, 3)
    ]
    assert rows(home, "SELECT status, count(*) FROM job GROUP BY status") == [("done", 3)]


def test_ctrl_c_while_a_cloud_scoring_job_runs_keeps_the_answer_for_jobs_resume(
    home: Path, run: Any
) -> None:
    """Ctrl-C in `interview start` while answer 1's cloud scoring (held by the stub) runs in
    the background: exit 130 with one error line, the answer stored, its job parked back in
    the queue (not left running); the next `jobs resume` scores it, once."""

    from conftest import cli_create
    from openai_stub import OpenAIStub

    interview_id = cli_create(run, count=2)["id"]
    with OpenAIStub() as stub:
        gate, arrived = _hold_scoring(stub)
        cloud = {
            "PREPPATH_OPENAI_BASE_URL": stub.base_url,
            "PREPPATH_OPENAI_API_KEY": "sk-pty-interrupt-0123456789",
            "PREPPATH_JOBS_INTERRUPT_GRACE_S": "0",  # park at once rather than wait 10 s
        }
        child = spawn(home, "interview", "start", str(interview_id), extra_env=cloud)
        child.expect(r"Question 1/2")
        answer_current(child, ANSWER_1)
        child.expect(r"Question 2/2")
        assert arrived.wait(TIMEOUT)  # the scoring call is in flight
        child.expect_exact("> ")
        child.sendintr()
        code, tail = finish(child)
        assert code == 130, tail
        assert "Traceback" not in tail
        assert len([ln for ln in tail.splitlines() if "preppath: error:" in ln]) == 1, tail
        assert rows(home, "SELECT answer_text, scoring FROM answer") == [(ANSWER_1, "pending")]
        assert rows(home, "SELECT status, attempts FROM job") == [("queued", 0)]
        assert rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]

        gate.set()
        resumed = subprocess.run(
            [str(PREPPATH), "jobs", "resume"],
            env=subprocess_env(home, **cloud),
            cwd=str(home.parent),
            capture_output=True,
            text=True,
            timeout=TIMEOUT * 2,
        )
    assert resumed.returncode == 0, resumed.stderr
    assert rows(home, "SELECT status FROM job") == [("done",)]
    assert rows(home, "SELECT answer_text FROM interview_feedback") == [(ANSWER_1,)]
    assert rows(home, "SELECT scoring FROM answer") == [("scored",)]


def test_a_second_ctrl_c_in_the_grace_period_parks_the_running_scoring(
    home: Path, run: Any
) -> None:
    """Ctrl-C while answer 1's cloud scoring (held by the stub) runs, then Ctrl-C again while
    the session waits out the grace period: exit 130, the job parked (`jobs list` shows
    nothing running), and the next `jobs resume` scores the answer exactly once."""
    import json

    from conftest import cli_create
    from openai_stub import OpenAIStub
    from test_openai_providers import CHAT

    interview_id = cli_create(run, count=2)["id"]
    with OpenAIStub() as stub:
        gate, arrived = _hold_scoring(stub)
        cloud = {
            "PREPPATH_OPENAI_BASE_URL": stub.base_url,
            "PREPPATH_OPENAI_API_KEY": "sk-pty-twice-0123456789",
            "PREPPATH_JOBS_INTERRUPT_GRACE_S": "60",  # longer than the test: only Ctrl-C ends it
        }
        child = spawn(home, "interview", "start", str(interview_id), extra_env=cloud)
        child.expect(r"Question 1/2")
        answer_current(child, ANSWER_1)
        child.expect(r"Question 2/2")
        assert arrived.wait(TIMEOUT)
        child.expect_exact("> ")
        child.sendintr()
        child.expect("Ctrl-C again leaves it queued")
        child.sendintr()
        code, tail = finish(child)
        assert code == 130, tail
        assert "Traceback" not in tail
        env = subprocess_env(home, **cloud)
        listed = subprocess.run(
            [str(PREPPATH), "jobs", "list", "--json"], env=env, cwd=str(home.parent),
            capture_output=True, text=True, timeout=TIMEOUT,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        statuses = [job["status"] for job in json.loads(listed.stdout)]
        assert statuses == ["queued"], statuses
        assert rows(home, "SELECT status, attempts FROM job") == [("queued", 0)]

        gate.set()
        for _ in range(2):  # a second run finds nothing left to do
            resumed = subprocess.run(
                [str(PREPPATH), "jobs", "resume"], env=env, cwd=str(home.parent),
                capture_output=True, text=True, timeout=TIMEOUT * 2,
            )  # fmt: skip
            assert resumed.returncode == 0, resumed.stderr
    assert rows(home, "SELECT status, attempts FROM job") == [("done", 1)]
    assert rows(home, "SELECT answer_text FROM interview_feedback") == [(ANSWER_1,)]
    assert len(stub.requests_to(CHAT)) == 2  # the parked attempt, and the one that scored it


def _hold_scoring(stub: Any) -> tuple[Any, Any]:
    """Script a grade on the stub and hold each scoring call until `gate` is set; `arrived` is
    set once a call is in flight."""
    import threading

    from openai_stub import chat_reply
    from test_openai_providers import CHAT, _grade

    gate, arrived = threading.Event(), threading.Event()
    stub.script(CHAT, chat_reply(_grade()))
    reply = stub._next_reply

    def held(recorded: Any) -> Any:
        arrived.set()
        gate.wait(TIMEOUT)  # the first scoring stays in flight until released
        return reply(recorded)

    stub._next_reply = held
    return gate, arrived
