"""Every command's cost (issue 11): beside `black --version`, on an empty profile and on a
five-year history, in one interleaved run; and the peak memory of `interview answer`.

    .venv/bin/python bench/bench_commands.py [--answers 15000] [--technologies 120] [--runs N]
        [--history-cache DIR] [--instructions]

The history is the one bench_write.py writes through PrepPath's own answer path (15,000 answers
in 3,000 interviews over five years and 120 technologies, so several hundred topics); the empty
profile lives in a home of its own, as another user's would. Each command runs against the
interview the bench created in that home, so `show`, `answer` and `report` read the same shape
of interview in both.

Building the history takes minutes (over ten on a loaded machine). `--history-cache DIR` keeps a
pristine copy in DIR, one per size, and later runs copy it instead of building it again, so the
figures before and after a change come from the same history.
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
from bench_write import ANSWER, build_history, peak_rss_mb
from common import VENV_BIN, instructions

READS = {
    "--help": ["--help"],
    "interview list": ["interview", "list"],
    "interview show": ["interview", "show", "{id}"],
    "heatmap": ["heatmap"],
    "streak": ["streak"],
    "stats": ["stats"],
    "achievements mine": ["achievements", "mine"],
    "questions list --json": ["questions", "list", "--json"],
    "config show": ["config", "show"],
}
WRITES = {
    "interview create": ["interview", "create", "--role", "Backend Engineer", "--stack", "python"],
    "interview answer": ["interview", "answer", "{id}", "1", "--text", ANSWER],
    "interview report": ["interview", "report", "{id}"],
}
TARGET = {**dict.fromkeys(READS, 1.0), **dict.fromkeys(WRITES, 1.5)}
PROFILES = ("empty", "page", "history")


def measure(
    commands: dict[str, list[str]], envs: dict[str, dict[str, str]], runs: int
) -> dict[str, tuple[float, float]]:
    """Median wall and CPU (user + system) ms of each command, runs interleaved. CPU time is
    the steadier figure on a shared machine: other processes stretch wall time, not CPU."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for round_ in range(runs + 1):  # the first round warms page cache and .pyc files
        # Every other round runs backwards, so no command always follows the same neighbours
        # or always meets the machine's other load at the same point of a round.
        order = list(commands.items())
        for name, argv in reversed(order) if round_ % 2 else order:
            start = time.perf_counter()
            child = subprocess.Popen(
                argv, env=envs.get(name), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            assert child.stderr is not None
            errors = child.stderr.read()
            _pid, status, usage = os.wait4(child.pid, 0)
            wall = (time.perf_counter() - start) * 1000
            if status != 0:
                raise SystemExit(f"{name} failed ({status}): {errors.decode()[:300]}")
            if round_:
                samples[name].append((wall, (usage.ru_utime + usage.ru_stime) * 1000))
    return {
        name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
        for name, got in samples.items()
    }


def history_made(home: Path, answers: int, technologies: int, cache: Path | None) -> None:
    """Build the history into `home`, or copy the one `cache` keeps for this size."""
    kept = cache / f"history-{answers}-{technologies}" if cache else None
    if kept is not None and (kept / "complete").is_file():
        shutil.copytree(kept, home)
        (home / "complete").unlink()
        print(f"history: copied from {kept}", flush=True)
        return
    started = time.perf_counter()
    made = build_history(home, answers, technologies)
    print(
        f"history: {made * 5:,} answers in {made:,} interviews over 5 years, "
        f"{technologies} technologies, built in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    if kept is not None:
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(home, kept)
        (kept / "complete").touch()  # written last: a copy cut short is never reused


def commands_for(
    interview: str,
    home: Path,
    base: dict[str, str],
    preppath: str,
    name: str = "page",
    labels: tuple[str, ...] = (*READS, *WRITES),
) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """Each command of `labels`, against `interview` in `home`, keyed "label, name"."""
    every = {**READS, **WRITES}
    commands = {
        f"{label}, {name}": [preppath, *(a.replace("{id}", interview) for a in every[label])]
        for label in labels
    }
    return commands, {key: {**base, "PREPPATH_HOME": str(home)} for key in commands}


def page_profile(home: Path) -> str:
    """A short history that fills what the commands draw as the long one does: more than a
    page of interviews (20 rows), more technologies than `stats` lists (15), every
    achievement a few weeks of practice unlocks. Against it, the long history's ratio is its
    growth beyond drawing a full page. Returns the interview the commands act on."""
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from bench_write import build_history; build_history(Path(sys.argv[2]), 150, 20)"
    )
    env = {**os.environ, "PREPPATH_TIMEZONE": "UTC"}
    subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent), str(home)], env=env, check=True
    )
    made = subprocess.run(
        [VENV_BIN / "preppath", *WRITES["interview create"], "--json"],
        env={**env, "PREPPATH_HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(made.stdout)["id"])


def print_instructions(commands: dict[str, list[str]], envs: dict[str, dict[str, str]]) -> None:
    """The same table in instructions executed (callgrind, one run each): the figure a busy
    machine cannot move, so a ratio here near 1.0 beside a timing ratio of 1.2 says the timing
    met noise, not growth."""
    counts = {name: instructions(argv, envs[name]) for name, argv in commands.items()}
    black = counts["black --version"]
    if black is None:
        print("\n(valgrind is not installed: no instruction counts)")
        return
    print(f"\nmillions of instructions, one callgrind run each; black {black / 1e6:.0f}")
    print(
        f"{'command':<24} {'empty':>8} {'page':>8} {'history':>8} {'x black':>8}"
        f" {'history/empty':>14} {'history/page':>13}"
    )
    for label in {**READS, **WRITES}:
        empty, page, history = (counts[f"{label}, {name}"] or 1 for name in PROFILES)
        print(
            f"{label:<24} {empty / 1e6:>8.0f} {page / 1e6:>8.0f} {history / 1e6:>8.0f}"
            f" {empty / black:>8.2f} {history / empty:>14.2f} {history / page:>13.2f}"
        )
    print(
        "(page: 150 answers over 20 technologies, so every list is as full as the history's;"
        " history/page is growth beyond drawing a full page)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=15_000)
    parser.add_argument("--technologies", type=int, default=120)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--history-cache", type=Path, help="keep and reuse the built history here")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each command's instructions once under valgrind (minutes; noise-free)",
    )
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="preppath-bench-"))
    homes = {"empty": root / "empty", "history": root / "history"}
    history_made(homes["history"], args.answers, args.technologies, args.history_cache)
    preppath = str(VENV_BIN / "preppath")
    black = shutil.which("black", path=str(VENV_BIN)) or shutil.which("black")
    if not black:
        raise SystemExit("black is not installed: pip install -e '.[bench]'")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREPPATH_", "OPENAI_"))}
    base.update(PREPPATH_TIMEZONE="UTC", NO_COLOR="1", PREPPATH_VOICE="false")
    base.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's install caches bytecode
    commands: dict[str, list[str]] = {"black --version": [black, "--version"]}
    envs: dict[str, dict[str, str]] = {}
    target: dict[str, str] = {}
    for name, home in homes.items():
        made_now = subprocess.run(
            [preppath, *WRITES["interview create"], "--json"],
            env={**base, "PREPPATH_HOME": str(home)},
            capture_output=True,
            text=True,
            check=True,
        )
        target[name] = str(json.loads(made_now.stdout)["id"])
    # A command's two profiles run side by side, so the ratio between them compares two runs
    # that met the same moment of the machine's load, not runs seconds apart.
    for label in {**READS, **WRITES}:
        for name, home in homes.items():
            made, made_envs = commands_for(target[name], home, base, preppath, name, (label,))
            commands.update(made)
            envs.update(made_envs)
    envs["black --version"] = base
    medians = measure(commands, envs, args.runs)
    for figure, index in (("CPU (user + system)", 1), ("wall", 0)):
        black_ms = medians["black --version"][index]
        print(f"\n{figure} ms, median of {args.runs} interleaved runs; black {black_ms:.1f}")
        print(
            f"{'command':<24} {'empty':>8} {'history':>8} {'x black':>8} {'target':>7}"
            f" {'history/empty':>14}"
        )
        for label in {**READS, **WRITES}:
            empty = medians[f"{label}, empty"][index]
            history = medians[f"{label}, history"][index]
            print(
                f"{label:<24} {empty:>8.1f} {history:>8.1f} {empty / black_ms:>8.2f}"
                f" {TARGET[label]:>7.1f} {history / empty:>14.2f}"
            )
    print("(x black is the empty profile's; history/empty has a target of at most 1.1)")
    if args.instructions:
        page = root / "page"
        page_commands, page_envs = commands_for(page_profile(page), page, base, preppath)
        for name, argv in page_commands.items():  # as the timed rounds warmed the others'
            subprocess.run(argv, env=page_envs[name], capture_output=True, check=True)
        print_instructions({**commands, **page_commands}, {**envs, **page_envs})
    print("\npeak RSS of `interview answer` (one run each; target at most 50 MB):")
    for name, home in homes.items():
        env = {**base, "PREPPATH_HOME": str(home)}
        argv = [preppath, "interview", "answer", target[name], "2", "--text", ANSWER]
        print(f"  {name}: {peak_rss_mb(argv, env):.1f} MB")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
