"""How far the offline scorer can be trusted, and how fast it is.

Scores every graded answer (tests/fixtures/graded_answers/) and prints, for the tuning half and
the held-out half separately: ordered-pair accuracy, mean distance from the target band, and the
mean score of each kind of answer; then the scorer's throughput with and without its set-up.

    .venv/bin/python bench/bench_scorer.py
    .venv/bin/python bench/bench_scorer.py --tuning-only  # while tuning: never look at held-out
    .venv/bin/python bench/bench_scorer.py --tune          # grid search on the tuning half only
    .venv/bin/python bench/bench_scorer.py --compare DIR   # also score with another checkout's src/

Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADED = ROOT / "tests" / "fixtures" / "graded_answers"
FRESH = ROOT / "tests" / "fixtures" / "graded_fresh"
"""Written after the scorer's last tuning, by someone who never saw it or its scores; reported
whole and never tuned on (not even its figures), so its figures are the least optimistic."""


def _setup() -> tuple[object, dict[str, object], float]:
    started = time.perf_counter()
    from preppath.bank.loader import load_bank
    from preppath.evaluation import rubric

    bank = load_bank(None)
    idf = rubric.bank_idf(bank.questions)
    if hasattr(rubric, "bank_topics"):  # an older checkout (--compare) scores without them
        evaluator = rubric.RubricEvaluator(idf, topics=rubric.bank_topics(bank.questions))
    else:
        evaluator = rubric.RubricEvaluator(idf)
    questions = bank.by_id()
    return evaluator, questions, time.perf_counter() - started  # type: ignore[return-value]


def _score_all(evaluator: object, questions: dict[str, object], answers: list[object]) -> list[int]:
    return [
        evaluator.evaluate(questions[a.question], a.text).overall  # type: ignore[attr-defined]
        for a in answers
    ]


def _report(title: str, figures: object) -> None:
    f = asdict(figures)  # type: ignore[call-overload]
    print(f"\n{title}: {f['answers']} answers to {f['questions']} questions, {f['pairs']} pairs")
    print(f"  ordered-pair accuracy      {f['ordered']:.3f}   (target >= 0.95)")
    print(f"  mean distance from band    {f['band_distance']:.1f} points")
    gap = f["reversed_gap"]
    print(f"  reversed: gap below best   {gap:.1f}   (target >= 40)" if gap is not None else "")
    for kind, mean in f["by_kind"].items():
        target = {"reversed": "<= 30", "paraphrase": ">= 75", "vague": "<= 35"}.get(kind, "")
        wanted = f"(target {target})" if target else ""
        print(f"  mean {kind:<12}          {mean:5.1f}   {wanted}")


def _tune(answers: list[object]) -> None:
    from preppath.evaluation.calibration import figures
    from preppath.evaluation.rubric import RubricEvaluator, Tuning

    evaluator, questions, _ = _setup()
    grid = {
        "full_at": (0.6, 0.75, 0.9, 1.0),
        "contradiction_weight": (0.5, 0.7, 0.9),
        "thin_below": (0.5, 0.6, 0.8),
        "relevance_floor": (0.1, 0.25, 0.4),
        "narrative_floor": (0.2, 0.4),
    }
    results = []
    for values in itertools.product(*grid.values()):
        tuning = replace(Tuning(), **dict(zip(grid, values, strict=True)))
        scorer = RubricEvaluator(evaluator.idf, tuning, evaluator.topics)  # type: ignore[attr-defined]
        scored = _score_all(scorer, questions, answers)
        f = figures(answers, scored)  # type: ignore[arg-type]
        results.append((f.ordered - f.band_distance / 100, f.ordered, f.band_distance, tuning))
    results.sort(key=lambda r: -r[0])
    print("best on the tuning half (ordered-pair accuracy minus band distance / 100):")
    for _, ordered, distance, tuning in results[:8]:
        print(f"  ordered {ordered:.3f}  distance {distance:5.1f}  {tuning}")


def _throughput(evaluator: object, questions: dict[str, object], answers: list[object]) -> None:
    started = time.perf_counter()
    _score_all(evaluator, questions, answers)
    warm = time.perf_counter() - started
    started = time.perf_counter()
    _score_all(evaluator, questions, answers)
    again = time.perf_counter() - started
    print(
        f"\nthroughput: {len(answers) / again:,.0f} answers/s scored "
        f"(first pass {len(answers) / warm:,.0f}/s, with phrase compilation)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--compare", type=Path, help="another checkout's src/ to score with too")
    parser.add_argument("--json", action="store_true", help="print held-out scores as JSON")
    parser.add_argument(
        "--tuning-only",
        action="store_true",
        help="report the tuning half only: what whoever tunes the scorer runs",
    )
    args = parser.parse_args()
    if args.json:  # only the bank and the scorer: works with an older checkout's src/ too
        import tomllib

        evaluator, questions, _ = _setup()
        items = [
            item
            for path in sorted(GRADED.glob("*.toml"))
            for item in tomllib.loads(path.read_text(encoding="utf-8"))["answer"]
        ]
        started = time.perf_counter()
        scores = [
            evaluator.evaluate(questions[i["question"]], i["text"]).overall  # type: ignore[attr-defined]
            for i in items
        ]
        seconds = time.perf_counter() - started
        fresh_items = [
            item
            for path in sorted(FRESH.glob("*.toml"))
            for item in tomllib.loads(path.read_text(encoding="utf-8"))["answer"]
        ]
        fresh_scores = [
            evaluator.evaluate(questions[i["question"]], i["text"]).overall  # type: ignore[attr-defined]
            for i in fresh_items
        ]
        print(json.dumps({"scores": scores, "fresh": fresh_scores, "seconds": seconds}))
        return
    from preppath.evaluation.calibration import figures, load_graded, split

    answers = load_graded(GRADED.glob("*.toml"))
    tuning, held_out = split(answers)
    if args.tune:
        _tune(tuning)  # type: ignore[arg-type]
        return
    evaluator, questions, setup_s = _setup()
    scores = dict(zip(map(id, answers), _score_all(evaluator, questions, answers), strict=True))  # type: ignore[arg-type]
    _report("tuning half", figures(tuning, [scores[id(a)] for a in tuning]))
    if not args.tuning_only:
        _report("held-out half", figures(held_out, [scores[id(a)] for a in held_out]))
        fresh = load_graded(FRESH.glob("*.toml"))
        if fresh:
            fresh_scores = _score_all(evaluator, questions, fresh)  # type: ignore[arg-type]
            _report("fresh set (never tuned on)", figures(fresh, fresh_scores))
    print(f"\nset-up (bank, vocabulary table, lexicon): {setup_s * 1000:.0f} ms")
    _throughput(evaluator, questions, answers)  # type: ignore[arg-type]
    if args.compare:
        import os

        env = {**os.environ, "PYTHONPATH": str(args.compare.resolve())}
        other = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--json"],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=env,
            ).stdout
        )
        theirs = dict(zip(map(id, answers), other["scores"], strict=True))
        print(
            f"\nthroughput of {args.compare}: "
            f"{len(answers) / other['seconds']:,.0f} answers/s (first pass)"
        )
        _report(
            f"held-out half, scored by {args.compare}",
            figures(held_out, [theirs[id(a)] for a in held_out]),
        )
        fresh = load_graded(FRESH.glob("*.toml"))
        if fresh:
            _report(f"fresh set, scored by {args.compare}", figures(fresh, other["fresh"]))


if __name__ == "__main__":
    main()
