"""The bounded pool batch items run through: never more at once than asked, every item once,
in order on one worker, and a worker's error reaching the caller."""

from __future__ import annotations

import threading

import pytest

from preppath.batch.pool import run_bounded


def test_one_worker_runs_the_items_in_order_in_the_calling_thread() -> None:
    """With one worker, items run one after another, in order, on the caller's thread."""
    seen: list[tuple[int, str]] = []

    def work(item: int) -> int:
        seen.append((item, threading.current_thread().name))
        return item * 10

    results = list(run_bounded([1, 2, 3], work))
    assert results == [(1, 10), (2, 20), (3, 30)]
    assert seen == [(i, threading.current_thread().name) for i in (1, 2, 3)]


def test_a_pool_runs_exactly_its_size_at_once_and_every_item_once() -> None:
    """Three workers reach three items at once (a barrier of three) and never a fourth."""
    lock = threading.Lock()
    active = 0
    peak = 0
    barrier = threading.Barrier(3, timeout=30)  # a bound on a hang, not a timing check

    def work(item: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        if item < 3:
            barrier.wait()  # the first three must all be running for any to go on
        with lock:
            active -= 1
        return item

    done = [item for item, _ in run_bounded(list(range(9)), work, workers=3)]
    assert sorted(done) == list(range(9))
    assert peak == 3


def test_a_workers_error_reaches_the_caller() -> None:
    """An exception in a worker is raised where the results are read."""

    def work(item: int) -> int:
        if item == 2:
            raise RuntimeError("item 2 broke")
        return item

    with pytest.raises(RuntimeError, match="item 2 broke"):
        list(run_bounded([1, 2, 3], work, workers=2))


@pytest.mark.parametrize("workers", [0, 9])
def test_a_pool_size_out_of_range_is_refused(workers: int) -> None:
    """0 workers or more than 8 is a ValueError, not a silent default."""
    with pytest.raises(ValueError, match="1 to 8"):
        list(run_bounded([1], lambda item: item, workers=workers))
