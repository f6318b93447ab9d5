"""The interview, questions and config commands through the real entry point, checked against
their JSON contracts, the files they write and the rows they leave in the SQLite database."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import COBOL_KEY_POINTS
from conftest import cli_create as create
from preppath.domain import ExperienceLevel, QuestionDifficulty, QuestionType

GOOD_PACK = (
    """\
[pack]
name = "cobol"

[[question]]
id = "cobol-divisions"
type = "technical"
difficulty = "easy"
levels = ["junior", "mid"]
stack = ["cobol"]
tags = ["fundamentals"]
text = "What are the four divisions of a COBOL program?"
expected_answer = "Identification division, environment division, data division, procedure division"
weights = { correctness = 0.5, completeness = 0.3, clarity = 0.2 }
"""
    + COBOL_KEY_POINTS
)

OFF_TOPIC = (
    "My favourite holiday was a week of hiking in the mountains. The weather was "
    "lovely and the food in the small villages was excellent every single evening."
)


# --- helpers ------------------------------------------------------------------------------------


def db_path(home: Path) -> Path:
    return home / "data" / "preppath.db"


def rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db_path(home))) as db:
        return db.execute(sql, args).fetchall()


def execute(home: Path, sql: str, *args: Any) -> None:
    with closing(sqlite3.connect(db_path(home))) as db:
        db.execute(sql, args)
        db.commit()


def show(run: Any, interview_id: int) -> dict[str, Any]:
    result = run("interview", "show", str(interview_id), "--json")
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def answer(run: Any, interview_id: int, position: int, text: str) -> dict[str, Any]:
    result = run("interview", "answer", str(interview_id), str(position), "--text", text, "--json")
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def assert_one_line_error(result: Any, code: int) -> str:
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("preppath: error:"), lines[0]
    return lines[0]


# --- create -------------------------------------------------------------------------------------


def test_create_json_contract_has_id_and_questions_with_id_and_text(run: Any, home: Path) -> None:
    """`interview create --json` prints `id` and `questions`, each with `id` and `text`."""
    data = create(run, count=3)
    assert isinstance(data["id"], int)
    assert len(data["questions"]) == 3
    for position, q in enumerate(data["questions"], start=1):
        assert q["id"] == position
        assert isinstance(q["text"], str) and q["text"].strip()
    stored = rows(home, "SELECT question_count, status FROM interview WHERE id = ?", data["id"])
    assert stored == [(3, "pending")]
    texts = rows(
        home,
        "SELECT position, text FROM interview_question WHERE interview_id = ? ORDER BY position",
        data["id"],
    )
    assert texts == [(q["id"], q["text"]) for q in data["questions"]]


def test_create_text_output_names_the_start_command(run: Any) -> None:
    """Without --json, create lists the questions and says how to start the interview."""
    result = run(
        "interview", "create", "--role", "Backend Engineer", "--stack", "python", "--count", "2"
    )
    assert result.code == 0, result.stderr
    assert "preppath interview start 1" in result.stdout
    assert "Interview 1" in result.stdout


# --- list ---------------------------------------------------------------------------------------


def test_list_paginates_newest_first(run: Any) -> None:
    """`interview list --page/--per-page` splits the profile's interviews, newest first."""
    ids = [create(run, count=1)["id"] for _ in range(5)]
    pages = []
    for page in (1, 2, 3):
        result = run("interview", "list", "--per-page", "2", "--page", str(page), "--json")
        assert result.code == 0, result.stderr
        data = result.json()
        assert data["total"] == 5 and data["page"] == page and data["per_page"] == 2
        pages.append([item["id"] for item in data["items"]])
    assert pages == [ids[::-1][0:2], ids[::-1][2:4], ids[::-1][4:5]]
    empty = run("interview", "list", "--per-page", "2", "--page", "4", "--json").json()
    assert empty["items"] == [] and empty["total"] == 5


def test_list_text_shows_page_footer(run: Any) -> None:
    """The table view says which page of how many is shown."""
    for _ in range(3):
        create(run, count=1)
    result = run("interview", "list", "--per-page", "2")
    assert result.code == 0, result.stderr
    assert "Page 1 of 2 (3 interviews)" in result.stdout


def test_list_filters_by_status_and_type(run: Any) -> None:
    """--status and --type keep only the matching interviews."""
    done = create(run, count=1)["id"]
    answer(run, done, 1, OFF_TOPIC)
    half = create(run, count=2)["id"]
    answer(run, half, 1, OFF_TOPIC)
    fresh = create(run, count=1)["id"]
    story = create(run, count=1, type_="behavioral", stack=())["id"]

    def ids(*args: str) -> set[int]:
        result = run("interview", "list", "--json", *args)
        assert result.code == 0, result.stderr
        return {item["id"] for item in result.json()["items"]}

    assert ids("--status", "completed") == {done}
    assert ids("--status", "in_progress") == {half}
    assert ids("--status", "pending") == {fresh, story}
    assert ids("--type", "behavioral") == {story}
    assert ids("--type", "technical") == {done, half, fresh}
    assert ids("--type", "technical", "--status", "pending") == {fresh}
    listed = {i["id"]: i for i in run("interview", "list", "--json").json()["items"]}
    assert listed[half]["answered"] == 1 and listed[half]["question_count"] == 2


def test_list_filters_by_date(run: Any, home: Path) -> None:
    """--since (on or after) and --until (before) filter on the creation date."""
    first, second, third = (create(run, count=1)["id"] for _ in range(3))
    for ident, moment in (
        (first, "2024-01-10 12:00:00.000000"),
        (second, "2024-03-15 12:00:00.000000"),
        (third, "2024-06-20 12:00:00.000000"),
    ):
        execute(home, "UPDATE interview SET created_at = ? WHERE id = ?", moment, ident)

    def ids(*args: str) -> set[int]:
        result = run("interview", "list", "--json", *args)
        assert result.code == 0, result.stderr
        return {item["id"] for item in result.json()["items"]}

    assert ids("--since", "2024-03-15") == {second, third}
    assert ids("--until", "2024-03-15") == {first}
    assert ids("--since", "2024-02-01", "--until", "2024-06-01") == {second}
    assert ids("--since", "2025-01-01") == set()


# --- show ---------------------------------------------------------------------------------------


def test_show_json_includes_questions_status_and_feedback(run: Any) -> None:
    """`interview show --json` returns the questions with their status and latest feedback."""
    iv = create(run, count=2)
    answer(run, iv["id"], 1, OFF_TOPIC)
    data = show(run, iv["id"])
    assert data["id"] == iv["id"] and data["role"] == "Backend Engineer"
    assert data["status"] == "in_progress"
    assert [q["status"] for q in data["questions"]] == ["answered", "pending"]
    assert data["questions"][0]["feedback"]["answer"] == OFF_TOPIC
    assert data["questions"][1]["feedback"] is None
    assert [q["text"] for q in data["questions"]] == [q["text"] for q in iv["questions"]]


def test_show_text_lists_questions(run: Any) -> None:
    """`interview show` prints the interview header and each question's text."""
    iv = create(run, count=2)
    result = run("interview", "show", str(iv["id"]))
    assert result.code == 0, result.stderr
    assert f"Interview {iv['id']}" in result.stdout
    flat = " ".join(result.stdout.split())
    for q in iv["questions"]:
        assert " ".join(q["text"].split()[:5]) in flat


# --- answer -------------------------------------------------------------------------------------


def test_answer_json_contract(run: Any, home: Path) -> None:
    """`answer --json` prints overall 0-100, three 0-10 scores, strengths, improvements."""
    iv = create(run, count=2)
    model = show(run, iv["id"])["questions"][0]["expected_answer"]
    good = answer(run, iv["id"], 1, model)
    bad = answer(run, iv["id"], 2, OFF_TOPIC)
    for data in (good, bad):
        assert isinstance(data["overall"], int) and 0 <= data["overall"] <= 100
        assert set(data["scores"]) == {"correctness", "completeness", "clarity"}
        assert all(isinstance(v, int | float) and 0 <= v <= 10 for v in data["scores"].values())
        assert isinstance(data["strengths"], list) and isinstance(data["improvements"], list)
        assert all(isinstance(s, str) and s for s in data["strengths"] + data["improvements"])
    assert good["overall"] > bad["overall"]
    assert good["strengths"], "the model answer should earn at least one strength"
    assert bad["improvements"], "an off-topic answer should get improvements"
    stored = rows(
        home,
        "SELECT f.overall, f.answer_source FROM interview_feedback f "
        "JOIN interview_question q ON q.id = f.question_id "
        "WHERE q.interview_id = ? ORDER BY q.position",
        iv["id"],
    )
    assert stored == [(good["overall"], "typed"), (bad["overall"], "typed")]


def test_answer_from_file(run: Any, home: Path, tmp_path: Path) -> None:
    """`answer --file PATH` reads the answer from the file and records its source as file."""
    iv = create(run, count=1)
    path = tmp_path / "answer.txt"
    path.write_text("Decorators wrap a function.\nThey return a new callable.\n", encoding="utf-8")
    result = run("interview", "answer", str(iv["id"]), "1", "--file", str(path), "--json")
    assert result.code == 0, result.stderr
    assert 0 <= result.json()["overall"] <= 100
    assert rows(home, "SELECT answer_text, answer_source FROM interview_feedback") == [
        ("Decorators wrap a function.\nThey return a new callable.", "file")
    ]


def test_answer_from_piped_stdin(run: Any, home: Path) -> None:
    """With neither --text nor --file, the answer is read from piped standard input."""
    iv = create(run, count=2)
    result = run(
        "interview",
        "answer",
        str(iv["id"]),
        "1",
        "--json",
        input="Piped answer about the topic.\nSecond line.\n",
    )
    assert result.code == 0, result.stderr
    assert set(result.json()["scores"]) == {"correctness", "completeness", "clarity"}
    dash = run(
        "interview",
        "answer",
        str(iv["id"]),
        "2",
        "--file",
        "-",
        "--json",
        input="Answer through --file dash.\n",
    )
    assert dash.code == 0, dash.stderr
    stored = rows(
        home,
        "SELECT q.position, f.answer_text FROM interview_feedback f "
        "JOIN interview_question q ON q.id = f.question_id ORDER BY q.position",
    )
    assert stored == [
        (1, "Piped answer about the topic.\nSecond line."),
        (2, "Answer through --file dash."),
    ]


def test_answer_text_output_shows_feedback_and_completion(run: Any) -> None:
    """Answering the last question in text mode shows feedback and points at the report."""
    iv = create(run, count=1)
    result = run("interview", "answer", str(iv["id"]), "1", "--text", OFF_TOPIC)
    assert result.code == 0, result.stderr
    assert "Feedback on question 1" in result.stdout
    assert f"preppath interview report {iv['id']}" in result.stdout


def test_answer_again_is_a_new_attempt(run: Any, home: Path) -> None:
    """Answering a question twice stores attempt 2 and shows the previous score."""
    iv = create(run, count=2)
    first = answer(run, iv["id"], 1, OFF_TOPIC)
    second = answer(run, iv["id"], 1, OFF_TOPIC + " Also more words here.")
    assert first["attempt"] == 1 and second["attempt"] == 2
    assert second["previous"]["overall"] == first["overall"]
    assert rows(home, "SELECT attempt FROM interview_feedback ORDER BY attempt") == [(1,), (2,)]


# --- skip ---------------------------------------------------------------------------------------


def test_skip_marks_question_and_completes_interview(run: Any, home: Path) -> None:
    """`interview skip` marks a question skipped; skipping the last pending one completes it."""
    iv = create(run, count=2)
    first = run("interview", "skip", str(iv["id"]), "1")
    assert first.code == 0, first.stderr
    assert "Skipped question 1." in first.stdout and "complete" not in first.stdout
    assert rows(home, "SELECT status FROM interview WHERE id = ?", iv["id"]) == [("in_progress",)]
    answer(run, iv["id"], 2, OFF_TOPIC)
    assert rows(home, "SELECT status FROM interview WHERE id = ?", iv["id"]) == [("completed",)]
    second = create(run, count=2)
    answer(run, second["id"], 1, OFF_TOPIC)
    last = run("interview", "skip", str(second["id"]), "2")
    assert last.code == 0, last.stderr
    assert "Interview complete." in last.stdout
    status, completed_at = rows(
        home, "SELECT status, completed_at FROM interview WHERE id = ?", second["id"]
    )[0]
    assert status == "completed" and completed_at is not None


def test_skipping_every_question_abandons_the_interview(run: Any, home: Path) -> None:
    """An interview whose questions were all skipped is abandoned, not completed."""
    iv = create(run, count=2)
    run("interview", "skip", str(iv["id"]), "1")
    last = run("interview", "skip", str(iv["id"]), "2")
    assert last.code == 0 and "abandoned" in last.stdout
    assert rows(home, "SELECT position, status FROM interview_question ORDER BY position") == [
        (1, "skipped"),
        (2, "skipped"),
    ]
    assert rows(home, "SELECT status, completed_at FROM interview") == [("abandoned", None)]


def test_skip_does_not_unanswer_an_answered_question(run: Any, home: Path) -> None:
    """Skipping an already answered question leaves it answered with its feedback."""
    iv = create(run, count=2)
    answer(run, iv["id"], 1, OFF_TOPIC)
    result = run("interview", "skip", str(iv["id"]), "1")
    assert result.code == 0, result.stderr
    assert rows(home, "SELECT status FROM interview_question WHERE position = 1") == [("answered",)]
    assert rows(home, "SELECT count(*) FROM interview_feedback") == [(1,)]


# --- report -------------------------------------------------------------------------------------


def _answered_interview(run: Any) -> tuple[dict[str, Any], str]:
    iv = create(run, count=3)
    text = "I'd use <b>a & b</b> here. " + OFF_TOPIC
    answer(run, iv["id"], 1, text)
    assert run("interview", "skip", str(iv["id"]), "2").code == 0
    return iv, text


def test_report_terminal(run: Any) -> None:
    """`interview report ID` prints a summary, the questions and recommendations."""
    iv, _ = _answered_interview(run)
    result = run("interview", "report", str(iv["id"]))
    assert result.code == 0, result.stderr
    assert f"Interview {iv['id']} report" in result.stdout
    assert "1 of 3 questions answered, 1 skipped" in " ".join(result.stdout.split())
    assert "Recommendations" in result.stdout


def test_report_markdown_file(run: Any, tmp_path: Path) -> None:
    """--format markdown --output FILE writes a Markdown report with answers and recommendations."""
    iv, text = _answered_interview(run)
    out = tmp_path / "out" / "report.md"
    result = run("interview", "report", str(iv["id"]), "--format", "markdown", "--output", str(out))
    assert result.code == 0, result.stderr
    body = out.read_text(encoding="utf-8")
    assert body.startswith(f"# Interview {iv['id']} report\n")
    for q in iv["questions"]:
        assert f"## Q{q['id']}. {q['text']}" in body
    # The answer is quoted with its markup escaped: a viewer shows "<b>", it does not bold.
    assert "> " + text.replace("<", "\\<") in body
    assert not re.search(r"(?<!\\)<b>", body)
    assert "## Recommendations" in body
    assert "skipped" in body


def test_report_json_file(run: Any, tmp_path: Path) -> None:
    """--format json --output FILE writes the report as JSON with scores and recommendations."""
    iv, text = _answered_interview(run)
    out = tmp_path / "report.json"
    result = run("interview", "report", str(iv["id"]), "--format", "json", "--output", str(out))
    assert result.code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["interview"]["id"] == iv["id"]
    assert data["answered"] == 1 and data["skipped"] == 1
    assert 0 <= data["overall"] <= 100
    assert set(data["averages"]) == {"correctness", "completeness", "clarity"}
    assert data["recommendations"] and all(isinstance(r, str) for r in data["recommendations"])
    assert data["interview"]["questions"][0]["feedback"]["answer"] == text


def test_report_html_file(run: Any, tmp_path: Path) -> None:
    """--format html --output FILE writes a standalone HTML page with the answer escaped."""
    iv, _ = _answered_interview(run)
    out = tmp_path / "report.html"
    result = run("interview", "report", str(iv["id"]), "--format", "html", "--output", str(out))
    assert result.code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.lower().startswith("<!doctype html>")
    assert f"Interview {iv['id']} report" in page
    assert "<h2>Recommendations</h2>" in page
    assert "&lt;b&gt;a &amp; b&lt;/b&gt;" in page
    assert "<b>a & b</b>" not in page


def test_report_json_flag_prints_json(run: Any) -> None:
    """`interview report ID --json` prints the report JSON on stdout."""
    iv, _ = _answered_interview(run)
    result = run("interview", "report", str(iv["id"]), "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["interview"]["id"] == iv["id"] and data["recommendations"]


def test_report_format_follows_output_extension(run: Any, tmp_path: Path) -> None:
    """--output report.html without --format writes HTML."""
    iv, _ = _answered_interview(run)
    out = tmp_path / "r.html"
    assert run("interview", "report", str(iv["id"]), "--output", str(out)).code == 0
    assert out.read_text(encoding="utf-8").lower().startswith("<!doctype html>")


# --- delete -------------------------------------------------------------------------------------


def test_delete_refuses_without_yes_when_not_interactive(run: Any, home: Path) -> None:
    """`delete ID` without --yes and without a terminal refuses (exit 2), deletes nothing."""
    iv = create(run, count=1)
    result = run("interview", "delete", str(iv["id"]))
    line = assert_one_line_error(result, 2)
    assert "--yes" in line
    assert rows(home, "SELECT id FROM interview") == [(iv["id"],)]


def test_delete_yes_removes_interview_questions_and_feedback(run: Any, home: Path) -> None:
    """`delete --yes` removes the interview and cascades to its questions and feedback only."""
    keep = create(run, count=2)
    gone = create(run, count=2)
    answer(run, keep["id"], 1, OFF_TOPIC)
    answer(run, gone["id"], 1, OFF_TOPIC)
    answer(run, gone["id"], 2, OFF_TOPIC)
    gone_questions = [
        r[0]
        for r in rows(home, "SELECT id FROM interview_question WHERE interview_id = ?", gone["id"])
    ]
    assert len(gone_questions) == 2
    activity_before = rows(home, "SELECT count(*) FROM activity")[0][0]

    result = run("interview", "delete", str(gone["id"]), "--yes")
    assert result.code == 0, result.stderr
    assert f"Deleted interview {gone['id']}" in result.stdout

    assert rows(home, "SELECT id FROM interview") == [(keep["id"],)]
    assert rows(
        home, "SELECT count(*) FROM interview_question WHERE interview_id = ?", gone["id"]
    ) == [(0,)]
    marks = ",".join("?" * len(gone_questions))
    assert rows(
        home,
        f"SELECT count(*) FROM interview_feedback WHERE question_id IN ({marks})",
        *gone_questions,
    ) == [(0,)]
    assert rows(
        home, "SELECT count(*) FROM interview_question WHERE interview_id = ?", keep["id"]
    ) == [(2,)]
    assert rows(home, "SELECT count(*) FROM interview_feedback") == [(1,)]
    # The activity history (streaks, heatmap) survives; it just no longer points at the interview.
    assert rows(home, "SELECT count(*) FROM activity")[0][0] == activity_before
    assert rows(home, "SELECT count(*) FROM activity WHERE interview_id = ?", gone["id"]) == [(0,)]
    assert run("interview", "show", str(gone["id"])).code == 3


# --- questions ----------------------------------------------------------------------------------


def test_questions_list_json_has_every_field(run: Any) -> None:
    """`questions list --json` prints every question with id/type/difficulty/levels/stack/text."""
    result = run("questions", "list", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert len(data) >= 200
    ids = [q["id"] for q in data]
    assert len(ids) == len(set(ids))
    types = {t.value for t in QuestionType}
    difficulties = {d.value for d in QuestionDifficulty}
    levels = {lv.value for lv in ExperienceLevel}
    for q in data:
        assert {"id", "type", "difficulty", "levels", "stack", "text"} <= set(q), q
        assert isinstance(q["id"], str) and q["id"]
        assert q["type"] in types
        assert q["difficulty"] in difficulties
        assert q["levels"] and set(q["levels"]) <= levels
        assert isinstance(q["stack"], list) and all(isinstance(s, str) for s in q["stack"])
        assert isinstance(q["text"], str) and q["text"].strip()


def test_questions_list_filters(run: Any) -> None:
    """`questions list --type/--stack/--level` narrows the list."""
    data = run("questions", "list", "--json", "--stack", "python", "--level", "senior").json()
    assert data
    assert all("python" in q["stack"] and "senior" in q["levels"] for q in data)
    behavioral = run("questions", "list", "--json", "--type", "behavioral").json()
    assert behavioral and all(q["type"] == "behavioral" for q in behavioral)


def _validate(run: Any, path: Path) -> Any:
    return run("questions", "validate", str(path))


def _line_of(text: str, starts: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith(starts))


def test_questions_validate_accepts_good_pack(run: Any, tmp_path: Path) -> None:
    """A well-formed pack validates with exit 0 and its question count."""
    path = tmp_path / "good.toml"
    path.write_text(GOOD_PACK, encoding="utf-8")
    result = _validate(run, path)
    assert result.code == 0, result.stderr
    assert "1 question, valid" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("name", "change", "line_starts", "words"),
    [
        ("malformed", ('text = "What', "text = What"), "text = What", "not valid TOML"),
        ("missing-key", ('difficulty = "easy"\n', ""), "[[question]]", "difficulty"),
        (
            "bad-level",
            ('levels = ["junior", "mid"]', 'levels = ["junior", "wizard"]'),
            "levels",
            "levels",
        ),
        ("bad-weights", ("clarity = 0.2", "clarity = 0.5"), "weights", "sum to 1"),
    ],
)
def test_questions_validate_reports_file_and_line(
    run: Any, tmp_path: Path, name: str, change: tuple[str, str], line_starts: str, words: str
) -> None:
    """A broken pack gives a FILE:LINE error naming the problem, and exit code 5."""
    text = GOOD_PACK.replace(*change)
    assert text != GOOD_PACK
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    result = _validate(run, path)
    assert result.code == 5, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    expected = f"{path}:{_line_of(text, line_starts)}: "
    located = [line for line in result.stderr.splitlines() if line.startswith(expected)]
    assert located, result.stderr
    assert words in located[0]
    assert result.stderr.splitlines()[-1].startswith("preppath: error:")


def test_questions_validate_missing_file_is_not_found(run: Any, tmp_path: Path) -> None:
    """Validating a path that does not exist is one error line, not a traceback."""
    result = _validate(run, tmp_path / "nope.toml")
    assert_one_line_error(result, 3)


# --- config -------------------------------------------------------------------------------------


def _config(run: Any) -> dict[str, dict[str, str]]:
    result = run("config", "show", "--json")
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def test_config_show_reports_default_file_and_env_sources(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`config show` names where each value came from: default, config file, or env var."""
    shown = _config(run)
    assert shown["speech_rate"] == {"value": "165", "source": "default"}
    result = run("config", "set", "speech_rate", "200")
    assert result.code == 0, result.stderr
    config_file = home / "config" / "config.toml"
    shown = _config(run)
    assert shown["speech_rate"] == {"value": "200", "source": str(config_file)}
    monkeypatch.setenv("PREPPATH_SPEECH_RATE", "300")
    shown = _config(run)
    assert shown["speech_rate"] == {"value": "300", "source": "env PREPPATH_SPEECH_RATE"}
    table = run("config", "show")
    assert table.code == 0 and "env PREPPATH_SPEECH_RATE" in table.stdout


def test_config_set_writes_the_config_file(run: Any, home: Path) -> None:
    """`config set KEY VALUE` stores the validated value in config.toml."""
    assert run("config", "set", "tts_voice", "nova").code == 0
    assert run("config", "set", "voice", "false").code == 0
    text = (home / "config" / "config.toml").read_text(encoding="utf-8")
    assert 'tts_voice = "nova"' in text
    assert "voice = false" in text


def test_config_masks_openai_api_key(run: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The OpenAI key is never printed by `config set-key` or `config show`, and its file is
    private."""
    secret = "sk-test-VERY-SECRET-0123456789"
    result = run("config", "set-key", input=secret + "\n")
    assert result.code == 0, result.stderr
    outputs = [result.stdout + result.stderr]
    for args in (("config", "show"), ("config", "show", "--json")):
        shown = run(*args)
        assert shown.code == 0, shown.stderr
        outputs.append(shown.stdout + shown.stderr)
    assert _config(run)["openai_api_key"]["value"] != secret
    assert _config(run)["openai_api_key"]["source"] == str(home / "config" / "config.toml")
    env_secret = "sk-env-ANOTHER-SECRET-987"
    monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", env_secret)
    shown = run("config", "show", "--json")
    outputs.append(shown.stdout + shown.stderr)
    assert shown.json()["openai_api_key"]["source"] == "env PREPPATH_OPENAI_API_KEY"
    for out in outputs:
        assert secret not in out and env_secret not in out
        assert "sk-" not in out
    mode = stat.S_IMODE((home / "config" / "config.toml").stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("speech_rate", "5"),
        ("voice", "maybe"),
        ("tts_voice", "robot"),
        ("provider", "magic"),
        ("timezone", "Mars/Olympus"),
        ("no_such_key", "1"),
    ],
)
def test_config_set_invalid_value_exits_2(run: Any, home: Path, key: str, value: str) -> None:
    """An invalid setting value or unknown key is one error line, exit 2, and nothing is stored."""
    result = run("config", "set", key, value)
    assert_one_line_error(result, 2)
    assert not (home / "config" / "config.toml").exists()


def test_config_path_lists_locations_under_home(run: Any, home: Path) -> None:
    """`config path` prints the config file, packs dir and database under PREPPATH_HOME."""
    result = run("config", "path")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"config file: {home / 'config' / 'config.toml'}" in lines
    assert f"question packs: {home / 'config' / 'packs'}" in lines
    assert f"database: {home / 'data' / 'preppath.db'}" in lines


# --- activity -----------------------------------------------------------------------------------


def _check_daily_matches_activity(home: Path) -> None:
    events = rows(
        home,
        "SELECT local_day, count(*), sum(points), "
        "sum(type = 'question_answered'), sum(type = 'interview_completed') "
        "FROM activity GROUP BY profile_id, local_day ORDER BY local_day",
    )
    daily = rows(
        home,
        "SELECT day, count, points, answers, interviews_completed FROM daily_activity ORDER BY day",
    )
    assert daily == events


def test_answer_and_completion_write_activity_and_daily_rows(run: Any, home: Path) -> None:
    """Each answer writes a question_answered Activity row, completion an interview_completed one,
    and DailyActivity always equals the sum of the day's Activity rows."""
    before = datetime.now(UTC).date().isoformat()
    iv = create(run, count=2)
    assert rows(home, "SELECT count(*) FROM activity") == [(0,)]
    answer(run, iv["id"], 1, OFF_TOPIC)
    kinds = rows(home, "SELECT type, interview_id FROM activity ORDER BY id")
    assert ("question_answered", iv["id"]) in kinds
    assert ("interview_completed", iv["id"]) not in kinds
    _check_daily_matches_activity(home)
    answer(run, iv["id"], 2, OFF_TOPIC)
    kinds = [k for k, _ in rows(home, "SELECT type, interview_id FROM activity ORDER BY id")]
    assert kinds.count("question_answered") == 2
    assert kinds.count("interview_completed") == 1
    _check_daily_matches_activity(home)
    after = datetime.now(UTC).date().isoformat()
    ((day, answers, completed),) = rows(
        home, "SELECT day, answers, interviews_completed FROM daily_activity"
    )
    assert day in (before, after)
    assert (answers, completed) == (2, 1)


def test_completing_by_skip_writes_completion_activity(run: Any, home: Path) -> None:
    """Completing an interview by skipping its last question still records interview_completed."""
    iv = create(run, count=2)
    answer(run, iv["id"], 1, OFF_TOPIC)
    assert run("interview", "skip", str(iv["id"]), "2").code == 0
    assert rows(home, "SELECT count(*) FROM activity WHERE type = 'interview_completed'") == [(1,)]
    _check_daily_matches_activity(home)
    assert rows(home, "SELECT interviews_completed FROM daily_activity") == [(1,)]


def test_answer_activity_is_in_the_same_transaction(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If anything fails after the Activity/DailyActivity writes, the feedback, the Activity row
    and the DailyActivity bump are all rolled back together."""
    import preppath.services.answers as answers_module

    iv = create(run, count=1)
    real = answers_module.record_activity

    def record_then_fail(session: Any, **kwargs: Any) -> Any:
        real(session, **kwargs)
        session.flush()  # the Activity insert and the DailyActivity upsert have now run
        raise RuntimeError("failure after recording activity")

    monkeypatch.setattr(answers_module, "record_activity", record_then_fail)
    try:
        result = run("interview", "answer", str(iv["id"]), "1", "--text", OFF_TOPIC)
        assert result.code != 0
    except RuntimeError:
        pass
    assert rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]
    assert rows(home, "SELECT count(*) FROM activity") == [(0,)]
    assert rows(home, "SELECT count(*) FROM daily_activity") == [(0,)]
    assert rows(home, "SELECT status FROM interview_question") == [("pending",)]
    assert rows(home, "SELECT status FROM interview") == [("pending",)]


# --- the entry point ----------------------------------------------------------------------------


def test_repeated_in_process_runs_do_not_grow_the_command_tree(run: Any) -> None:
    """Calling the entry point again in the same process (as tests and embedders do) does not
    register the command groups again, so each call costs the same."""
    from preppath.cli.app import app

    assert run("config", "path").code == 0
    groups = len(app.registered_groups)
    for _ in range(5):
        assert run("config", "path").code == 0
    assert len(app.registered_groups) == groups
