"""Start-up cost of the CLI (issue 2) and offline evaluator throughput.

    .venv/bin/python bench/bench_cli.py [--runs N]

Prints `preppath --help` and `preppath interview list` wall time beside `python -c "import
typer"` and `black --version` measured in the same run, then answers scored per second.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import VENV_BIN, print_table, time_commands


def cli_startup(runs: int) -> None:
    home = tempfile.mkdtemp(prefix="preppath-bench-")
    env = {"PREPPATH_HOME": home, "PREPPATH_PROFILE": "bench"}
    preppath = str(VENV_BIN / "preppath")
    subprocess.run(
        [preppath, "interview", "create", "--role", "backend", "--count", "3"],
        env={**os.environ, **env},
        capture_output=True,
        check=True,
    )
    commands = {
        'python -c "import typer"': [sys.executable, "-c", "import typer"],
        "preppath --help": [preppath, "--help"],
        "preppath interview list": [preppath, "interview", "list"],
    }
    black = shutil.which("black", path=str(VENV_BIN)) or shutil.which("black")
    if black:
        commands["black --version"] = [black, "--version"]
    else:
        print("black not installed: pip install black to add the comparison")
    medians = time_commands(commands, runs=runs, env=env)
    print_table(
        "CLI wall time (median of interleaved runs)",
        medians,
        "black --version" if black else 'python -c "import typer"',
    )
    shutil.rmtree(home, ignore_errors=True)


def evaluator_throughput() -> None:
    import tomllib

    from preppath.bank.loader import load_bank
    from preppath.evaluation.rubric import RubricEvaluator, bank_idf, bank_topics

    bank = load_bank(None)
    questions = bank.by_id()
    evaluator = RubricEvaluator(bank_idf(bank.questions), topics=bank_topics(bank.questions))
    cases = []
    for path in sorted((Path(__file__).parents[1] / "tests/fixtures/graded").glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            for kind in ("strong", "partial", "keywords"):
                cases.append((questions[case["question"]], case[kind]))
    for q, a in cases[:20]:  # warm the stemmer cache as a long session would
        evaluator.evaluate(q, a)
    rounds = 5
    start = time.perf_counter()
    for _ in range(rounds):
        for q, a in cases:
            evaluator.evaluate(q, a)
    elapsed = time.perf_counter() - start
    n = rounds * len(cases)
    print(
        f"\nOffline evaluator: {n} answers in {elapsed:.2f} s = {n / elapsed:,.0f} answers/s "
        f"({1000 * elapsed / n:.2f} ms each, graded fixtures, mixed lengths)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cli_startup(args.runs)
    evaluator_throughput()


if __name__ == "__main__":
    main()
