"""The offline scorer's verdicts a person can check by reading: backwards facts, thin answers,
generic stories, and inputs that are not answers at all."""

from __future__ import annotations

from functools import cache

import pytest

from preppath.bank.loader import load_bank
from preppath.evaluation.rubric import RubricEvaluator, bank_idf, bank_topics
from preppath.evaluation.text import analyse
from preppath.values import Evaluation, Question


@cache
def _bank() -> tuple[RubricEvaluator, dict[str, Question]]:
    bank = load_bank(None)
    scorer = RubricEvaluator(bank_idf(bank.questions), topics=bank_topics(bank.questions))
    return scorer, bank.by_id()


def _evaluate(question_id: str, answer: str) -> Evaluation:
    evaluator, questions = _bank()
    return evaluator.evaluate(questions[question_id], answer)


TUPLES_RIGHT = (
    "The big difference is that a list is mutable, you can append to it or change an element, "
    "while a tuple is immutable once it exists. Because a tuple can't change it is hashable, so "
    "it can be a dictionary key or go in a set, which a list cannot. Tuples are also a bit "
    "lighter in memory. I use lists for collections that grow and tuples for fixed records "
    "like a pair of coordinates."
)
TUPLES_BACKWARDS = (
    "The big difference is that a tuple is mutable, you can append to it or change an element, "
    "while a list is immutable once it exists. Because a list can't change it is hashable, so "
    "it can be a dictionary key or go in a set, which a tuple cannot. Lists are also a bit "
    "lighter in memory. I use tuples for collections that grow and lists for fixed records "
    "like a pair of coordinates."
)


def test_backwards_facts_score_far_below_the_same_answer_told_right() -> None:
    """Swapping list and tuple turns a strong answer into a failing one, with corrections."""
    right = _evaluate("python-list-vs-tuple", TUPLES_RIGHT)
    wrong = _evaluate("python-list-vs-tuple", TUPLES_BACKWARDS)
    assert right.overall >= 70
    assert wrong.overall <= 35
    assert right.overall - wrong.overall >= 40
    assert any(k.status == "contradicted" for k in wrong.key_points)
    assert any(line.startswith("You said “") for line in wrong.improvements)


def test_a_one_line_answer_to_a_hard_question_is_not_passable() -> None:
    """Nine words cannot pass a hard question or be praised as clear prose; feedback says what
    a full answer adds."""
    evaluator, questions = _bank()
    hard = next(q for q in questions.values() if q.type == "technical" and q.difficulty == "hard")
    result = evaluator.evaluate(hard, hard.key_points[0].point + " and that is basically it.")
    assert result.overall < 40
    assert not any(s.startswith("Clear prose") for s in result.strengths)
    assert any("Too short" in line and "would also cover" in line for line in result.improvements)


def test_missed_points_teach_the_idea_not_a_word() -> None:
    """No hint tells the person to insert a word ("mention …")."""
    result = _evaluate("python-list-vs-tuple", "Lists and tuples are both sequences in Python.")
    assert not any("mention" in line.lower() for line in result.improvements)
    assert any(line.startswith("Missing: ") for line in result.improvements)


GENERIC = (
    "I always try to communicate openly with my colleagues. I believe that disagreements are "
    "healthy and I usually listen to the other person first. I think it's important to find "
    "common ground and to focus on the problem, not the person, and I would always escalate "
    "only as a last resort."
)
STORY = (
    "Last year our payments service was failing about two percent of card transactions, and "
    "a senior colleague insisted the fix was a full rewrite. I disagreed, because the errors "
    "clustered around one retry path. As the on-call lead it was my call what we shipped "
    "first, so I set up a half-hour session with him, listened to his concerns about the old "
    "code, and proposed we both look at the traces together. I pulled a week of failed "
    "transactions and showed that 90 percent came from a timeout we had set too low. We "
    "agreed I would patch that first and he would write up the rewrite proposal. The failure "
    "rate dropped from 2 percent to 0.1 percent within two days, and the rewrite was later "
    "scoped down to the retry module. I learned to bring data to a disagreement early."
)


def test_a_specific_story_beats_a_generic_statement_of_habits() -> None:
    """A story in the person's own words, on the question's competency, scores well; a generic
    answer scores low and is told why."""
    story = _evaluate("behavioral-conflict-peer", STORY)
    generic = _evaluate("behavioral-conflict-peer", GENERIC)
    assert story.overall >= 70, story
    assert generic.overall <= 35, generic
    assert story.star == {"situation": True, "task": True, "action": True, "result": True}
    assert any("what you usually do" in line for line in generic.improvements)
    assert not any("off the question" in line for line in story.improvements)


def test_a_strong_story_on_another_competency_is_told_it_misses_the_question() -> None:
    """The payments story answers conflict, not mentoring."""
    result = _evaluate("behavioral-mentoring-junior", STORY)
    assert result.overall < _evaluate("behavioral-conflict-peer", STORY).overall - 25
    assert any("does not show what the question asks" in line for line in result.improvements)


@pytest.mark.parametrize(
    ("answer", "note"),
    [
        (
            "La diferencia principal es que una lista es mutable y una tupla no se puede "
            "cambiar, por eso la tupla se puede usar como clave de un diccionario.",
            "doesn't read as English",
        ),
        (
            "def f(x):\n    t = (1, 2)\n    d = {t: x}\n    return d\n",
            "look like code",
        ),
        (
            "What is the difference between a list and a tuple in Python, and when would you "
            "choose each?",
            "repeats the question",
        ),
    ],
)
def test_inputs_that_are_not_answers_get_a_low_score_and_a_note(answer: str, note: str) -> None:
    """Another language, bare code and the question read back score low, with a one-line note."""
    result = _evaluate("python-list-vs-tuple", answer)
    assert result.overall <= 15, result
    assert any(note in line for line in result.improvements), result.improvements


def test_the_model_answer_pasted_back_is_flagged_not_rewarded() -> None:
    """Pasting the bank's own answer is capped and said to be the model answer."""
    _, questions = _bank()
    result = _evaluate("python-list-vs-tuple", questions["python-list-vs-tuple"].expected_answer)
    assert result.overall <= 10
    assert any("model answer" in line for line in result.improvements)


def test_repetition_is_scored_once() -> None:
    """20,000 characters of one sentence repeated score as that sentence, with a note."""
    sentence = "A tuple is immutable so it can be a dictionary key. "
    result = _evaluate("python-list-vs-tuple", sentence * (20_000 // len(sentence)))
    once = _evaluate("python-list-vs-tuple", sentence)
    assert result.overall <= once.overall + 5
    assert any("repeats itself" in line for line in result.improvements)


def test_topic_is_the_question_an_answer_most_resembles() -> None:
    """An answer in plain words is on topic when its words belong to this question more than
    to any other; the same answer given to another question stays off topic."""
    evaluator, questions = _bank()
    plain = (
        "When a record changes I save it in the main place first and afterwards throw away the "
        "quick lookup entry rather than overwriting it, since two writers may finish out of "
        "order and leave an old version sitting there. Entries also lapse on their own after a "
        "few minutes, so a forgotten removal only hurts for a while. It took us a while to see "
        "this. My colleagues were sceptical at the start. We tried several variations over the "
        "summer."  # talk around the point: less of the answer is the bank's own vocabulary
    )
    asked = questions["system-design-cache-invalidation"]
    other = questions["python-list-vs-tuple"]
    analysed = analyse(plain)
    alone = RubricEvaluator(evaluator.idf)
    assert evaluator._topic(asked, analysed) > alone._topic(asked, analysed)
    assert evaluator._topic(other, analysed) == alone._topic(other, analysed)


def test_a_key_point_said_in_its_own_words_is_covered() -> None:
    """An answer that states a key point as the bank words it is credited for that point,
    whatever the phrasings list holds (a negated point included: "do not run in parallel")."""
    evaluator, questions = _bank()
    for question_id in ("python-gil", "python-list-vs-tuple", "system-design-cache-invalidation"):
        question = questions[question_id]
        for n, point in enumerate(question.key_points):
            verdict = evaluator.evaluate(question, f"{point.point}.").key_points[n]
            assert verdict.status == "covered", (question_id, point.point)


def test_a_mention_beside_a_backwards_statement_earns_less() -> None:
    """Naming a term earns half a point, but only a quarter in an answer that states a fact
    backwards: the mention proves less from someone who says the facts the wrong way round."""
    from preppath.values import KeyPoint, Misconception

    question = Question(
        "own-tuples",
        "technical",
        "easy",
        ("mid",),
        ("python",),
        (),
        "Why are tuples hashable?",
        "Tuples are immutable, so they can be hashed and used as dictionary keys.",
        (
            KeyPoint(
                "Tuples are immutable",
                ("tuples are immutable",),
                misconceptions=(Misconception("tuples are mutable", "They cannot change."),),
            ),
            KeyPoint("Hashable objects can be dictionary keys", ("dictionary",)),
        ),
    )
    evaluator = RubricEvaluator()
    backwards = evaluator._parts(question, "Tuples are mutable. A dictionary is handy.", ())
    assert [j.status for j in backwards.judgements] == ["contradicted", "partial"]
    assert backwards.coverage == pytest.approx(0.125)
    right = evaluator._parts(question, "Tuples are immutable. A dictionary is handy.", ())
    assert right.coverage == pytest.approx(0.75)
