"""The fresh graded answer set (tests/fixtures/graded_fresh/) is well formed and stays fresh.

That set is only ever reported, never tuned on, so its figures stay honest; this file checks its
shape (bank questions, kinds, bands, coverage) and that it shares no question with the older set
in tests/fixtures/graded_answers/, whose held-out figures have been seen while tuning. It scores
nothing on purpose: a scoring test here would turn the set into one more thing to tune against.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from preppath.bank.loader import load_bank, load_pack, pack_files
from preppath.evaluation.calibration import Graded, load_graded
from preppath.values import Question

FIXTURES = Path(__file__).parent / "fixtures"
FRESH = FIXTURES / "graded_fresh"
OLD = FIXTURES / "graded_answers"

# Each kind's target band, and the question types it may be written for.
ANY_TYPE = frozenset({"technical", "system_design", "behavioral"})
KINDS: dict[str, tuple[tuple[int, int], frozenset[str]]] = {
    "excellent": ((70, 100), ANY_TYPE),
    "paraphrase": ((70, 100), ANY_TYPE),
    "partial": ((30, 70), ANY_TYPE),
    "shallow": ((0, 40), ANY_TYPE),
    "reversed": ((0, 30), frozenset({"technical", "system_design"})),
    "keywords": ((0, 30), ANY_TYPE),
    "off_topic": ((0, 30), ANY_TYPE),
    "vague": ((0, 35), frozenset({"behavioral"})),
}


@cache
def _fresh() -> tuple[Graded, ...]:
    return tuple(load_graded(FRESH.glob("*.toml")))


@cache
def _questions() -> dict[str, Question]:
    return load_bank(None).by_id()


def test_every_fresh_answer_names_a_bank_question() -> None:
    """Each fresh answer is written for a question that exists in the built-in bank."""
    unknown = sorted({a.question for a in _fresh()} - set(_questions()))
    assert unknown == []


def test_kinds_and_bands_are_the_agreed_ones() -> None:
    """Every answer has a known kind, exactly that kind's band, and a question type it fits."""
    questions = _questions()
    for answer in _fresh():
        assert answer.kind in KINDS, answer
        band, types = KINDS[answer.kind]
        assert answer.band == band, answer
        assert questions[answer.question].type in types, answer


def test_no_fresh_question_was_in_the_tuned_set() -> None:
    """No question of the fresh set appears in the older, already-tuned graded set."""
    old = {a.question for a in load_graded(OLD.glob("*.toml"))}
    assert old, "the older graded set was not found"
    assert sorted({a.question for a in _fresh()} & old) == []


def test_fresh_set_is_large_and_covers_every_type_and_pack() -> None:
    """At least 150 answers over 45 questions, all three question types and all 16 packs."""
    answers = _fresh()
    asked = {a.question for a in answers}
    assert len(answers) >= 150
    assert len(asked) >= 45
    assert {_questions()[q].type for q in asked} == ANY_TYPE
    packs = [load_pack(path) for path in pack_files(None)]
    assert len(packs) == 16
    uncovered = [p.name for p in packs if not asked & {q.id for q in p.questions}]
    assert uncovered == []


def test_each_question_gets_distinct_kinds_and_distinct_texts() -> None:
    """A question's answers are of different kinds, and no answer text is repeated anywhere."""
    answers = _fresh()
    pairs = Counter((a.question, a.kind) for a in answers)
    assert [pair for pair, n in pairs.items() if n > 1] == []
    assert all(len({a.kind for a in answers if a.question == q}) >= 3 for q, _ in pairs)
    texts = Counter(" ".join(a.text.split()).lower() for a in answers)
    assert [t[:60] for t, n in texts.items() if n > 1] == []
