"""Running a batch's items through a bounded number of workers.

A stand-in with the shape of the job pool to come (`preppath.jobs`): hand it the items and a
worker, get each result as it finishes. With one worker the items run in order in this
thread. `batch run` uses two by default: offline an answer is pure-Python scoring (which holds
the GIL) and then a SQLite write transaction (one writer at a time), but sqlite3 releases the
GIL while it commits and syncs, so a second worker scores while the first writes. Measured by
bench/bench_batch.py on a 50-answer plan, in two runs: 2 workers took 0.77x and 0.93x the
time of 1, 4 took 0.79x and 0.90x.
A cloud evaluator, which mostly waits on the network, gains more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8


def run_bounded(
    items: Sequence[T], worker: Callable[[T], R], *, workers: int = 1
) -> Iterator[tuple[T, R]]:
    """Yield (item, result) as each item finishes; at most `workers` run at once and no more
    than that are queued, so an interruption leaves at most `workers` items in flight (each
    finishes or rolls back its own transaction) and nothing half-submitted."""
    if not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"workers must be 1 to {MAX_WORKERS}")
    if workers == 1:
        for item in items:
            yield item, worker(item)
        return
    pending = iter(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as pool:
        running: dict[Future[R], T] = {}
        try:
            for item in pending:
                running[pool.submit(worker, item)] = item
                if len(running) >= workers:
                    yield from _drain(running, FIRST_COMPLETED)
            yield from _drain(running, None)
        except BaseException:
            for future in running:
                future.cancel()
            raise


def _drain(running: dict[Future[R], T], until: str | None) -> Iterator[tuple[T, R]]:
    done, _ = wait(running, return_when=until or "ALL_COMPLETED")
    for future in done:
        item = running.pop(future)
        yield item, future.result()
