"""The write path (issue 11): `interview create`, `answer` and `report` beside `black --version`,
on an empty profile and on a five-year history, in one interleaved run; and the peak memory of
`interview answer`.

    .venv/bin/python bench/bench_write.py [--answers 15000] [--technologies 120] [--runs N]

The history is written by PrepPath's own answer path (in-process, with a clock that walks five
years and a fixed evaluation instead of the scorer, so building it takes a minute, not hours):
every answer leaves the activity, daily totals, score rollup, retakes and achievements the app
itself keeps. Its interviews cover `--technologies` technologies and several hundred topics.
The empty profile and the history live in separate homes, as two users' would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import VENV_BIN, print_table, time_commands

ANSWER = (
    "I would use a virtual environment per project, declare dependencies in pyproject.toml, "
    "lock exact versions with hashes for reproducible builds, keep dev dependencies apart, "
    "and update and audit them on a schedule."
)
TYPES = ("technical", "behavioral", "system_design", "mixed")


def build_history(home: Path, answers: int, technologies: int, seed: int = 11) -> int:
    """Write `answers` answers over five years into `home`'s database; returns interviews made."""
    os.environ["PREPPATH_HOME"] = str(home)
    from preppath.db import query
    from preppath.providers import factory
    from preppath.services.answers import answer_question
    from preppath.services.context import open_app
    from preppath.settings import load_settings
    from preppath.testing.fakes import FakeEvaluator
    from preppath.values import Evaluation, KeyPointResult

    rng = random.Random(seed)
    techs = [f"tech-{i:03d}" for i in range(technologies)]
    topics = [f"topic-{i:03d}" for i in range(4 * technologies)]
    pool = [(f"hist-{i:04d}", rng.choice(techs), rng.sample(topics, 2)) for i in range(2500)]
    now = datetime.now(UTC)
    moment = [now - timedelta(days=5 * 365)]
    ctx = open_app(load_settings(), clock=lambda: moment[0])
    # A fixed evaluation per answer instead of the scorer: the history's shape is what matters.
    fake = FakeEvaluator()
    per_interview = 5
    interviews = answers // per_interview
    step = (now - timedelta(days=1) - moment[0]) / interviews
    made = 0
    for _ in range(interviews):
        moment[0] += step * rng.uniform(0.5, 1.5) if made else timedelta(0)
        moment[0] = min(moment[0], now - timedelta(hours=2))
        questions = rng.sample(pool, per_interview)
        with ctx.transaction() as db:
            interview_id = query.insert(
                db,
                query.INTERVIEW,
                {
                    "profile_id": ctx.profile_id,
                    "type": rng.choice(TYPES),
                    "role": "Backend Engineer",
                    "level": "mid",
                    "stack": sorted({tech for _, tech, _ in questions}),
                    "status": "pending",
                    "question_count": per_interview,
                    "seed": rng.randrange(1, 2**31),
                    "provider": "offline",
                    "created_at": moment[0],
                },
            )
            for position, (bank_id, tech, tags) in enumerate(questions, start=1):
                query.insert(
                    db,
                    query.QUESTION,
                    {
                        "interview_id": interview_id,
                        "position": position,
                        "bank_id": bank_id,
                        "type": "technical",
                        "difficulty": "medium",
                        "text": f"Question {bank_id} about {tech}?",
                        "expected_answer": "An answer naming the three points.",
                        "key_points": [{"point": p} for p in ("one", "two", "three")],
                        "weights": {"correctness": 0.4, "completeness": 0.35, "clarity": 0.25},
                        "tags": tags,
                        "stack": [tech],
                        "source": "bank",
                        "status": "pending",
                    },
                )
        for position in range(1, per_interview + 1):
            moment[0] += timedelta(minutes=rng.uniform(1, 4))
            score = rng.randrange(25, 100)
            fake.enqueue(
                Evaluation(
                    correctness=score / 10,
                    completeness=score / 10,
                    clarity=7.0,
                    overall=score,
                    strengths=["Clear structure"],
                    improvements=["Name the trade-off"],
                    key_points=[KeyPointResult("one", score > 50, ("one",), "covered")],
                )
            )
            with factory.overridden("evaluation", fake):
                answer_question(ctx, interview_id, position, "A stored answer of a few words.")
        made += 1
    return made


def peak_rss_mb(argv: list[str], env: dict[str, str]) -> float:
    """The child's own peak resident memory (wait4's rusage is per child, in KiB on Linux)."""
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"{' '.join(argv[1:3])} failed with status {status}")
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=15_000)
    parser.add_argument("--technologies", type=int, default=120)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="preppath-bench-"))
    homes = {"empty": root / "empty", "history": root / "history"}
    started = time.perf_counter()
    made = build_history(homes["history"], args.answers, args.technologies)
    db = homes["history"] / "data" / "preppath.db"
    print(
        f"history: {made * 5:,} answers in {made:,} interviews over 5 years, "
        f"{args.technologies} technologies, built in {time.perf_counter() - started:.0f} s "
        f"({db.stat().st_size / 1e6:.1f} MB database)"
    )
    preppath = str(VENV_BIN / "preppath")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREPPATH_", "OPENAI_"))}
    base.update(PREPPATH_TIMEZONE="UTC", NO_COLOR="1", PREPPATH_VOICE="false")
    envs: dict[str, dict[str, str]] = {}
    commands: dict[str, list[str]] = {}
    black = shutil.which("black", path=str(VENV_BIN)) or shutil.which("black")
    if not black:
        raise SystemExit("black is not installed: pip install -e '.[bench]'")
    commands["black --version"] = [black, "--version"]
    create = ["interview", "create", "--role", "Backend Engineer", "--stack", "python"]
    target: dict[str, int] = {}
    for name, home in homes.items():
        env = {**base, "PREPPATH_HOME": str(home)}
        made_now = subprocess.run(
            [preppath, *create, "--json"], env=env, capture_output=True, text=True, check=True
        )
        target[name] = json.loads(made_now.stdout)["id"]
        for label, argv in (
            ("create", [preppath, *create]),
            ("answer", [preppath, "interview", "answer", str(target[name]), "1", "--text", ANSWER]),
            ("report", [preppath, "interview", "report", str(target[name])]),
        ):
            key = f"interview {label}, {name}"
            commands[key] = argv
            envs[key] = env
    medians = time_commands(commands, runs=args.runs, envs=envs)
    print_table("Write path, wall time (median of interleaved runs)", medians, "black --version")
    print("\nhistory / empty:")
    for label in ("create", "answer", "report"):
        ratio = medians[f"interview {label}, history"] / medians[f"interview {label}, empty"]
        print(f"  interview {label}: {ratio:.2f}   (target: at most 1.1)")
    print("\npeak RSS of `interview answer` (one run each):")
    for name, home in homes.items():
        env = {**base, "PREPPATH_HOME": str(home)}
        argv = [preppath, "interview", "answer", str(target[name]), "2", "--text", ANSWER]
        print(f"  {name}: {peak_rss_mb(argv, env):.1f} MB   (target: at most 50)")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
