"""`preppath batch run` and `batch validate` on real plan files in temporary folders and on every
plan in examples/: results, resuming, the CSV and JSON outputs, and each kind of bad plan."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, Runner

EXAMPLES = sorted((ROOT / "examples").glob("plan-*.yaml"))

GIL_ANSWER = (
    "The GIL is a lock in CPython that lets only one thread run Python bytecode at a time, so"
    " CPU-bound threads do not run in parallel; I/O-bound threads still overlap."
)


def write_plan(folder: Path, text: str, name: str = "plan.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return db.execute(sql, args).fetchall()


def feedback_per_question(home: Path) -> list[tuple[int, int, int]]:
    """(interview, position, number of stored answers) for every question."""
    return [
        (r[0], r[1], r[2])
        for r in rows(
            home,
            "SELECT q.interview_id, q.position, count(f.id) FROM interview_question AS q"
            " LEFT JOIN interview_feedback AS f ON f.question_id = q.id"
            " GROUP BY q.id ORDER BY q.interview_id, q.position",
        )
    ]


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    """Two named-question interviews: a typed answer, a file answer, and a skip."""
    folder = tmp_path / "plans"
    (folder / "answers").mkdir(parents=True)
    (folder / "answers" / "generators.txt").write_text(
        "A generator yields values one at a time, lazily, so it uses little memory compared"
        " with building a whole list.\n",
        encoding="utf-8",
    )
    return write_plan(
        folder,
        f"""\
interviews:
  - questions: [python-gil, python-generators]
    answers:
      - text: "{GIL_ANSWER}"
      - file: answers/generators.txt
  - questions: [behavioral-conflict-peer]
    answers:
      - skip: true
""",
    )


# --- running --------------------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_plan_validates_and_runs_offline(run: Runner, example: Path) -> None:
    """Each plan shipped in examples/ is valid and runs offline with no item failing."""
    assert run("batch", "validate", str(example)).code == 0
    result = run("batch", "run", str(example), "--json")
    assert result.code == 0, result.stderr
    items = result.json()["items"]
    assert items
    assert all(item["status"] in ("answered", "skipped") for item in items)


def test_examples_folder_holds_plans() -> None:
    """examples/ ships at least one plan of named questions, one draw and one recording."""
    texts = [p.read_text(encoding="utf-8") for p in EXAMPLES]
    assert any("questions:" in t for t in texts)
    assert any("count:" in t for t in texts)
    assert any("audio:" in t for t in texts)


def test_a_plan_creates_its_interviews_and_answers_them(
    run: Runner, home: Path, plan: Path
) -> None:
    """Each entry becomes an interview; each answer is stored once through the answer path."""
    result = run("batch", "run", str(plan), "--json")
    assert result.code == 0, result.stderr
    report = result.json()  # standard output holds the JSON and nothing else
    first, second = report["interviews"]
    assert [(i["interview_id"], i["question"], i["status"]) for i in report["items"]] == [
        (first, 1, "answered"),
        (first, 2, "answered"),
        (second, 1, "skipped"),
    ]
    assert feedback_per_question(home) == [(first, 1, 1), (first, 2, 1), (second, 1, 0)]
    sources = rows(
        home,
        "SELECT f.answer_source FROM interview_feedback AS f JOIN interview_question AS q"
        " ON f.question_id = q.id ORDER BY q.interview_id, q.position",
    )
    assert sources == [("typed",), ("file",)]
    statuses = rows(home, "SELECT status FROM interview ORDER BY id")
    assert statuses == [("completed",), ("abandoned",)]


def test_progress_is_one_plain_line_per_item_off_a_terminal(run: Runner, plan: Path) -> None:
    """Without a terminal, progress is a counted line per item on standard error."""
    result = run("batch", "run", str(plan))
    lines = result.stderr.splitlines()
    assert [line.split("]")[0] for line in lines] == ["[1/3", "[2/3", "[3/3"]
    assert any("question 1: answered" in line for line in lines)  # in the order they finish
    assert "2 answers, 1 skipped, 0 failed" in result.stdout


def test_a_rerun_of_a_finished_plan_redoes_nothing(run: Runner, home: Path, plan: Path) -> None:
    """Running the same plan again answers nothing again and reports the earlier results."""
    first = run("batch", "run", str(plan), "--json").json()
    again = run("batch", "run", str(plan), "--json")
    assert again.code == 0
    assert again.json()["interviews"] == first["interviews"]
    assert all(item["earlier"] for item in again.json()["items"])
    assert [i["overall"] for i in again.json()["items"]] == [i["overall"] for i in first["items"]]
    assert len(rows(home, "SELECT id FROM interview_feedback")) == 2


def test_restart_runs_the_plan_again_in_new_interviews(run: Runner, home: Path, plan: Path) -> None:
    """--restart leaves the old interviews alone and answers the plan afresh."""
    first = run("batch", "run", str(plan), "--json").json()
    again = run("batch", "run", str(plan), "--restart", "--json").json()
    assert set(again["interviews"]).isdisjoint(first["interviews"])
    assert not any(item["earlier"] for item in again["items"])
    assert len(rows(home, "SELECT id FROM interview")) == 4


def test_an_edited_plan_is_a_new_plan(run: Runner, home: Path, plan: Path) -> None:
    """Progress is keyed by the plan's content: after an edit it does not resume the old run."""
    first = run("batch", "run", str(plan), "--json").json()
    plan.write_text(plan.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    again = run("batch", "run", str(plan), "--json").json()
    assert set(again["interviews"]).isdisjoint(first["interviews"])


def test_a_deleted_interview_is_created_again_on_rerun(run: Runner, plan: Path) -> None:
    """Deleting a plan's interview drops its record, so the next run makes a new one."""
    first = run("batch", "run", str(plan), "--json").json()
    assert run("interview", "delete", str(first["interviews"][0]), "--yes").code == 0
    again = run("batch", "run", str(plan), "--json").json()
    assert again["interviews"][1] == first["interviews"][1]
    assert again["interviews"][0] not in first["interviews"]
    assert [i["earlier"] for i in again["items"]] == [False, False, True]


def test_two_workers_answer_every_item_once(run: Runner, home: Path, plan: Path) -> None:
    """With a pool of two, every answer is still stored exactly once."""
    result = run("batch", "run", str(plan), "--workers", "2", "--json")
    assert result.code == 0, result.stderr
    counts = [n for _, _, n in feedback_per_question(home)]
    assert counts == [1, 1, 0]


def test_a_drawn_interview_answers_by_position(run: Runner, home: Path, tmp_path: Path) -> None:
    """An entry with type, role, stack and count draws its questions like `interview create`."""
    path = write_plan(
        tmp_path / "p",
        """\
interviews:
  - type: technical
    role: Backend Engineer
    level: senior
    stack: python
    count: 3
    seed: 7
    answers:
      - text: "Generators yield values lazily."
""",
    )
    result = run("batch", "run", str(path), "--json")
    report = result.json()
    (interview_id,) = report["interviews"]
    assert report["notices"] == []
    shown = run("interview", "show", str(interview_id), "--json").json()
    assert (shown["level"], shown["seed"], len(shown["questions"])) == ("senior", 7, 3)
    assert [q["status"] for q in shown["questions"]] == ["answered", "pending", "pending"]


# --- outputs ----------------------------------------------------------------------------------


def test_what_creating_an_interview_notes_is_passed_on(run: Runner, tmp_path: Path) -> None:
    """A role PrepPath does not know is noted on standard error, naming the plan entry."""
    path = write_plan(
        tmp_path / "p",
        "interviews:\n  - role: Lighthouse Keeper\n    count: 1\n    answers:\n"
        "      - skip: true\n",
    )
    result = run("batch", "run", str(path), "--json")
    assert result.code == 0, result.stderr
    assert "note: entry 1: role 'Lighthouse Keeper' is not one PrepPath knows" in result.stderr
    assert result.json()["notices"][0].startswith("entry 1: role 'Lighthouse Keeper'")


def test_csv_results_are_a_private_file(run: Runner, plan: Path, tmp_path: Path) -> None:
    """--csv writes one row per item, readable by the owner alone."""
    out = tmp_path / "results.csv"
    result = run("batch", "run", str(plan), "--csv", str(out))
    assert result.code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("entry,interview_id,question,bank_id,answer,status")
    assert [line.split(",")[5] for line in lines[1:]] == ["answered", "answered", "skipped"]


def test_an_existing_csv_is_refused_before_anything_runs(
    run: Runner, home: Path, plan: Path, tmp_path: Path
) -> None:
    """Without --force an existing CSV stops the run at once: no interview, file untouched."""
    out = tmp_path / "results.csv"
    out.write_text("keep me", encoding="utf-8")
    result = run("batch", "run", str(plan), "--csv", str(out))
    assert result.code == 2
    assert "already exists; add --force" in result.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    assert not (home / "data" / "preppath.db").exists()
    forced = run("batch", "run", str(plan), "--csv", str(out), "--force")
    assert forced.code == 0
    assert out.read_text(encoding="utf-8").startswith("entry,")


# --- items that fail --------------------------------------------------------------------------


def test_a_failed_item_does_not_stop_the_others(run: Runner, home: Path, tmp_path: Path) -> None:
    """An empty answer file and a file that is not audio fail alone; exit 5, the rest stored."""
    folder = tmp_path / "p"
    (folder / "answers").mkdir(parents=True)
    (folder / "answers" / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "answers" / "fake.wav").write_text("not audio at all", encoding="utf-8")
    path = write_plan(
        folder,
        f"""\
interviews:
  - questions: [python-generators, python-gil, python-decorators]
    answers:
      - file: answers/empty.txt
      - text: "{GIL_ANSWER}"
      - audio: answers/fake.wav
""",
    )
    result = run("batch", "run", str(path), "--json")
    assert result.code == 5
    items = result.json()["items"]
    assert [i["status"] for i in items] == ["failed", "answered", "failed"]
    assert items[0]["error"] == "the answer is empty"
    assert items[2]["exit_code"] == 5
    assert len(rows(home, "SELECT id FROM interview_feedback")) == 1
    assert not any((home / "data" / "recordings").rglob("*.wav"))
    table = run("batch", "run", str(path))
    assert table.code == 5
    assert "failed: the answer is empty" in table.stdout


def test_an_interview_that_cannot_be_created_fails_its_items(
    run: Runner, home: Path, tmp_path: Path
) -> None:
    """A draw that finds nothing fails that entry's answers (or the entry itself, when it has
    none) with the draw's exit code; the other entries still run."""
    from preppath.providers.factory import overridden
    from preppath.testing.fakes import FakeQuestionProvider

    path = write_plan(
        tmp_path / "p",
        f"""\
interviews:
  - role: Backend Engineer
    answers:
      - text: "anything"
  - role: Backend Engineer
    count: 2
  - questions: [python-gil]
    answers:
      - text: "{GIL_ANSWER}"
""",
    )
    with overridden("questions", FakeQuestionProvider().enqueue([], [])):
        result = run("batch", "run", str(path), "--json")
    assert result.code == 5
    report = result.json()
    assert report["interviews"][:2] == [None, None]
    summary = [(i["entry"], i["question"], i["answer"], i["status"]) for i in report["items"]]
    assert summary == [
        (1, 1, "text", "failed"),
        (2, 0, "none", "failed"),
        (3, 1, "text", "answered"),
    ]
    assert report["items"][0]["error"] == "interview not created: no questions match these options"


def test_answers_beyond_a_short_draw_fail_alone(run: Runner, tmp_path: Path) -> None:
    """When the draw gives fewer questions than the plan answers, only the extra answers fail."""
    from preppath.bank.loader import load_bank
    from preppath.providers.factory import overridden
    from preppath.testing.fakes import FakeQuestionProvider

    gil = load_bank(None).by_id()["python-gil"]
    path = write_plan(
        tmp_path / "p",
        f"""\
interviews:
  - role: Backend Engineer
    answers:
      - text: "{GIL_ANSWER}"
      - text: "an answer with no question to meet"
""",
    )
    with overridden("questions", FakeQuestionProvider().enqueue([gil])):
        result = run("batch", "run", str(path), "--json")
    assert result.code == 5
    items = result.json()["items"]
    assert [(i["question"], i["status"]) for i in items] == [(1, "answered"), (2, "failed")]
    assert items[1]["error"] == "the draw gave only 1 question"
    assert items[1]["line"] == 5


def test_a_second_run_of_a_running_plan_is_refused(run: Runner, home: Path, plan: Path) -> None:
    """While one process holds a plan's lock, another run of it exits 6 and changes nothing."""
    import fcntl
    import hashlib

    digest = hashlib.sha256(plan.read_bytes()).hexdigest()
    folder = home / "data" / "batch"
    folder.mkdir(parents=True)
    fd = os.open(folder / f"{digest[:32]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = run("batch", "run", str(plan))
    finally:
        os.close(fd)
    assert result.code == 6
    assert "already running in another preppath process" in result.stderr
    assert rows(home, "SELECT id FROM interview") == []


# --- bad plans ------------------------------------------------------------------------------------


def problems(run: Runner, path: Path) -> list[str]:
    result = run("batch", "validate", str(path))
    assert result.code == 5, result.stderr
    assert "Traceback" not in result.stderr
    *listed, last = result.stderr.splitlines()
    assert last.startswith("preppath: error: ")
    return listed


def test_unknown_keys_are_each_reported_with_their_line(run: Runner, tmp_path: Path) -> None:
    """Unknown keys at every level are listed, all of them, as FILE:LINE: message."""
    path = write_plan(
        tmp_path / "p",
        """\
interviews:
  - questions: [python-gil]
    rol: Backend Engineer
    answers:
      - txt: "typo"
name: my plan
""",
    )
    assert problems(run, path) == [
        f"{path}:3: unknown key 'rol' in interview 1; use answers, count, level, questions,"
        " role, seed, stack, type",
        f"{path}:5: unknown key 'txt' in an answer; use text, file, audio, skip",
        f"{path}:6: unknown key 'name' in the plan; use interviews",
    ]


def test_wrong_types_and_unknown_questions_are_reported(run: Runner, tmp_path: Path) -> None:
    """Values of the wrong type or out of range, and unknown bank ids, each get a line."""
    path = write_plan(
        tmp_path / "p",
        """\
interviews:
  - type: quiz
    role: Backend Engineer
    count: true
    stack: 5
  - questions: [python-gil, no-such-question, python-gil]
    type: behavioral
    answers:
      - skip: yes please
  - role: ""
    count: 40
""",
    )
    found = problems(run, path)
    assert [p.split(":")[1] for p in found] == ["2", "4", "5", "6", "6", "6", "9", "10", "11"]
    text = "\n".join(found)
    assert "'quiz' is not an interview type" in text
    assert "`count` must be a whole number from 1 to 20" in text
    assert "unknown question 'no-such-question'" in text
    assert "question 'python-gil' is listed twice" in text
    assert "question 'python-gil' is technical, not behavioral" in text
    assert "`skip` takes `true`" in text
    assert "`role` must be non-empty text" in text


def test_a_missing_answer_file_is_reported_with_its_line(run: Runner, tmp_path: Path) -> None:
    """A text or audio file that does not exist is named with the line that names it."""
    path = write_plan(
        tmp_path / "p",
        """\
interviews:
  - questions: [python-gil, python-generators]
    answers:
      - audio: answers/missing.wav
      - file: answers/missing.txt
""",
    )
    assert problems(run, path) == [
        f"{path}:4: answers/missing.wav does not exist (paths are relative to the plan)",
        f"{path}:5: answers/missing.txt does not exist (paths are relative to the plan)",
    ]


def test_a_recording_of_an_unknown_format_is_refused(run: Runner, tmp_path: Path) -> None:
    """An `audio` answer whose file is not a format PrepPath decodes is a problem up front."""
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"PK")
    path = write_plan(
        folder,
        "interviews:\n  - questions: [python-gil]\n    answers:\n      - audio: notes.docx\n",
    )
    (found,) = problems(run, path)
    assert found.startswith(f"{path}:4: notes.docx is not a recording PrepPath reads; use ")


def test_paths_leading_out_of_the_plans_folder_are_refused(run: Runner, tmp_path: Path) -> None:
    """`..`, absolute paths and symbolic links out of the folder are refused, even if real."""
    secret = tmp_path / "secret.txt"
    secret.write_text("private notes", encoding="utf-8")
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "link.txt").symlink_to(secret)
    path = write_plan(
        folder,
        f"""\
interviews:
  - questions: [python-gil, python-generators, python-decorators]
    answers:
      - file: ../secret.txt
      - file: {secret}
      - file: link.txt
""",
    )
    found = problems(run, path)
    assert [p.split(":")[1] for p in found] == ["4", "5", "6"]
    assert all("is outside the plan's folder" in p for p in found)


def test_a_run_of_a_bad_plan_lists_its_problems_and_touches_nothing(
    run: Runner, home: Path, tmp_path: Path
) -> None:
    """`batch run` checks the whole plan first: exit 5, problems listed, no database made."""
    path = write_plan(tmp_path / "p", "interviews:\n  - questions: [nope]\n")
    result = run("batch", "run", str(path))
    assert result.code == 5
    assert f"{path}:2: unknown question 'nope'" in result.stderr
    assert not (home / "data" / "preppath.db").exists()


# Nine levels of ten aliases each: a few hundred bytes that would expand to a billion nodes.
_ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)
)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("interviews: [\n  {role: x\n", 3, "not valid YAML"),
        ("- just\n- a list\n", 1, "a plan is a mapping"),
        ("interviews: []\n", 1, "at least one interview"),
        ("interviews:\n  - role: a\n    role: b\n", 3, "'role' is given twice"),
        ("interviews:\n  - role: a\n    count: 2\n    answers: [a, b, c]\n", 4, "3 answers"),
        (_ALIAS_BOMB, 1, "too large"),
    ],
)
def test_malformed_plans_name_the_line(
    run: Runner, tmp_path: Path, text: str, line: int, message: str
) -> None:
    """Broken YAML, a plan of the wrong shape or a repeated key is one line naming where."""
    path = write_plan(tmp_path / "p", text)
    found = problems(run, path)
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in found), found


def test_validate_json_lists_the_problems(run: Runner, tmp_path: Path) -> None:
    """`validate --json` prints the verdict and problems as JSON and still exits 5."""
    path = write_plan(tmp_path / "p", "interviews:\n  - questions: [nope]\n")
    result = run("batch", "validate", str(path), "--json")
    assert result.code == 5
    assert json.loads(result.stdout)["valid"] is False
    assert json.loads(result.stdout)["problems"] == [
        f"{path}:2: unknown question 'nope' (see `preppath questions list`)"
    ]


def test_a_plan_that_is_not_there_is_not_found(run: Runner, tmp_path: Path) -> None:
    """A missing plan file is exit 3 with one line."""
    result = run("batch", "validate", str(tmp_path / "none.yaml"))
    assert result.code == 3
    assert result.stderr == f"preppath: error: {tmp_path / 'none.yaml'} does not exist\n"


def test_on_a_terminal_progress_is_a_bar_not_lines(home: Path, plan: Path) -> None:
    """In a real terminal the run shows rich's progress instead of counted lines, and ends
    with the summary."""
    pexpect = pytest.importorskip("pexpect")
    from conftest import subprocess_env

    child = pexpect.spawn(
        str(Path(sys.executable).with_name("preppath")),
        ["batch", "run", str(plan)],
        env=subprocess_env(home, TERM="xterm-256color"),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    output = child.before
    child.close()
    assert child.exitstatus == 0, output
    assert "2 answers, 1 skipped, 0 failed" in output
    assert "[1/3]" not in output


def test_a_plan_is_scored_by_the_configured_cloud_evaluator(
    run: Runner, home: Path, plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a key and base URL set, the batch's answers are scored through the real OpenAI SDK
    (a stub server on 127.0.0.1), two at a time, and the key appears in no output."""
    from openai_stub import OpenAIStub, chat_reply
    from test_openai_providers import CHAT, _grade

    secret = "sk-test-batch-0123456789SECRET"
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", secret)
        server.script(CHAT, chat_reply(_grade()), chat_reply(_grade()))
        result = run("batch", "run", str(plan), "--workers", "2", "--json")
        assert len(server.requests_to(CHAT)) == 2
    assert result.code == 0, result.stderr
    answered = [i for i in result.json()["items"] if i["status"] == "answered"]
    # The model's scores, clarity capped at 10; its completeness credit is dropped by the quote
    # verifier because the plan's answers do not contain the text the stub's grade quotes.
    assert [i["scores"] for i in answered] == [
        {"correctness": 8, "completeness": 0, "clarity": 10}
    ] * 2
    assert rows(home, "SELECT DISTINCT evaluator FROM interview_feedback") == [("openai",)]
    assert secret not in result.stdout + result.stderr
