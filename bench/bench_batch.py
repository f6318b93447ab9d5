"""A 50-question batch plan run offline (issue 9): wall time and answers per second, with one
worker and with more, beside the same answers given by separate `interview answer` commands.

    .venv/bin/python bench/bench_batch.py [--questions 50] [--runs 3] [--workers 1,2,4]

The plan names `--questions` technical bank questions, ten to an interview, each answered with
the first sentence of its model answer. Every run starts from a fresh home (copied from one
prepared home, so the database exists and the bank's build cache is warm, as on a machine
that has run PrepPath before) and runs `preppath batch run PLAN --json` as a user would.
Runs of the configurations are interleaved so that load on the machine hits all alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import VENV_BIN

PREPPATH = str(VENV_BIN / "preppath")


def first_sentence(text: str) -> str:
    head = text.split(". ")[0].strip()
    return head if head.endswith(".") else head + "."


def write_plan(folder: Path, questions: int) -> Path:
    from preppath.bank.loader import load_bank

    bank = [q for q in load_bank(None).questions if q.type == "technical"][:questions]
    lines = ["interviews:"]
    for start in range(0, len(bank), 10):
        chunk = bank[start : start + 10]
        lines.append(f"  - questions: [{', '.join(q.id for q in chunk)}]")
        lines.append("    answers:")
        lines += [f"      - text: {json.dumps(first_sentence(q.expected_answer))}" for q in chunk]
    path = folder / "plan.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREPPATH_", "OPENAI_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return {**env, "PREPPATH_HOME": str(home), "PREPPATH_VOICE": "false", "NO_COLOR": "1"}


def timed_batch(template: Path, scratch: Path, plan: Path, workers: int) -> tuple[float, int]:
    home = scratch / f"home-w{workers}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home)
    argv = [PREPPATH, "batch", "run", str(plan), "--json", "--workers", str(workers)]
    start = time.perf_counter()
    done = subprocess.run(argv, env=env_for(home), capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"batch run failed ({done.returncode}): {done.stderr.decode()[-400:]}")
    answered = sum(1 for i in json.loads(done.stdout)["items"] if i["status"] == "answered")
    return seconds, answered


def timed_separate(template: Path, scratch: Path, count: int) -> float:
    """Median seconds of one `interview answer` command, on an interview of `count` questions."""
    home = scratch / "home-separate"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home)
    env = env_for(home)
    from preppath.bank.loader import load_bank

    ids = [q.id for q in load_bank(None).questions if q.type == "technical"][:count]
    created = subprocess.run(
        [PREPPATH, "interview", "create", *(a for i in ids for a in ("-q", i)), "--json"],
        env=env,
        capture_output=True,
        check=True,
    )
    interview = str(json.loads(created.stdout)["id"])
    samples = []
    for position in range(1, count + 1):
        argv = [PREPPATH, "interview", "answer", interview, str(position), "--text", "An answer."]
        start = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    pools = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        scratch = Path(tmp)
        plan = write_plan(scratch, args.questions)
        template = scratch / "template"
        # A first command creates the database and fills the build cache (bank, lexicon).
        subprocess.run(
            [PREPPATH, "batch", "validate", str(plan)], env=env_for(template), check=True
        )
        subprocess.run([PREPPATH, "streak"], env=env_for(template), capture_output=True)
        samples: dict[int, list[float]] = {w: [] for w in pools}
        answered = 0
        for _ in range(args.runs):
            for workers in pools:
                seconds, answered = timed_batch(template, scratch, plan, workers)
                samples[workers].append(seconds)
        separate = timed_separate(template, scratch, 10)
    print(f"\nbatch run of a {args.questions}-question plan, offline ({args.runs} runs each)")
    print(f"{'workers':>8} {'median s':>10} {'answers/s':>10} {'x 1 worker':>11}")
    base = statistics.median(samples[pools[0]])
    for workers in pools:
        median = statistics.median(samples[workers])
        print(f"{workers:>8} {median:>10.2f} {answered / median:>10.1f} {median / base:>11.2f}")
    per_answer = base / answered
    print(
        f"\none `interview answer` command: {separate:.2f} s median (10 runs); the batch spends "
        f"{per_answer:.3f} s an answer, {separate / per_answer:.1f}x less"
    )


if __name__ == "__main__":
    main()
