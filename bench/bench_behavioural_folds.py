"""The behavioural scorer on the tuning half only, in two folds by question.

A change to the behavioural rules is kept when it helps, or does not hurt, on both folds: a rule
that only helps the questions it was read on is fitted, not general. Besides the graded answers,
each fold gets swapped stories: every tuning-half excellent answer and model answer scored
against the fold's questions whose competencies it does not share, which must score like an
off-topic answer. The held-out half is never loaded.

    .venv/bin/python bench/bench_behavioural_folds.py
    .venv/bin/python bench/bench_behavioural_folds.py --answers   # per answer, tuning half only

Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADED = ROOT / "tests" / "fixtures" / "graded_answers"


def _fold(question_id: str) -> int:
    # A different byte from the one calibration.half uses, so the folds cut across it.
    return hashlib.sha256(question_id.encode()).digest()[1] % 2


def _as_transcript(text: str) -> str:
    return re.sub(r"[^\w\s'-]", " ", text).lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", action="store_true", help="print each tuning answer's score")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from behavioural_probes import PLAIN_STORIES
    from bench_scorer import _setup

    from preppath.evaluation import behavioral
    from preppath.evaluation.calibration import figures, half, load_graded

    # An older checkout (PYTHONPATH=...) has no open-question rule: skip the same questions.
    open_question = getattr(behavioral, "_OPEN", re.compile(r"\bproud\b|\baccomplishment"))

    evaluator, questions, _ = _setup()
    tuning = [
        a
        for a in load_graded(GRADED.glob("*.toml"))
        if half(a.question) == "tuning" and questions[a.question].type == "behavioral"  # type: ignore[attr-defined]
    ]
    # Stories known to be good, each with the question it answers: swapped onto a question of
    # other competencies they become off-topic answers.
    stories = [(a.question, a.text) for a in tuning if a.kind in ("excellent", "paraphrase")]
    graded_stories = len(stories)
    bank_questions = [
        q
        for q in questions.values()
        if q.type == "behavioral" and half(q.id) == "tuning"  # type: ignore[attr-defined]
    ]
    stories += [(q.id, q.expected_answer) for q in bank_questions]  # type: ignore[attr-defined]
    for fold in (0, 1):
        answers = [a for a in tuning if _fold(a.question) == fold]
        scored = [evaluator.evaluate(questions[a.question], a.text).overall for a in answers]  # type: ignore[attr-defined]
        f = figures(answers, scored)
        kinds = "  ".join(f"{k} {v:.1f}" for k, v in f.by_kind.items())
        print(
            f"fold {fold}: {f.answers} answers, {f.questions} questions, {f.pairs} pairs, "
            f"ordered {f.ordered:.3f}, distance {f.band_distance:.1f}"
        )
        print(f"  {kinds}")
        swapped: list[int] = []
        own: list[int] = []
        fold_questions = [q for q in bank_questions if _fold(q.id) == fold]  # type: ignore[attr-defined]
        for n, (source, text) in enumerate(stories):
            tags = set(questions[source].tags)  # type: ignore[attr-defined]
            for q in fold_questions:
                if q.id == source and n < graded_stories:  # type: ignore[attr-defined]
                    # A model answer on its own question is flagged as pasted back: not counted.
                    own.append(evaluator.evaluate(q, text).overall)  # type: ignore[attr-defined]
                elif not tags & set(q.tags) and not open_question.search(q.text):  # type: ignore[attr-defined]
                    # (a question open to any story, "most proud of", has no off-topic one)
                    swapped.append(evaluator.evaluate(q, text).overall)  # type: ignore[attr-defined]
        # The same good stories as a speech transcript reads: no capitals, no punctuation.
        spoken = [
            evaluator.evaluate(questions[a.question], _as_transcript(a.text)).overall  # type: ignore[attr-defined]
            for a in answers
            if a.kind in ("excellent", "paraphrase")
        ]
        high = sum(s >= 40 for s in swapped)
        print(
            f"  swapped stories: {len(swapped)}, mean {sum(swapped) / len(swapped):.1f}, "
            f"{high} at 40 or more; own question: mean {sum(own) / len(own):.1f} over {len(own)}"
        )
        print(f"  good stories as transcripts: mean {sum(spoken) / len(spoken):.1f}")
        plain = {
            qid.removeprefix("behavioral-"): evaluator.evaluate(questions[qid], text).overall  # type: ignore[attr-defined]
            for qid, text in PLAIN_STORIES.items()
            if _fold(qid) == fold
        }
        if plain:
            print(f"  plain-word stories (bench/behavioural_probes.py): {plain}")
        # A model answer on its own question is flagged as pasted back, so its relevance is
        # read directly: each is a good story on its question's competency.
        if hasattr(behavioral, "read_story"):
            from preppath.evaluation.matching import units_of

            relevance = [
                behavioral.read_story(
                    q.expected_answer,  # type: ignore[attr-defined]
                    units_of(q.expected_answer),  # type: ignore[attr-defined]
                    q.tags,  # type: ignore[attr-defined]
                    q.text,  # type: ignore[attr-defined]
                ).relevance
                for q in fold_questions
            ]
            low = sum(r < 0.8 for r in relevance)
            print(
                f"  model answers' relevance to their own question: mean "
                f"{sum(relevance) / len(relevance):.2f}, {low} of {len(relevance)} under 0.8"
            )
        if args.answers:
            by_q: dict[str, list[tuple[str, tuple[int, int], int, str]]] = defaultdict(list)
            for a, s in zip(answers, scored, strict=True):
                by_q[a.question].append((a.kind, a.band, s, a.text[:70]))
            for qid, rows in sorted(by_q.items()):
                print(f"  {qid}")
                for kind, band, s, start in sorted(rows, key=lambda r: -r[1][0]):
                    print(f"    {kind:<10} {band} {s:3d}  {start}")


if __name__ == "__main__":
    main()
