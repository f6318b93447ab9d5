"""What a spend guard adds to each cloud call (issue 8, item 8).

    .venv/bin/python bench/bench_spend.py [--calls 200]

Times `SpendGuard.acquire` (two SQLite buckets, each behind its file lock, and a leak) with
limits high enough never to refuse: in this process, and then with the same number of
acquisitions split over two processes hammering one bucket file at once (the worst case for the
file lock). Figures only; a cloud call itself takes hundreds of milliseconds, which is the scale
to read them against.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from preppath.spend.limits import Limits, SpendGuard

HIGH = {"create": 10**6, "answer": 10**6, "transcription": 10**6, "speech": 10**6, "all": 10**6}

_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from preppath.spend.limits import Limits, SpendGuard
    high = dict.fromkeys(("create", "answer", "transcription", "speech", "all"), 10**6)
    guard = SpendGuard(Path(sys.argv[1]), Limits(high, 0.0), interactive=lambda: False)
    guard.acquire("evaluation")  # open the buckets before timing
    start = time.perf_counter()
    for _ in range(int(sys.argv[2])):
        guard.acquire("evaluation")
    print((time.perf_counter() - start) * 1000)
    """
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls
    folder = Path(tempfile.mkdtemp(prefix="preppath-bench-spend-"))

    guard = SpendGuard(folder / "one.sqlite", Limits(HIGH, 0.0), interactive=lambda: False)
    guard.acquire("evaluation")
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        guard.acquire("evaluation")
        samples.append((time.perf_counter() - start) * 1000)
    one = statistics.median(samples)

    shared = folder / "two.sqlite"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(shared), str(calls // 2)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    totals = [float(c.communicate()[0]) for c in children]
    two = max(totals) / (calls // 2)

    print(f"\nspend guard, {calls} acquisitions (limits never reached)")
    print(f"{'case':<48} {'ms per call':>12} {'x one process':>14}")
    print(f"{'one process, median':<48} {one:>12.2f} {1.0:>14.2f}")
    print(f"{'two processes sharing the file, mean of slower':<48} {two:>12.2f} {two / one:>14.2f}")


if __name__ == "__main__":
    main()
