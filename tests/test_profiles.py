"""Profiles (`--profile` and PREPPATH_PROFILE): every record belongs to one, and another
profile's interview answers "not found" exactly as an unknown id does."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import cli_create

UNKNOWN_ID = 9999
ANSWER = "A decorator wraps a function in another function and returns the wrapper closure."


def rows(home: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return db.execute(sql, args).fetchall()


def create_for(run: Any, profile: str, count: int = 2) -> int:
    return int(cli_create(run, profile=profile, count=count)["id"])


def snapshot(home: Path) -> list[list[tuple[Any, ...]]]:
    return [
        rows(
            home,
            "SELECT id, profile_id, status, started_at, completed_at FROM interview ORDER BY id",
        ),
        rows(home, "SELECT id, status FROM interview_question ORDER BY id"),
        rows(home, "SELECT id, question_id, answer_text FROM interview_feedback ORDER BY id"),
        rows(home, "SELECT id, type FROM activity ORDER BY id"),
    ]


COMMANDS = {
    "show": lambda i: ("interview", "show", i),
    "show --json": lambda i: ("interview", "show", i, "--json"),
    "answer": lambda i: ("interview", "answer", i, "1", "--text", ANSWER),
    "answer --json": lambda i: ("interview", "answer", i, "1", "--text", ANSWER, "--json"),
    "skip": lambda i: ("interview", "skip", i, "1"),
    "report": lambda i: ("interview", "report", i),
    "report --json": lambda i: ("interview", "report", i, "--json"),
    "delete --yes": lambda i: ("interview", "delete", i, "--yes"),
    "delete": lambda i: ("interview", "delete", i),
    "start": lambda i: ("interview", "start", i),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_foreign_interview_is_not_found_like_unknown(run: Any, home: Path, command: str) -> None:
    """Another profile's interview id gives exit 3 with the same message as an unknown id, and
    changes nothing."""
    alice = create_for(run, "alice")
    create_for(run, "bob")
    before = snapshot(home)

    foreign = run("--profile", "bob", *COMMANDS[command](str(alice)))
    unknown = run("--profile", "bob", *COMMANDS[command](str(UNKNOWN_ID)))

    for result in (foreign, unknown):
        assert result.code == 3, (command, result.code, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith("preppath: error:")
        assert result.stdout == ""
    assert foreign.stderr.replace(str(alice), "<ID>") == unknown.stderr.replace(
        str(UNKNOWN_ID), "<ID>"
    )
    assert snapshot(home) == before


def test_env_profile_is_isolated_like_flag(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PREPPATH_PROFILE selects the profile just like --profile does."""
    alice = create_for(run, "alice")
    monkeypatch.setenv("PREPPATH_PROFILE", "bob")
    result = run("interview", "show", str(alice))
    assert result.code == 3
    assert result.stderr.strip() == f"preppath: error: interview {alice} not found"
    monkeypatch.setenv("PREPPATH_PROFILE", "alice")
    assert run("interview", "show", str(alice)).code == 0


def test_flag_overrides_env_profile(run: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--profile wins over PREPPATH_PROFILE."""
    alice = create_for(run, "alice")
    monkeypatch.setenv("PREPPATH_PROFILE", "bob")
    assert run("--profile", "alice", "interview", "show", str(alice)).code == 0
    assert run("interview", "show", str(alice)).code == 3


def test_default_profile_is_separate(run: Any) -> None:
    """Without --profile or PREPPATH_PROFILE, commands use the default profile, which cannot see
    a named profile's interviews."""
    alice = create_for(run, "alice")
    assert run("interview", "show", str(alice)).code == 3
    assert run("interview", "list", "--json").json()["total"] == 0


def test_list_shows_only_own_interviews(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`interview list` shows only the active profile's interviews."""
    alice = {create_for(run, "alice", count=1) for _ in range(2)}
    bob = {create_for(run, "bob", count=1) for _ in range(3)}

    def listed(*prefix: str) -> tuple[set[int], int]:
        result = run(*prefix, "interview", "list", "--json")
        assert result.code == 0, result.stderr
        data = result.json()
        return {i["id"] for i in data["items"]}, data["total"]

    assert listed("--profile", "alice") == (alice, 2)
    assert listed("--profile", "bob") == (bob, 3)
    monkeypatch.setenv("PREPPATH_PROFILE", "bob")
    assert listed() == (bob, 3)
    filtered = run("--profile", "alice", "interview", "list", "--status", "pending", "--json")
    assert {i["id"] for i in filtered.json()["items"]} == alice


def test_profile_can_use_its_own_interview(run: Any, home: Path) -> None:
    """The owning profile can answer, report and delete its interview."""
    alice = create_for(run, "alice")
    assert (
        run("--profile", "alice", "interview", "answer", str(alice), "1", "--text", ANSWER).code
        == 0
    )
    assert run("--profile", "alice", "interview", "report", str(alice), "--json").code == 0
    assert run("--profile", "alice", "interview", "delete", str(alice), "--yes").code == 0
    assert rows(home, "SELECT count(*) FROM interview") == [(0,)]


def test_activity_belongs_to_the_answering_profile(run: Any, home: Path) -> None:
    """Activity and DailyActivity rows are written for the profile that answered."""
    alice = create_for(run, "alice", count=1)
    assert (
        run("--profile", "alice", "interview", "answer", str(alice), "1", "--text", ANSWER).code
        == 0
    )
    ((alice_id,),) = rows(home, "SELECT id FROM profile WHERE name = 'alice'")
    assert {r[0] for r in rows(home, "SELECT profile_id FROM activity")} == {alice_id}
    assert {r[0] for r in rows(home, "SELECT profile_id FROM daily_activity")} == {alice_id}
