"""Cloud evaluation checked by PrepPath: credit needs a quote the answer contains, and a wide gap
between the model's score and the offline rubric's is explained (real SDK, stub on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from conftest import BACKEND_PYTHON
from openai_stub import OpenAIStub, chat_reply
from preppath.bank.loader import load_bank
from preppath.providers.openai_client import make_client
from preppath.providers.openai_evaluator import OpenAIEvaluator, disagreement
from preppath.providers.quotes import quoted_in
from preppath.settings import Settings
from preppath.values import Evaluation, KeyPointResult
from test_openai_providers import CHAT, KEY

GIL = next(q for q in load_bank(None).questions if q.id == "python-gil")
POINTS = [kp.point for kp in GIL.key_points]
# States the first and fourth key points and nothing else.
ANSWER = (
    "In CPython only one thread executes Python bytecode at a time. For I/O-bound work "
    "threads still help, because the GIL is released while a thread waits on the network."
)


def _grade(covered: dict[int, list[str]], score: float = 9) -> dict[str, Any]:
    return {
        "correctness": score,
        "completeness": score,
        "clarity": score,
        "strengths": [{"point": "Clear definition", "evidence": "only one thread"}],
        "improvements": [{"point": "Say what to use for CPU work", "evidence": ""}],
        "key_points": [
            {"point": p, "covered": i in covered, "quotes": covered.get(i, [])}
            for i, p in enumerate(POINTS)
        ],
        "star": {"situation": False, "task": False, "action": False, "result": False},
    }


@pytest.fixture
def stub(home: Path) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def _client(stub: OpenAIStub) -> openai.OpenAI:
    return make_client(
        Settings(openai_api_key=SecretStr(KEY), openai_base_url=stub.base_url), max_retries=0
    )


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("ONLY one   thread executes python bytecode", True),  # case and spacing
        ("only one thread executes Python bytecode at a time.", True),  # punctuation
        ("“the GIL is released”", True),  # curly quotes around it
        ("the GIL isn’t released", False),  # words the answer does not have
        ("thread execute", False),  # not a whole word
        ("", False),
    ],
)
def test_quotes_are_compared_as_words(quote: str, found: bool) -> None:
    """Case, whitespace, punctuation and quote styles are ignored; words must match whole."""
    assert quoted_in(quote, ANSWER) is found


def test_curly_apostrophes_match_straight_ones() -> None:
    """A model's typographic apostrophe matches the transcript's plain one, and back."""
    assert quoted_in("the GIL isn’t held", "Then the GIL isn't held while waiting.")
    assert quoted_in("it's released", "It’s released during I/O.")


def test_credit_without_a_quote_in_the_answer_is_dropped(stub: OpenAIStub) -> None:
    """Points credited with invented or missing quotes are not covered, and completeness shrinks
    by the share of the model's credit that was dropped."""
    credited = {
        0: ["Only one thread executes Python bytecode at a time"],
        2: ["CPU-bound threads never run in parallel"],  # not in the answer
        3: [],  # credited with no quote at all
        4: ["the GIL is released"],  # in the answer, but it is not this point's quote...
    }
    stub.script(CHAT, chat_reply(_grade(credited, score=8)))
    result = OpenAIEvaluator(_client(stub), "m").evaluate(GIL, ANSWER)

    assert [(k.covered, k.status) for k in result.key_points] == [
        (True, "covered"),
        (False, "missed"),
        (False, "missed"),
        (False, "missed"),
        (True, "covered"),  # ...a quote the answer holds is all the verifier can check
    ]
    assert result.key_points[0].matched == ("Only one thread executes Python bytecode at a time",)
    assert result.completeness == 4.0  # 8 x 2 verified of 4 credited
    sent = stub.requests_to(CHAT)[0].json()["messages"][1]["content"]
    assert "Weights: correctness 0.50, completeness 0.30, clarity 0.20" in sent


def _eval(overall: int, statuses: list[str]) -> Evaluation:
    points = [
        KeyPointResult(p, s == "covered", (), status=s)
        for p, s in zip(POINTS, statuses, strict=False)
    ]
    return Evaluation(5, 5, 5, overall, [], [], key_points=points)


def test_a_gap_of_25_points_or_less_says_nothing() -> None:
    """Scores 25 points apart are within what two judges may differ by: no note."""
    assert disagreement(_eval(80, ["covered"]), _eval(55, ["missed"])) == ""


def test_the_note_names_what_the_model_credited_and_the_rubric_did_not_find() -> None:
    """When the model is higher, the note names the points only the model credited."""
    note = disagreement(_eval(90, ["covered", "covered"]), _eval(40, ["covered", "missed"]))
    assert note == (
        "The model scored this 90 and the offline rubric 40: the model credited “It protects "
        "reference counting and interpreter internals” that the rubric did not find."
    )


def test_the_note_names_what_the_rubric_found_and_the_model_did_not_credit() -> None:
    """When the rubric is higher, the note names the points only the rubric found."""
    note = disagreement(_eval(30, ["missed", "missed"]), _eval(70, ["missed", "covered"]))
    assert "the rubric found “It protects reference counting" in note
    assert note.startswith("The model scored this 30 and the offline rubric 70")


def test_the_note_says_when_the_rubric_read_a_wrong_claim() -> None:
    """A point the model credited but the rubric read as contradicted is named as such."""
    note = disagreement(_eval(85, ["covered"]), _eval(20, ["contradicted"]))
    assert "the rubric read a wrong claim about “Only one thread executes" in note


def test_a_gap_on_agreed_points_is_put_down_to_judgement() -> None:
    """Same key points, far-apart scores: the note says the difference is accuracy and clarity."""
    note = disagreement(_eval(95, ["covered"]), _eval(50, ["covered"]))
    assert note.endswith(
        "they agree on the key points but not on how accurate and clear the answer is."
    )


def test_the_disagreement_shows_in_the_feedback_and_the_report(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`interview answer` and `interview report` both carry the one-line explanation when the
    model credits every point of an answer the rubric finds thin."""
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", KEY)
        server.script(CHAT, chat_reply({"questions": [_bank_question_json()]}))
        created = run("interview", "create", *BACKEND_PYTHON, "--count", "1", "--json")
        assert created.code == 0, created.stderr
        interview = str(created.json()["id"])
        answer = "It is a lock. One thread. Yes."
        every_point = {i: ["One thread"] for i in range(len(POINTS))}
        server.script(CHAT, chat_reply(_grade(every_point, score=10)))
        answered = run("interview", "answer", interview, "1", "--text", answer, "--json")
    assert answered.code == 0, answered.stderr
    note = answered.json()["improvements"][0]
    assert note.startswith("The model scored this 100 and the offline rubric ")
    assert note.endswith(
        ": the model credited “Only one thread executes Python bytecode at a time”, “It protects "
        "reference counting and interpreter internals” and 3 more that the rubric did not find."
    )
    report = run("interview", "report", interview, "--format", "markdown")
    assert report.code == 0 and note in report.stdout


def _bank_question_json() -> dict[str, Any]:
    """The GIL question as a model would send it, so its key points are the bank's."""
    return {
        "text": GIL.text,
        "type": "technical",
        "difficulty": GIL.difficulty,
        "expected_answer": GIL.expected_answer,
        "key_points": [
            {
                "point": kp.point,
                "phrasings": list(kp.phrasings),
                "explain": "",
                "misconceptions": [],
            }
            for kp in GIL.key_points
        ],
        "weights": {"correctness": 0.5, "completeness": 0.3, "clarity": 0.2},
        "tags": ["python"],
    }


def test_a_malformed_grade_is_retried_once_quoting_the_error(stub: OpenAIStub) -> None:
    """A grade that fails validation is sent back with the error; the retry's grade is used."""
    bad = _grade({}) | {"clarity": "very"}
    stub.script(CHAT, chat_reply(bad), chat_reply(_grade({0: ["only one thread"]})))
    result = OpenAIEvaluator(_client(stub), "m").evaluate(GIL, ANSWER)
    assert result.key_points[0].covered
    retry = stub.requests_to(CHAT)[1].json()["messages"][-1]["content"]
    assert "clarity: Input should be a valid number" in retry


def test_a_server_without_json_schema_grades_through_json_object(home: Path) -> None:
    """Evaluation against a local server without json_schema falls back to json_object."""
    with OpenAIStub(json_schema=False) as server:
        server.script(CHAT, chat_reply(_grade({0: ["only one thread"]})))
        result = OpenAIEvaluator(_client(server), "m").evaluate(GIL, ANSWER)
        kinds = [r.json()["response_format"]["type"] for r in server.requests_to(CHAT)]
    assert result.key_points[0].covered and kinds == ["json_schema", "json_object"]
