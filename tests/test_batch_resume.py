"""A batch run killed part way (SIGKILL) or interrupted (Ctrl-C), then run again: what was
finished is not redone and every item ends up done exactly once.

The child process is the real CLI with one edge replaced: its evaluator scores a set number of
answers and then blocks, so the test knows exactly how far the run got when it kills it.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from conftest import Runner, subprocess_env

GATED_CLI = """
import sys, time
from pathlib import Path
from preppath.__main__ import main
from preppath.paths import resolve_paths
from preppath.providers import factory
from preppath.settings import load_settings

gate, allowed = Path(sys.argv[1]), int(sys.argv[2])
real = factory.evaluator(load_settings(), resolve_paths())

class GatedEvaluator:
    '''The real evaluator for `allowed` answers; then it blocks, as if the scoring hung.'''
    name = real.name
    calls = 0
    def evaluate(self, question, answer, *, delivery=None):
        GatedEvaluator.calls += 1
        if GatedEvaluator.calls > allowed:
            gate.write_text("blocked")
            time.sleep(300)
        return real.evaluate(question, answer, delivery=delivery)

with factory.overridden("evaluation", GatedEvaluator()):
    sys.exit(main(sys.argv[3:]))
"""

PLAN = """\
interviews:
  - type: technical
    role: Backend Engineer
    stack: python
    count: 3
    seed: 11
    answers:
      - text: "A generator yields values lazily, one at a time."
      - text: "A decorator wraps a function to add behaviour around each call."
      - text: "A context manager sets something up and tears it down in a with block."
  - questions: [python-gil, python-list-vs-tuple, python-generators]
    answers:
      - text: "The GIL lets one thread run Python bytecode at a time."
      - text: "Tuples are immutable and lists are mutable."
      - text: "Generators produce values lazily, so they save memory."
"""


def answers_per_question(home: Path) -> list[int]:
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db:
        return [
            n
            for (n,) in db.execute(
                "SELECT count(f.id) FROM interview_question AS q"
                " LEFT JOIN interview_feedback AS f ON f.question_id = q.id"
                " GROUP BY q.id ORDER BY q.interview_id, q.position"
            )
        ]


def start_gated(
    home: Path, plan: Path, gate: Path, allowed: int, workers: int
) -> subprocess.Popen[bytes]:
    """The CLI running `plan`, blocked before its answer number `allowed + 1` once `gate`
    exists."""
    argv = ["batch", "run", str(plan), "--workers", str(workers)]
    child = subprocess.Popen(
        [sys.executable, "-c", GATED_CLI, str(gate), str(allowed), *argv],
        env=subprocess_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120  # a bound on waiting, not a timing assertion
    while not gate.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            _, err = child.communicate()
            pytest.fail(f"the run never reached answer {allowed + 1}: {err.decode()[-500:]}")
        time.sleep(0.05)
    return child


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan" / "plan.yaml"
    path.parent.mkdir()
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_a_killed_run_resumes_without_redoing_finished_items(
    run: Runner, home: Path, plan: Path, tmp_path: Path
) -> None:
    """SIGKILL after four answers, then a re-run: those four are kept, not redone, and every
    question of both interviews ends with exactly one answer."""
    child = start_gated(home, plan, tmp_path / "gate", allowed=4, workers=1)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert answers_per_question(home) == [1, 1, 1, 1, 0, 0]

    resumed = run("batch", "run", str(plan), "--json")
    assert resumed.code == 0, resumed.stderr
    items = resumed.json()["items"]
    assert [item["earlier"] for item in items] == [True] * 4 + [False] * 2
    assert answers_per_question(home) == [1] * 6
    assert len(resumed.json()["interviews"]) == 2
    again = run("batch", "run", str(plan), "--json").json()
    assert all(item["earlier"] for item in again["items"])
    assert answers_per_question(home) == [1] * 6


def test_a_killed_pool_of_two_resumes_each_item_once(
    run: Runner, home: Path, plan: Path, tmp_path: Path
) -> None:
    """Killed while two workers are busy, a run keeps whatever each worker committed, and the
    re-run does exactly the rest: no question is answered twice or left out."""
    child = start_gated(home, plan, tmp_path / "gate", allowed=3, workers=2)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    before = answers_per_question(home)
    assert set(before) <= {0, 1}
    assert sum(before) >= 2  # at least the answers scored before the one being written

    resumed = run("batch", "run", str(plan), "--json")
    assert resumed.code == 0, resumed.stderr
    earlier = [item["earlier"] for item in resumed.json()["items"]]
    assert earlier == [n == 1 for n in before]
    assert answers_per_question(home) == [1] * 6


def test_ctrl_c_stops_a_run_with_130_and_keeps_what_was_answered(
    run: Runner, home: Path, plan: Path, tmp_path: Path
) -> None:
    """SIGINT mid-run exits 130 with one line; the answers before it are saved and resumed.
    (One worker: with more, Ctrl-C lets the answers in flight finish, and this one never
    would.)"""
    child = start_gated(home, plan, tmp_path / "gate", allowed=2, workers=1)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=120)
    assert child.returncode == 130
    assert err.decode().splitlines()[-1] == (
        "preppath: error: interrupted; everything answered so far is saved"
    )
    assert answers_per_question(home) == [1, 1, 0, 0, 0, 0]
    resumed = run("batch", "run", str(plan), "--json")
    assert [item["earlier"] for item in resumed.json()["items"]] == [True] * 2 + [False] * 4
    assert answers_per_question(home) == [1] * 6
