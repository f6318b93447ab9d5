"""The shipped offline question bank and how interviews draw from it: size and coverage, seeded
reproducible selection without repeats, freshness, roles mapped to stacks, and user packs."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import COBOL_KEY_POINTS
from preppath.bank.loader import BUILTIN_DIR, load_bank, load_pack
from preppath.bank.roles import resolve_role
from preppath.bank.selection import Criteria, select_questions
from preppath.domain import InterviewType

REQUIRED_STACKS = {
    "javascript",
    "typescript",
    "react",
    "nodejs",
    "python",
    "java",
    "go",
    "sql",
    "aws",
    "docker",
    "kubernetes",
    "dsa",
}
MANAGER_TOPICS = {"management", "leadership", "mentoring", "feedback"}

COBOL_PACK = (
    """\
[pack]
name = "cobol"

[[question]]
id = "cobol-divisions"
type = "technical"
difficulty = "easy"
levels = ["junior", "mid", "senior"]
stack = ["cobol"]
tags = ["fundamentals"]
text = "What are the four divisions of a COBOL program?"
expected_answer = "Identification, environment, data and procedure divisions."
"""
    + COBOL_KEY_POINTS
)


def create(run: Any, *args: str, profile: str | None = None) -> Any:
    prefix = ("--profile", profile) if profile else ()
    return run(*prefix, "interview", "create", *args, "--json")


def bank_ids(run: Any, interview_id: int, profile: str | None = None) -> list[str]:
    prefix = ("--profile", profile) if profile else ()
    result = run(*prefix, "interview", "show", str(interview_id), "--json")
    assert result.code == 0, result.stderr
    return [q["bank_id"] for q in result.json()["questions"]]


def shown_questions(run: Any, interview_id: int) -> list[dict[str, Any]]:
    result = run("interview", "show", str(interview_id), "--json")
    assert result.code == 0, result.stderr
    return result.json()["questions"]  # type: ignore[no-any-return]


# --- the shipped bank ---------------------------------------------------------------------------


def test_shipped_packs_load_without_errors() -> None:
    """Every built-in pack parses and validates with no errors and no duplicate ids."""
    files = sorted(BUILTIN_DIR.glob("*.toml"))
    assert files
    for path in files:
        pack = load_pack(path)
        assert pack.errors == (), [str(e) for e in pack.errors]
        assert pack.questions, path
    bank = load_bank(None)
    assert bank.errors == (), [str(e) for e in bank.errors]
    assert len({q.id for q in bank.questions}) == len(bank.questions)


def test_bank_size_and_type_coverage() -> None:
    """The bank has >= 200 questions, >= 40 behavioural and >= 20 system design ones."""
    questions = load_bank(None).questions
    types = Counter(q.type for q in questions)
    assert len(questions) >= 200
    assert types["behavioral"] >= 40
    assert types["system_design"] >= 20
    assert types["technical"] > 0


def test_bank_stack_coverage() -> None:
    """The bank covers >= 12 stacks, among them the twelve the issue names."""
    stacks = load_bank(None).stacks()
    assert len(stacks) >= 12
    assert stacks >= REQUIRED_STACKS, REQUIRED_STACKS - stacks
    technical = Counter(
        s for q in load_bank(None).questions if q.type == "technical" for s in q.stack
    )
    thin = {s: technical[s] for s in REQUIRED_STACKS if technical[s] < 5}
    assert not thin, f"stacks with fewer than 5 technical questions: {thin}"


def test_every_question_is_complete() -> None:
    """Each question has 3-6 key points with phrasings, an expected answer, levels and weights
    that sum to 1."""
    for q in load_bank(None).questions:
        assert 3 <= len(q.key_points) <= 6, q.id
        assert all(kp.point and kp.phrasings for kp in q.key_points), q.id
        assert q.expected_answer.strip() and q.text.strip(), q.id
        assert q.levels, q.id
        w = q.weights
        assert abs(w.correctness + w.completeness + w.clarity - 1.0) < 1e-6, q.id


# --- selection ----------------------------------------------------------------------------------


def test_same_seed_gives_same_questions_in_selection() -> None:
    """select_questions with the same criteria and seed returns the same questions."""
    bank = load_bank(None).questions
    role = resolve_role("Backend Engineer")
    criteria = Criteria(InterviewType.MIXED, "mid", ("python", "sql"), 8, role, seed=42)
    first = [q.id for q in select_questions(bank, criteria)]
    assert first == [q.id for q in select_questions(bank, criteria)]
    others = {
        tuple(
            q.id
            for q in select_questions(
                bank, Criteria(InterviewType.MIXED, "mid", ("python", "sql"), 8, role, seed=s)
            )
        )
        for s in range(1, 6)
    }
    assert len(others | {tuple(first)}) > 1, "different seeds should not all draw the same"


def test_same_seed_gives_same_interview_through_cli(run: Any) -> None:
    """`interview create --seed N` draws the same questions for two fresh profiles."""
    args = (
        "--type",
        "mixed",
        "--role",
        "Backend Engineer",
        "--level",
        "senior",
        "--count",
        "6",
        "--seed",
        "1234",
    )
    a = create(run, *args, profile="alice")
    b = create(run, *args, profile="bob")
    assert a.code == 0 and b.code == 0, a.stderr + b.stderr
    assert [q["text"] for q in a.json()["questions"]] == [q["text"] for q in b.json()["questions"]]
    assert a.json()["seed"] == 1234


@pytest.mark.parametrize("type_", ["technical", "behavioral", "system_design", "mixed"])
def test_no_repeats_within_an_interview(run: Any, type_: str) -> None:
    """An interview of 20 questions never asks the same question twice."""
    result = create(
        run, "--type", type_, "--role", "Full-Stack Engineer", "--count", "20", "--seed", "7"
    )
    assert result.code == 0, result.stderr
    texts = [q["text"] for q in result.json()["questions"]]
    ids = [q["bank_id"] for q in result.json()["questions"]]
    assert len(texts) == 20
    assert len(set(texts)) == 20 and len(set(ids)) == 20


def test_mixed_interview_has_every_type(run: Any) -> None:
    """A mixed interview of 4+ questions includes technical, behavioural and system design."""
    result = create(run, "--type", "mixed", "--role", "Backend Engineer", "--count", "4")
    assert result.code == 0, result.stderr
    types = {q["type"] for q in result.json()["questions"]}
    assert types == {"technical", "behavioral", "system_design"}


def test_recently_seen_questions_come_last(run: Any) -> None:
    """Successive interviews for one profile use unseen questions first; once the pool is used up
    the questions seen longest ago come back first."""
    pool = {
        q.id for q in load_bank(None).questions if q.type == "technical" and "python" in q.stack
    }
    per = 4
    rounds = len(pool) // per
    assert rounds >= 2
    args = (
        "--type",
        "technical",
        "--role",
        "Backend Engineer",
        "--level",
        "mid",
        "--stack",
        "python",
        "--count",
        str(per),
    )
    drawn: list[list[str]] = []
    for n in range(rounds):
        result = create(run, *args, "--seed", str(n))
        assert result.code == 0, result.stderr
        drawn.append(bank_ids(run, result.json()["id"]))
    seen = [i for batch in drawn for i in batch]
    assert len(seen) == len(set(seen)), "a question came back while unseen ones remained"
    assert set(seen) <= pool
    result = create(run, *args, "--seed", "99")
    assert result.code == 0, result.stderr
    latest = bank_ids(run, result.json()["id"])
    unseen = pool - set(seen)
    assert unseen <= set(latest)
    repeats = [i for i in latest if i not in unseen]
    assert set(repeats) <= set(drawn[0]), (repeats, drawn[0])


def test_freshness_is_per_profile(run: Any) -> None:
    """What one profile saw does not push questions back for another profile."""
    args = (
        "--type",
        "technical",
        "--role",
        "Backend Engineer",
        "--stack",
        "python",
        "--count",
        "4",
        "--seed",
        "5",
    )
    first = create(run, *args, profile="alice")
    again = create(run, *args, profile="alice")
    other = create(run, *args, profile="bob")
    a1 = bank_ids(run, first.json()["id"], "alice")
    a2 = bank_ids(run, again.json()["id"], "alice")
    b1 = bank_ids(run, other.json()["id"], "bob")
    assert not set(a1) & set(a2)
    assert b1 == a1


# --- roles --------------------------------------------------------------------------------------

ROLE_STACKS = {
    "Backend Engineer": {"python", "java", "go", "nodejs", "sql", "docker", "dsa"},
    "Frontend Developer": {"javascript", "typescript", "react"},
    "Full-Stack Engineer": {"javascript", "typescript", "react", "nodejs", "sql"},
    "Mobile Engineer": {"kotlin", "swift", "react-native"},
    "Data Engineer": {"sql", "python", "spark"},
    "DevOps Engineer": {"docker", "kubernetes", "aws"},
    "Site Reliability Engineer": {"docker", "kubernetes", "aws"},
    "Machine Learning Engineer": {"machine-learning", "python", "sql"},
}


@pytest.mark.parametrize("role", sorted(ROLE_STACKS))
def test_role_maps_to_its_stacks(run: Any, role: str) -> None:
    """A known role without --stack gets technical questions from that role's stacks, silently."""
    assert resolve_role(role) is not None
    result = create(
        run, "--type", "technical", "--role", role, "--level", "mid", "--count", "6", "--seed", "3"
    )
    assert result.code == 0, result.stderr
    assert "not one PrepPath knows" not in result.stderr
    questions = shown_questions(run, result.json()["id"])
    assert len(questions) == 6
    expected = ROLE_STACKS[role]
    for q in questions:
        assert set(q["stack"]) & expected, (role, q["bank_id"], q["stack"])


def test_distinct_roles_resolve_distinctly() -> None:
    """Each family of role titles resolves to its own role."""
    keys = {title: resolve_role(title).key for title in ROLE_STACKS}  # type: ignore[union-attr]
    assert keys["DevOps Engineer"] == keys["Site Reliability Engineer"]
    assert len({keys[t] for t in ROLE_STACKS if t != "Site Reliability Engineer"}) == 7
    assert resolve_role("Engineering Manager") is not None
    assert resolve_role("Engineering Manager").key not in set(keys.values())  # type: ignore[union-attr]


@pytest.mark.parametrize("level", ["mid", "senior", "lead"])
def test_manager_gets_management_behavioural_questions(run: Any, level: str) -> None:
    """An engineering manager's behavioural interview asks about managing and leading people."""
    result = create(
        run,
        "--type",
        "behavioral",
        "--role",
        "Engineering Manager",
        "--level",
        level,
        "--count",
        "5",
        "--seed",
        "11",
    )
    assert result.code == 0, result.stderr
    assert "not one PrepPath knows" not in result.stderr
    for q in shown_questions(run, result.json()["id"]):
        assert q["type"] == "behavioral"
        assert set(q["tags"]) & MANAGER_TOPICS, (q["bank_id"], q["tags"])


def test_unknown_role_gets_questions_and_one_line_notice(run: Any) -> None:
    """A role the bank does not know still gets questions, with a one-line notice on stderr."""
    result = create(
        run, "--type", "technical", "--role", "Underwater Basket Weaver", "--count", "4"
    )
    assert result.code == 0, result.stderr
    assert len(result.json()["questions"]) == 4
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Underwater Basket Weaver" in lines[0]
    assert "Traceback" not in result.stderr


def test_unknown_role_uses_given_stack(run: Any) -> None:
    """An unknown role with --stack draws from that stack."""
    result = create(
        run, "--type", "technical", "--role", "Quantum Whisperer", "--stack", "go", "--count", "4"
    )
    assert result.code == 0, result.stderr
    assert len(result.stderr.splitlines()) == 1
    for q in shown_questions(run, result.json()["id"]):
        assert "go" in q["stack"]


def test_explicit_stacks_are_all_represented(run: Any) -> None:
    """Several --stack options each get questions (round robin), not just the first."""
    result = create(
        run,
        "--type",
        "technical",
        "--role",
        "Backend Engineer",
        "--stack",
        "python",
        "--stack",
        "sql",
        "--count",
        "4",
    )
    assert result.code == 0, result.stderr
    stacks = [set(q["stack"]) for q in shown_questions(run, result.json()["id"])]
    assert sum("python" in s for s in stacks) >= 2
    assert sum("sql" in s for s in stacks) >= 2


# --- user packs ---------------------------------------------------------------------------------


def test_user_packs_are_picked_up(run: Any, home: Path) -> None:
    """A pack in the config dir's packs/ folder joins the bank for listing and for interviews."""
    packs = home / "config" / "packs"
    packs.mkdir(parents=True)
    (packs / "cobol.toml").write_text(COBOL_PACK, encoding="utf-8")
    listed = run("questions", "list", "--json", "--stack", "cobol")
    assert listed.code == 0, listed.stderr
    assert [q["id"] for q in listed.json()] == ["cobol-divisions"]
    everything = run("questions", "list", "--json")
    assert len(everything.json()) == len(load_bank(None).questions) + 1
    result = create(
        run, "--type", "technical", "--role", "Backend Engineer", "--stack", "cobol", "--count", "1"
    )
    assert result.code == 0, result.stderr
    assert "no bank questions for cobol" not in result.stderr
    assert result.json()["questions"][0]["bank_id"] == "cobol-divisions"
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        assert db.execute("SELECT bank_id, source FROM interview_question").fetchall() == [
            ("cobol-divisions", "bank")
        ]


def test_stack_without_questions_gets_notice(run: Any) -> None:
    """Asking for a stack no pack covers still works, with a notice naming the stack."""
    result = create(
        run, "--type", "technical", "--role", "Backend Engineer", "--stack", "cobol", "--count", "2"
    )
    assert result.code == 0, result.stderr
    assert "cobol" in result.stderr
    assert len(result.json()["questions"]) == 2
