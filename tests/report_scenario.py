"""One interview to report on, shared by the report-format and browser tests: a typed answer
(real scorer), a spoken one (real delivery measurement of given word timings), a skipped and a
pending question, in a user pack whose texts hold what Markdown and HTML would otherwise eat."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

from conftest import Runner, cli_create
from preppath.domain import AnswerSource
from preppath.providers.factory import overridden
from preppath.services.answers import answer_question
from preppath.services.context import AppContext
from preppath.testing.fakes import FakeEvaluator
from preppath.values import Evaluation, KeyPointResult, Transcript, Word
from preppath.voice.delivery import measure_delivery

QUESTION = """
[[question]]
id = "{id}"
type = "technical"
difficulty = "medium"
levels = ["junior", "mid", "senior"]
stack = ["reportlang"]
tags = ["{tag}"]
text = "{text}"
expected_answer = "{model}"

[[question.key_points]]
point = "Collects extra arguments"
phrasings = ["extra arguments", "collects"]

[[question.key_points]]
point = "Positional ones land in a tuple"
phrasings = ["tuple"]

[[question.key_points]]
point = "Keyword ones land in a dict"
phrasings = ["dict", "dictionary"]
"""

# Texts full of what Markdown and HTML would otherwise eat: stars, dunders, tags, backticks.
QUESTIONS = {
    "rl-args": ("signatures", "What do `*args` and `**kwargs` do in a signature?",
                "They collect extra positional arguments into a tuple (*args) and keyword "
                "arguments into a dict (**kwargs); __init__ often forwards both."),
    "rl-spoken": ("speech", "How would you explain a dict to a new colleague?",
                  "A dict maps hashable keys to values with average O(1) lookups [hash table]."),
    "rl-skipped": ("skipping", "When is a tuple better than a list?",
                   "When the sequence should not change: a tuple is immutable & hashable."),
    "rl-pending": ("pending", "What does the walrus operator do?",
                   "PENDING MODEL ANSWER: it assigns inside an expression, like (n := len(a))."),
}  # fmt: skip

TYPED = "I'd use `*args` to collect extra arguments into a tuple <b>and</b> pass __init__ them."
SPOKEN = (
    "um so a dict is like a phone book you look up a name and you get the number "
    "and it is fast because it hashes the key"
)
SPOKEN_WORDS = SPOKEN.split(" ")
CORRECTION = "Keyword arguments land in a dict, not a list."


def spoken_transcript() -> Transcript:
    """Word timings of a real-sounding answer: 2.4 words a second with one 3 s pause."""
    words, t = [], 0.5
    for i, w in enumerate(SPOKEN_WORDS):
        if i == 10:
            t += 3.0
        words.append(Word(w, t, t + 0.3))
        t += 0.42
    return Transcript(" ".join(SPOKEN_WORDS), words, t + 1.0)


def make_report_interview(app: AppContext, run: Runner) -> tuple[int, dict[str, int]]:
    """Create and answer the interview; return its ID and each bank ID's position."""
    app.paths.packs_dir.mkdir(parents=True, exist_ok=True)
    pack = '[pack]\nname = "reportlang"\n' + "".join(
        QUESTION.format(id=qid, tag=tag, text=text.replace('"', '\\"'), model=model)
        for qid, (tag, text, model) in QUESTIONS.items()
    )
    (app.paths.packs_dir / "reportlang.toml").write_text(pack, encoding="utf-8")
    iv = cli_create(run, count=4, stack=("reportlang",), seed=5)
    where = {q["bank_id"]: q["id"] for q in iv["questions"]}
    assert set(where) == set(QUESTIONS)
    typed = run("interview", "answer", str(iv["id"]), str(where["rl-args"]), "--text", TYPED)
    assert typed.code == 0, typed.stderr
    delivery = measure_delivery(spoken_transcript(), "technical").to_dict()
    scored = FakeEvaluator().enqueue(
        Evaluation(
            correctness=6.5,
            completeness=5.5,
            clarity=4.0,
            overall=58,
            strengths=["Gave an everyday comparison (`phone book`)"],
            improvements=["Name the hash table behind it"],
            key_points=[
                KeyPointResult("Collects extra arguments", False, ()),
                KeyPointResult("Keyword ones land in a dict", True, ("dict",)),
            ],
            star={"situation": True, "task": False, "action": True, "result": False},
            delivery=delivery,
        )
    )
    with overridden("evaluation", scored):
        answer_question(
            app,
            iv["id"],
            where["rl-spoken"],
            " ".join(SPOKEN_WORDS),
            source=AnswerSource.AUDIO_IMPORT,
            delivery=delivery,
        )
    assert run("interview", "skip", str(iv["id"]), str(where["rl-skipped"])).code == 0
    # Key point results as the rewritten scorer stores them, with a status and a correction.
    with closing(sqlite3.connect(app.paths.database)) as db:
        db.execute(
            "UPDATE interview_feedback SET key_points = ? WHERE answer_source = 'typed'",
            (
                json.dumps(
                    [
                        {"point": "Collects extra arguments", "covered": True,
                         "matched": ["collect extra arguments"], "status": "covered",
                         "correction": ""},
                        {"point": "Positional ones land in a tuple", "covered": False,
                         "matched": ["tuple"], "status": "partial", "correction": ""},
                        {"point": "Keyword ones land in a dict", "covered": False,
                         "matched": [], "status": "contradicted", "correction": CORRECTION},
                    ]
                ),
            ),
        )  # fmt: skip
        db.commit()
    return iv["id"], where
