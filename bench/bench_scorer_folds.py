"""Does a scorer rule generalise? The tuning half of the graded answers, cut into two folds.

The tuning half is already fitted, so its headline figures say little about answers the scorer
was not tuned on. This splits it by question into two folds (a second hash of the question id,
independent of the tuning/held-out split) and prints each fold's figures side by side: a rule
worth keeping helps, or at least does not hurt, on both. It never scores the held-out half.

`--packs-at COMMIT` scores with the question packs as they were at that commit (say, before any
data was written from reading graded answers): figures for questions whose phrasings and
misconceptions were never fitted, which is where a general rule has to earn its keep.
`--no-claims` drops every written misconception, for the same reason.

    .venv/bin/python bench/bench_scorer_folds.py
    .venv/bin/python bench/bench_scorer_folds.py --packs-at 371da57 --no-claims

Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GRADED = ROOT / "tests" / "fixtures" / "graded_answers"
PACKS = "src/preppath/bank/packs"


def fold(question_id: str) -> str:
    digest = hashlib.sha256(f"fold:{question_id}".encode()).digest()
    return "A" if digest[0] % 2 == 0 else "B"


def _questions(packs_at: str | None) -> tuple[object, ...]:
    from preppath.bank.loader import load_bank, load_pack

    if packs_at is None:
        return load_bank(None).questions
    listing = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", f"{packs_at}:{PACKS}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    found: list[object] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in listing:
            blob = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{packs_at}:{PACKS}/{name}"],
                check=True,
                capture_output=True,
            ).stdout
            path = Path(tmp) / name
            path.write_bytes(blob)
            found += load_pack(path).questions
    return tuple(found)


def _strip_claims(questions: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(
        replace(q, key_points=tuple(replace(p, misconceptions=()) for p in q.key_points))  # type: ignore[attr-defined,type-var]
        for q in questions
    )


def tuning_half(packs_at: str | None, no_claims: bool) -> tuple[Any, dict[str, Any], list[Any]]:
    """An evaluator over the bank (of `packs_at`, without written claims if asked), the bank's
    questions by id, and the tuning half's graded answers to them."""
    from preppath.evaluation.calibration import load_graded, split
    from preppath.evaluation.rubric import RubricEvaluator, bank_idf, bank_topics

    questions = _questions(packs_at)
    if no_claims:
        questions = _strip_claims(questions)
    evaluator = RubricEvaluator(bank_idf(questions), topics=bank_topics(questions))  # type: ignore[arg-type]
    by_id = {q.id: q for q in questions}  # type: ignore[attr-defined]
    tuning, _ = split(load_graded(GRADED.glob("*.toml")))
    return evaluator, by_id, [a for a in tuning if a.question in by_id]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs-at", help="score with the packs of this commit")
    parser.add_argument("--no-claims", action="store_true", help="drop written misconceptions")
    args = parser.parse_args()

    from preppath.evaluation.calibration import figures

    evaluator, by_id, tuning = tuning_half(args.packs_at, args.no_claims)
    groups = {
        "all": tuning,
        "fold A": [a for a in tuning if fold(a.question) == "A"],
        "fold B": [a for a in tuning if fold(a.question) == "B"],
    }
    table = {}
    for name, answers in groups.items():
        scored = [evaluator.evaluate(by_id[a.question], a.text).overall for a in answers]
        table[name] = figures(answers, scored)
    kinds = sorted({k for f in table.values() for k in f.by_kind})
    print(f"{'tuning half':<22}" + "".join(f"{n:>10}" for n in table))
    rows = [
        ("answers", lambda f: f"{f.answers}"),
        ("pairs", lambda f: f"{f.pairs}"),
        ("ordered", lambda f: f"{f.ordered:.3f}"),
        ("band distance", lambda f: f"{f.band_distance:.1f}"),
        ("reversed gap", lambda f: "-" if f.reversed_gap is None else f"{f.reversed_gap:.1f}"),
    ]
    for label, cell in rows:
        print(f"{label:<22}" + "".join(f"{cell(f):>10}" for f in table.values()))
    for kind in kinds:
        cells = [f"{f.by_kind[kind]:.1f}" if kind in f.by_kind else "-" for f in table.values()]
        print(f"{'mean ' + kind:<22}" + "".join(f"{c:>10}" for c in cells))


if __name__ == "__main__":
    sys.exit(main())
