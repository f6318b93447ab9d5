"""Timing helpers for the benchmarks: run commands as a user would, interleaved, report medians.

Benchmarks print figures and ratios measured in one run; they never pass or fail.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def time_commands(
    commands: dict[str, Sequence[str]],
    *,
    runs: int = 15,
    env: dict[str, str] | None = None,
    envs: dict[str, dict[str, str]] | None = None,
) -> dict[str, float]:
    """Median wall time in ms of each command; runs are interleaved so drift hits all alike.
    `envs` adds variables for single commands (each profile's own home, say)."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    full_env = {**os.environ, **(env or {})}
    # Some sandboxes set this; a user's install caches bytecode, so let the warm-up run write it
    # (otherwise every run recompiles preppath's own modules and the figures mislead).
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    each = {name: {**full_env, **(envs or {}).get(name, {})} for name in commands}
    for name, argv in commands.items():  # one warm-up each (page cache, .pyc files)
        subprocess.run(argv, env=each[name], capture_output=True, check=False)
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, env=each[name], capture_output=True, check=False)
            samples[name].append((time.perf_counter() - start) * 1000)
            if done.returncode != 0:
                raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.decode()[:300]}")
    return {name: statistics.median(values) for name, values in samples.items()}


def print_table(title: str, medians: dict[str, float], baseline: str) -> None:
    print(f"\n{title}")
    print(f"{'command':<44} {'median ms':>10} {'x ' + baseline:>16}")
    for name, ms in medians.items():
        print(f"{name:<44} {ms:>10.1f} {ms / medians[baseline]:>16.2f}")


def instructions(argv: Sequence[str], env: dict[str, str]) -> int | None:
    """User-space instructions the command executes, counted by valgrind's callgrind: the same
    count for the same program and input whatever else the machine is doing, so ratios taken
    from it carry none of a shared machine's noise (at about 40 times the run time). Threads
    are counted; child processes are not. None where valgrind is not installed."""
    import re
    import shutil

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{argv[1:3]} failed under valgrind ({done.returncode})")
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    return int(found.group(1)) if found else None
