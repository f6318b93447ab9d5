"""Does a static embedding model lift credit for correct answers in the person's own words?

An experiment for issue 7, never part of the scorer unless its figures say so. WordLlama's
default model (PyPI `wordllama`, MIT) ships its weights inside the wheel, so it runs with no
network; it is not a dependency of PrepPath: install it beside the dev extra in a venv of your
own (`pip install -e '.[dev]' wordllama`) and run this with that venv's python.

The rule tried: in a technical answer that contradicts nothing (where the gist rule already
runs), a key point still missed earns credit when one sentence of prose is close in meaning
(cosine of mean-pooled token embeddings) to the point, its explanation or one of its
phrasings: half at `--half`, full at `--full`. Static embeddings are blind to word order and
barely see "not", so the rule never runs beside a contradiction the lexical reader found.

It scores only the tuning half, in the two folds of `bench_scorer_folds.py`, with the rule off
and on, in the three conditions that stand in for unseen questions (current packs, no written
claims, the packs of 371da57); `--sweep` prints a grid of thresholds so one can be chosen on
one fold and checked on the other. It never scores the held-out half.

    /tmp/semvenv/bin/python bench/bench_semantic.py
    /tmp/semvenv/bin/python bench/bench_semantic.py --sweep --packs-at 371da57

Figures only; nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

from bench_scorer_folds import fold, tuning_half

KINDS = ("excellent", "paraphrase", "partial", "reversed", "off_topic", "keywords", "shallow")


class Embedder:
    """WordLlama's shipped model read directly: its loader's offline path misses the shipped
    tokenizer file (0.4.0.post1 looks under `tokenizer/`, the wheel has `tokenizers/`) and its
    import sets up root logging; the model itself is a token table averaged over a text."""

    def __init__(self) -> None:
        spec = importlib.util.find_spec("wordllama")  # finds the files without importing it
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit("wordllama is not installed in this venv (see the docstring)")
        import numpy as np
        from safetensors import safe_open
        from tokenizers import Tokenizer

        root = Path(spec.submodule_search_locations[0])
        with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), "np") as f:
            self.table = np.ascontiguousarray(f.get_tensor("embedding.weight"), dtype=np.float32)
        config = root / "tokenizers" / "l2_supercat_tokenizer_config.json"
        self.tokenizer = Tokenizer.from_file(str(config))
        self._np = np
        self._cache: dict[str, Any] = {}

    def embed(self, texts: Sequence[str]) -> Any:
        """Unit vectors, one row per text; phrasings repeat across answers, so they are kept."""
        np = self._np
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        for text, enc in zip(
            todo, self.tokenizer.encode_batch(todo, add_special_tokens=False), strict=True
        ):
            vector = self.table[enc.ids].mean(axis=0) if enc.ids else np.zeros(256, np.float32)
            norm = float(np.linalg.norm(vector))
            self._cache[text] = vector / norm if norm else vector
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 256))


def _spans(units: Any, kind: str, *, min_words: int = 0, skip_negated: bool = False) -> list[str]:
    """Each sentence (or clause) as the person said it; `min_words` content words at least,
    and with `skip_negated` none that holds a denial, which an average of vectors cannot read."""
    groups = units.sentences if kind == "sentence" else units.units
    text = units.reading.text
    return [
        " ".join(text[g[0].start : g[-1].end].split())
        for g in groups
        if len(g) >= max(min_words, 1) and not (skip_negated and any(t.negated for t in g))
    ]


def semantic_gist(
    embedder: Embedder,
    half: float,
    full: float,
    *,
    unit: str = "sentence",
    explain: bool = True,
    min_words: int = 0,
    skip_negated: bool = False,
    seen: list[float] | None = None,
    nearest_in: Sequence[Any] = (),
) -> Callable[..., Any]:
    """The gist rule, then, for a point it leaves missed, the closest sentence of prose."""
    from preppath.evaluation.points import GIST_MIN_STOP_RATIO, Judgement
    from preppath.evaluation.points import gist as lexical  # not rubric's name, which is patched
    from preppath.evaluation.text import analyse

    def ideas_of(point: Any) -> list[str]:
        texts = [point.point, *point.phrasings, *([point.explain] if explain else [])]
        return [t for t in texts if t]

    # With `nearest_in` (every bank question), a sentence earns a point only when, of all the
    # bank's points, that one is the closest to it: closeness must single the point out.
    owner: list[Any] = []
    bank_ideas: list[str] = []
    for question in nearest_in:
        for kp in question.key_points:
            for idea in ideas_of(kp):
                owner.append(kp)
                bank_ideas.append(idea)
    bank_matrix = embedder.embed(bank_ideas) if bank_ideas else None

    def rule(point: Any, units: Any, asked: frozenset[str]) -> Any:
        found = lexical(point, units, asked)
        if found is not None:
            return found
        # A list of terms is no statement, as for the gist rule.
        spans = [
            s
            for s in _spans(units, unit, min_words=min_words, skip_negated=skip_negated)
            if analyse(s).stop_ratio >= GIST_MIN_STOP_RATIO
        ]
        if not spans:
            return None
        ideas = ideas_of(point)
        vectors = embedder.embed(spans)
        similarity = vectors @ embedder.embed(ideas).T
        if bank_matrix is not None:
            nearest = (vectors @ bank_matrix.T).argmax(axis=1)
            for i, n in enumerate(nearest):
                if owner[int(n)] is not point:
                    similarity[i, :] = -1.0
        row, _ = divmod(int(similarity.argmax()), len(ideas))
        best = float(similarity.max())
        if seen is not None:
            seen.append(best)
        if best >= full:
            return Judgement("covered", spans[row])
        if best >= half:
            return Judgement("partial", spans[row])
        return None

    return rule


def _score(evaluator: Any, by_id: dict[str, Any], answers: list[Any], rule: Any) -> list[int]:
    from preppath.evaluation import rubric

    if rule is None:
        return [evaluator.evaluate(by_id[a.question], a.text).overall for a in answers]
    with mock.patch.object(rubric, "gist", rule):
        return [evaluator.evaluate(by_id[a.question], a.text).overall for a in answers]


def _row(figures: Any) -> str:
    kinds = "  ".join(f"{k[:4]} {figures.by_kind[k]:5.1f}" for k in KINDS if k in figures.by_kind)
    return f"ord {figures.ordered:.3f}  {kinds}"


def _similarities(embedder: Embedder, evaluator: Any, by_id: Any, answers: list[Any]) -> None:
    """Where the closest sentence to a still-missed point falls, by kind of answer."""
    by_kind: dict[str, list[float]] = {}
    for a in answers:
        seen: list[float] = []
        _score(evaluator, by_id, [a], semantic_gist(embedder, 9.0, 9.0, seen=seen))
        by_kind.setdefault(a.kind, []).extend(seen)
    print("\nclosest sentence to each point still missed (answers with no contradiction)")
    for kind, values in sorted(by_kind.items()):
        if len(values) >= 4:
            q = statistics.quantiles(values, n=4)
            print(
                f"  {kind:<11} n={len(values):>3}  quartiles {q[0]:.2f} {q[1]:.2f} {q[2]:.2f}"
                f"  max {max(values):.2f}"
            )


# Written for this probe (none from the graded answers): a statement, the same said backwards,
# and the same in other words. A matcher of meaning must put the third closer than the second.
PROBES = (
    ("tuples are immutable", "tuples are mutable", "a tuple stays how it is once created"),
    (
        "the cache is eventually consistent with the database",
        "the cache is strongly consistent with the database",
        "reads may return old data until the cache entry expires",
    ),
    (
        "threads do not speed up CPU-bound work because of the GIL",
        "threads speed up CPU-bound work",
        "only one thread runs Python bytecode at a time, so number crunching gets no faster",
    ),
    ("immutable", "mutable", "unchangeable"),
    ("faster", "slower", "quicker"),
)


def _probe(embedder: Embedder) -> None:
    print("\nclose in meaning, or close in words? cosine to the statement")
    print(f"  {'statement':<60} {'backwards':>10} {'reworded':>10}")
    for statement, backwards, reworded in PROBES:
        v = embedder.embed([statement, backwards, reworded])
        print(f"  {statement[:60]:<60} {float(v[0] @ v[1]):>10.2f} {float(v[0] @ v[2]):>10.2f}")


def _relevance(
    embedder: Embedder, evaluator: Any, by_id: dict[str, Any], answers: list[Any]
) -> None:
    """Idea (c): is an answer closer in meaning to its own question (text and model answer)
    than to any other bank question? Printed beside the lexical topic share it would replace."""
    import numpy as np

    from preppath.evaluation.text import analyse

    questions = list(by_id.values())
    matrix = embedder.embed([f"{q.text} {q.expected_answer}" for q in questions])
    index = {q.id: i for i, q in enumerate(questions)}
    margins: dict[tuple[str, str], list[float]] = {}
    lexical: dict[str, list[float]] = {}
    for a in answers:
        question = by_id[a.question]
        closeness = matrix @ embedder.embed([a.text])[0]
        own = float(closeness[index[a.question]])
        closeness[index[a.question]] = -np.inf
        kind = "story" if question.type == "behavioral" else "technical"
        margins.setdefault((kind, a.kind), []).append(own - float(closeness.max()))
        if kind == "technical":
            lexical.setdefault(a.kind, []).append(evaluator._topic(question, analyse(a.text)))
    print("\nown question's closeness minus the closest other question's (below 0: off topic)")
    for (kind, answer_kind), values in sorted(margins.items()):
        low = sum(v < 0 for v in values)
        lex = lexical.get(answer_kind) if kind == "technical" else None
        beside = f"   lexical topic {min(lex):.2f}-{max(lex):.2f}" if lex else ""
        print(
            f"  {kind:<9} {answer_kind:<11} n={len(values):>3}  min {min(values):+.2f}"
            f"  median {statistics.median(values):+.2f}  below 0: {low}{beside}"
        )


def _cost(answers: list[Any], by_id: dict[str, Any], evaluator: Any, nearest: bool) -> None:
    """What the rule would add: building the model (imports and weights, once per process),
    the first answer scored with it, and each answer after, beside the lexical scorer alone."""
    lexical_first = time.perf_counter()
    _score(evaluator, by_id, answers[:1], None)
    lexical_first = time.perf_counter() - lexical_first
    started = time.perf_counter()
    embedder = Embedder()
    built = time.perf_counter() - started
    questions = list(by_id.values()) if nearest else []
    started = time.perf_counter()
    rule = semantic_gist(embedder, 0.5, 9.0, nearest_in=questions)
    bank = time.perf_counter() - started
    started = time.perf_counter()
    _score(evaluator, by_id, answers[1:2], rule)
    first = time.perf_counter() - started
    rest = answers[2:]
    timings = {}
    for name, r in (("lexical", None), ("with the rule", rule), ("lexical again", None)):
        started = time.perf_counter()
        _score(evaluator, by_id, rest, r)
        timings[name] = 1000 * (time.perf_counter() - started) / len(rest)
    print(f"first answer, lexical only (caches cold)       {1000 * lexical_first:7.1f} ms")
    print(f"build the embedder (imports + 16 MB weights)  {1000 * built:7.1f} ms")
    print(f"embed the bank's points (--nearest only)      {1000 * bank:7.1f} ms")
    print(f"first answer scored with the rule             {1000 * first:7.1f} ms")
    for name, ms in timings.items():
        print(f"per answer after, {name:<28} {ms:7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs-at", help="score with the packs of this commit")
    parser.add_argument("--no-claims", action="store_true", help="drop written misconceptions")
    parser.add_argument("--half", type=float, default=0.6, help="similarity for half credit")
    parser.add_argument("--full", type=float, default=0.8, help="similarity for full credit")
    parser.add_argument("--unit", choices=("sentence", "clause"), default="sentence")
    parser.add_argument("--no-explain", action="store_true", help="leave the explanation out")
    parser.add_argument("--min-words", type=int, default=0, help="content words a sentence needs")
    parser.add_argument("--skip-negated", action="store_true", help="no sentence with a denial")
    parser.add_argument("--nearest", action="store_true", help="the closest point of the bank")
    parser.add_argument("--cost", action="store_true", help="time what the rule adds")
    parser.add_argument("--sweep", action="store_true", help="a grid of thresholds per fold")
    args = parser.parse_args()

    from preppath.evaluation.calibration import figures

    evaluator, by_id, tuning = tuning_half(args.packs_at, args.no_claims)
    folds = {n: [a for a in tuning if fold(a.question) == n] for n in ("A", "B")}

    if args.cost:
        _cost(tuning, by_id, evaluator, args.nearest)
        return
    started = time.perf_counter()
    embedder = Embedder()
    print(f"model loaded in {1000 * (time.perf_counter() - started):.0f} ms")
    explain = not args.no_explain

    def report(label: str, rule: Any) -> None:
        for name, answers in folds.items():
            scored = _score(evaluator, by_id, answers, rule)
            print(f"{label:<22} fold {name}  {_row(figures(answers, scored))}")

    report("lexical only", None)
    grid = (
        [(h, f) for h in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7) for f in (0.6, 0.7, 9.0) if f >= h]
        if args.sweep
        else [(args.half, args.full)]
    )
    for h, f in grid:
        rule = semantic_gist(
            embedder,
            h,
            f,
            unit=args.unit,
            explain=explain,
            min_words=args.min_words,
            skip_negated=args.skip_negated,
            nearest_in=tuple(by_id.values()) if args.nearest else (),
        )
        report(f"half {h:.2f} full {f:.2f}", rule)
    if not args.sweep:
        _probe(embedder)
        _similarities(embedder, evaluator, by_id, tuning)
        _relevance(embedder, evaluator, by_id, tuning)


if __name__ == "__main__":
    sys.exit(main())
