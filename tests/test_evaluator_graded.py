"""The offline rubric scorer ranks graded answers in the right order, across question types.

Each case in tests/fixtures/graded/*.toml has a strong, a partial and a keyword-list answer to one
bank question; the off-topic answer is the strong answer written for a different case's question.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from preppath.bank.loader import load_bank
from preppath.evaluation.rubric import RubricEvaluator, bank_idf
from preppath.providers.base import Question

GRADED = sorted((Path(__file__).parent / "fixtures" / "graded").glob("*.toml"))


def _cases() -> list[dict[str, Any]]:
    cases = []
    for path in GRADED:
        cases.extend(tomllib.loads(path.read_text(encoding="utf-8"))["case"])
    return cases


CASES = _cases()
BANK = load_bank(None)
QUESTIONS = BANK.by_id()
EVALUATOR = RubricEvaluator(bank_idf(BANK.questions))


def _off_topic_for(case: dict[str, Any]) -> str:
    """A strong answer to another question: the next case of a different type if possible, so
    the check is not just 'a different behavioural story'."""
    index = CASES.index(case)
    for other in CASES[index + 1 :] + CASES[:index]:
        if other["question"] != case["question"]:
            return str(other["strong"])
    raise AssertionError("need at least two cases")


def _score(question: Question, answer: str) -> int:
    return EVALUATOR.evaluate(question, answer).overall


def test_enough_cases_across_types() -> None:
    """At least 30 graded questions, covering technical, behavioural and system design."""
    assert len(CASES) >= 30
    types = {QUESTIONS[c["question"]].type for c in CASES}
    assert types == {"technical", "behavioral", "system_design"}


@pytest.mark.parametrize("case", CASES, ids=[c["question"] for c in CASES])
def test_graded_order(case: dict[str, Any]) -> None:
    """strong > partial > off-topic, and a bare keyword list never beats the partial answer."""
    question = QUESTIONS[case["question"]]
    strong = _score(question, case["strong"])
    partial = _score(question, case["partial"])
    keywords = _score(question, case["keywords"])
    off_topic = _score(question, _off_topic_for(case))
    assert strong > partial, (strong, partial)
    assert partial > keywords, (partial, keywords)
    assert partial > off_topic, (partial, off_topic)
    assert strong >= 55, strong


def test_deterministic() -> None:
    """The same answer always gets the same evaluation."""
    case = CASES[0]
    question = QUESTIONS[case["question"]]
    assert EVALUATOR.evaluate(question, case["strong"]) == EVALUATOR.evaluate(
        question, case["strong"]
    )
