"""Heatmap and stats cost against history size (issue 4).

    .venv/bin/python bench/bench_progress.py [--events 1000000] [--runs N]

Builds one database holding a profile with five years and a million activity events (with the
per-day and per-month aggregates the app maintains, written the way the app writes them) and an
empty profile, then times `preppath heatmap` and `preppath stats` for each, beside
`python -c "import typer"`, in one interleaved run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import VENV_BIN, print_table, time_commands

KINDS = (
    ("question_answered", 10, 0.80),
    ("practice", 10, 0.08),
    ("interview_started", 5, 0.06),
    ("interview_completed", 50, 0.06),
)
STACKS = ("python", "sql", "go", "react", "aws", "docker")
TYPES = ("technical", "behavioral", "system_design")


def build(db_path: Path, events: int, seed: int = 7) -> None:
    from preppath.db.engine import prepare_database

    prepare_database(db_path)
    rng = random.Random(seed)
    db = sqlite3.connect(db_path)
    now = datetime.now(UTC).replace(tzinfo=None)
    db.execute("INSERT INTO profile (name, created_at) VALUES ('big', ?), ('empty', ?)", (now, now))
    start = now - timedelta(days=5 * 365)
    span = int((now - start).total_seconds())
    daily: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    monthly: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0, 0])
    lifetime: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    batch = []
    weights = [k[2] for k in KINDS]
    for _ in range(events):
        at = start + timedelta(seconds=rng.randrange(span))
        kind, points, _w = rng.choices(KINDS, weights)[0]
        day = at.date().isoformat()
        batch.append((1, kind, points, at, day, at.hour))
        d = daily[day]
        d[0] += 1
        d[1] += points
        d[2] += kind == "question_answered"
        d[3] += kind == "practice"
        d[4] += kind == "interview_completed"
        if kind == "question_answered":
            score = rng.randrange(20, 100)
            month = day[:7]
            for dim, key in (
                ("all", "all"),
                ("type", rng.choice(TYPES)),
                ("stack", rng.choice(STACKS)),
                ("tag", rng.choice(STACKS)),
            ):
                life = lifetime[(dim, key)]
                life[0] += 1
                life[1] += score
                life[2] = max(life[2], score)
                if dim == "tag":  # topics are rolled up over all time only
                    continue
                m = monthly[(month, dim, key)]
                m[0] += 1
                m[1] += score
                m[2] = max(m[2], score)
        if len(batch) == 50_000:
            _flush(db, batch)
    _flush(db, batch)
    db.executemany(
        "INSERT INTO daily_activity VALUES (1, ?, ?, ?, ?, ?, ?)",
        [(day, *v) for day, v in daily.items()],
    )
    db.executemany(
        "INSERT INTO score_month VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                month,
                dim,
                key,
                int(n),
                int(total),
                int(best),
                n * 6.5,
                n * 6.0,
                n * 7.0,
                int(n // 3),
                n // 3 * 142.0,
                n // 3 * 3.1,
            )
            for (month, dim, key), (n, total, best) in monthly.items()
        ],
    )
    db.executemany(
        "INSERT INTO score_total VALUES (1, ?, ?, ?, ?, ?)",
        [(dim, key, *v) for (dim, key), v in lifetime.items()],
    )
    db.commit()
    db.close()


def _flush(db: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    db.executemany(
        "INSERT INTO activity (profile_id, type, points, occurred_at, local_day, local_hour) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        batch,
    )
    batch.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="preppath-bench-"))
    env = {"PREPPATH_HOME": str(home), "PREPPATH_TIMEZONE": "UTC", "NO_COLOR": "1"}
    os.environ.update(env)
    started = time.perf_counter()
    build(home / "data" / "preppath.db", args.events)
    size = (home / "data" / "preppath.db").stat().st_size / 1e6
    print(
        f"built {args.events:,} events over 5 years in {time.perf_counter() - started:.1f} s "
        f"({size:.0f} MB database)"
    )
    preppath = str(VENV_BIN / "preppath")
    commands = {
        'python -c "import typer"': [sys.executable, "-c", "import typer"],
        "heatmap, empty profile": [preppath, "--profile", "empty", "heatmap"],
        "heatmap, 1M events": [preppath, "--profile", "big", "heatmap"],
        "stats, empty profile": [preppath, "--profile", "empty", "stats"],
        "stats, 1M events": [preppath, "--profile", "big", "stats"],
    }
    medians = time_commands(commands, runs=args.runs, env=env)
    print_table(
        "Progress commands (median of interleaved runs)", medians, 'python -c "import typer"'
    )
    heat = medians["heatmap, 1M events"] / medians["heatmap, empty profile"]
    stat = medians["stats, 1M events"] / medians["stats, empty profile"]
    print(
        f"\nheatmap 1M / empty: {heat:.2f}   stats 1M / empty: {stat:.2f}   (target: at most 1.2)"
    )
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
