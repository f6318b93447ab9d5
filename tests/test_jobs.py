"""The job pool on a real SQLite file: answers stored before their score, one retry layer with
back-off on 429/5xx/timeouts honouring Retry-After, leases, and `preppath jobs …`."""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import Runner, db_rows, service_interview
from openai_stub import OpenAIStub, chat_reply, error_reply
from preppath.errors import ExitCode, PrepPathError
from preppath.jobs import store
from preppath.jobs.limits import KindLimit, StartWindow, limits_for
from preppath.jobs.pool import Pool, utc_now
from preppath.jobs.retrying import TransientError, backoff_s, classify, retry_after
from preppath.providers.factory import overridden
from preppath.services.answers import answer_question
from preppath.services.context import AppContext
from preppath.services.scoring import submit_answer
from preppath.settings import Settings
from preppath.testing.fakes import FakeEvaluator
from preppath.values import Evaluation
from test_openai_providers import CHAT, _grade

GOOD = Evaluation(8.0, 7.0, 9.0, 80, ["clear"], ["add an example"])
KEY = "sk-jobs-secret-0123456789abcdef"


def _submit(app: AppContext, interview_id: int, positions: range) -> list[int]:
    """Store answers and queue their jobs without running the pool (a batch to resume)."""
    jobs = []
    with app.transaction() as db:
        for position in positions:
            row = db.execute(
                "SELECT * FROM interview_question WHERE interview_id = ? AND position = ?",
                (interview_id, position),
            ).fetchone()
            from preppath.db import query

            question = query.QUESTION.decode(row)
            jobs.append(
                submit_answer(db, app, question, f"answer {position}", _typed(), None).job_id
            )
    return jobs


def _typed() -> Any:
    from preppath.domain import AnswerSource

    return AnswerSource.TYPED


def test_an_answer_is_scored_by_a_job_and_finished_in_one_transaction(
    app: AppContext, home: Path
) -> None:
    """Answering stores the answer, runs its evaluation job, and links the one feedback row."""
    view = service_interview(app)
    with overridden("evaluation", FakeEvaluator().enqueue(GOOD)):
        result = answer_question(app, view.id, 1, "Only one thread runs bytecode at a time.")
    assert result.overall == 80
    rows = db_rows(home, "SELECT scoring, feedback_id IS NOT NULL FROM answer")
    assert rows == [("scored", 1)]
    assert db_rows(home, "SELECT status, attempts FROM job") == [("done", 1)]
    assert db_rows(home, "SELECT count(*) FROM interview_feedback") == [(1,)]


def test_a_transient_failure_is_retried_then_scored(app: AppContext, home: Path) -> None:
    """A 5xx-like failure is retried by the pool (attempt 2 succeeds) and logged per attempt."""
    view = service_interview(app)
    fake = FakeEvaluator().enqueue(TransientError("server said 503"), GOOD)
    with overridden("evaluation", fake):
        result = answer_question(app, view.id, 1, "An answer worth scoring.")
    assert result.overall == 80 and len(fake.calls) == 2
    assert db_rows(home, "SELECT status, attempts FROM job") == [("done", 2)]
    log_file = home / "logs" / "jobs.log"
    assert "attempt=1 outcome=retry" in log_file.read_text()
    assert "attempt=2 outcome=done" in log_file.read_text()
    assert log_file.stat().st_mode & 0o777 == 0o600  # it can quote what failed: private


def test_a_permanent_failure_keeps_the_answer_and_says_how_to_retry(
    app: AppContext, home: Path
) -> None:
    """A failure that is not worth retrying fails the job at once; the answer stays, failed."""
    view = service_interview(app)
    fake = FakeEvaluator().enqueue(PrepPathError("the model refused", ExitCode.UNAVAILABLE))
    with overridden("evaluation", fake), pytest.raises(PrepPathError) as raised:
        answer_question(app, view.id, 1, "An answer that will not be scored.")
    assert raised.value.code == ExitCode.UNAVAILABLE
    assert "the model refused" in raised.value.message
    assert "preppath jobs retry 1" in raised.value.message
    assert len(fake.calls) == 1
    assert db_rows(home, "SELECT answer_text, scoring, scoring_error FROM answer") == [
        ("An answer that will not be scored.", "failed", "the model refused")
    ]
    assert db_rows(home, "SELECT status FROM interview_question WHERE position = 1") == [
        ("pending",)
    ]


def test_a_spend_guard_refusal_waits_in_a_queue_run_and_ends_a_single_answer(
    app: AppContext, home: Path
) -> None:
    """A job the shared spend guard refuses (another process used the minute's slots; nothing
    was sent) goes back in the queue until the slot frees in a queue run (`jobs resume`),
    while one scripted answer still ends with the guard's one line, as the guards promise."""
    from preppath.spend.limits import SpendLimitReached

    refusal = SpendLimitReached("spend guard: the answer-scoring limit is reached", 30.0)
    view = service_interview(app)
    (job_id,) = _submit(app, view.id, range(1, 2))
    pool = Pool(app)
    with overridden("evaluation", FakeEvaluator().enqueue(refusal)):
        pool.run(until=lambda: job_id in pool.outcomes)
    assert pool.outcomes[job_id].status == "retry"
    ((status, next_at, attempts),) = db_rows(
        home, "SELECT status, next_attempt_at, attempts FROM job"
    )
    assert (status, attempts) == ("queued", 1)
    from datetime import UTC, datetime

    wait = (datetime.fromisoformat(next_at).replace(tzinfo=UTC) - utc_now()).total_seconds()
    assert 25 < wait <= 31.5  # the guard's own wait (plus a second), not a back-off guess
    view = service_interview(app)
    with (
        overridden("evaluation", FakeEvaluator().enqueue(refusal)),
        pytest.raises(PrepPathError) as raised,
    ):
        answer_question(app, view.id, 1, "An answer the guard turns away.")
    assert "the answer-scoring limit is reached" in raised.value.message
    assert db_rows(home, "SELECT status FROM job WHERE id != ?", job_id) == [("failed",)]


def test_attempts_are_bounded(app: AppContext, home: Path, monkeypatch: Any) -> None:
    """A job that keeps failing transiently stops after jobs_max_attempts and fails."""
    app.settings = app.settings.model_copy(update={"jobs_max_attempts": 3})
    view = service_interview(app)
    fake = FakeEvaluator().enqueue(*[TransientError("timeout")] * 3)
    with overridden("evaluation", fake), pytest.raises(PrepPathError):
        answer_question(app, view.id, 1, "An answer.")
    assert len(fake.calls) == 3
    assert db_rows(home, "SELECT status, attempts FROM job") == [("failed", 3)]


def test_429_retry_after_is_honoured_by_one_retry_layer(
    app: AppContext, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the real SDK: a 429 is retried by the pool alone (the SDK's retries are off),
    no sooner than its Retry-After, and the key never reaches the job row or the log."""
    view = service_interview(app)  # from the bank: only the scoring goes to the stub
    with OpenAIStub() as stub:
        stub.script(
            CHAT,
            error_reply(429, f"slow down {KEY}", {"retry-after-ms": "40"}),
            chat_reply(_grade()),
        )
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", KEY)
        app.settings = Settings(openai_base_url=stub.base_url, openai_api_key=KEY)
        moments: list[Any] = []
        real = store.mark_retry

        def spy(db: sqlite3.Connection, job_id: int, error: str, at: Any, now: Any) -> None:
            moments.append((at - now).total_seconds())
            real(db, job_id, error, at, now)

        monkeypatch.setattr(store, "mark_retry", spy)
        result = answer_question(app, view.id, 1, "Only one thread executes Python bytecode.")
        assert len(stub.requests_to(CHAT)) == 2  # one 429, one success: no SDK retries stacked
    assert result.evaluator != "rubric"
    assert moments and moments[0] >= 0.04
    stored = db_rows(home, "SELECT coalesce(last_error, ''), result FROM job")
    assert KEY not in repr(stored)
    assert KEY not in (home / "logs" / "jobs.log").read_text()


def test_failures_are_classified_for_retry() -> None:
    """429, 5xx, timeouts and connection errors retry; 4xx and other errors do not."""
    import httpx2
    import openai

    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")

    def status(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
        response = httpx2.Response(code, headers=headers or {}, request=request)
        return openai.APIStatusError("e", response=response, body=None)

    assert classify(status(429, {"retry-after": "7"})).retry_after_s == 7.0
    assert classify(status(503)).retryable
    assert not classify(status(400)).retryable
    assert not classify(status(401)).retryable
    assert classify(openai.APITimeoutError(request)).retryable
    assert classify(openai.APIConnectionError(request=request)).retryable
    assert not classify(ValueError("bad")).retryable
    # The provider layer re-raises SDK errors `from None`; the context still tells.
    try:
        try:
            raise status(502)
        except openai.APIStatusError:
            raise PrepPathError("OpenAI API error 502", ExitCode.UNAVAILABLE) from None
    except PrepPathError as wrapped:
        assert classify(wrapped).retryable


def test_backoff_is_exponential_with_full_jitter_and_respects_retry_after() -> None:
    """Delays lie in [0, base·2^(n-1)] capped, spread out, and never under Retry-After."""
    rng = random.Random(1)
    delays = [backoff_s(4, base_s=1, cap_s=60, rng=rng) for _ in range(200)]
    assert min(delays) >= 0 and max(delays) <= 8 and len({round(d, 3) for d in delays}) > 150
    assert max(backoff_s(10, base_s=1, cap_s=5, rng=rng) for _ in range(50)) <= 5
    assert backoff_s(1, base_s=1, cap_s=60, retry_after_s=30, rng=rng) == 30
    assert retry_after({"retry-after-ms": "250"}) == 0.25
    assert retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after({}) is None


def test_start_window_allows_a_burst_of_per_minute_then_none_until_a_start_ages_out() -> None:
    """Up to per_minute jobs start at once; the next waits until the oldest start is 60 s old,
    so no 60 s window ever holds more than per_minute starts."""
    now = [0.0]
    window = StartWindow(5, clock=lambda: now[0], window_s=60)
    for second in range(5):
        now[0] = float(second)
        assert window.wait_s() == 0
        window.take()
    assert window.wait_s() == pytest.approx(56.0)  # the start at 0 s leaves the window at 60 s
    now[0] = 59.9
    assert window.wait_s() == pytest.approx(0.1)
    now[0] = 60.0
    assert window.wait_s() == 0
    window.take()
    assert window.wait_s() == pytest.approx(1.0)  # the next place frees when the 1 s start ages


def test_the_pools_window_keeps_a_second_of_slack_over_the_spend_guards_minute() -> None:
    """By default a start leaves the window 61 s later, so a job's request, sent a moment after
    it starts, never reaches a spend guard that still counts the call a minute before."""
    now = [0.0]
    window = StartWindow(1, clock=lambda: now[0])
    window.take()
    now[0] = 60.0
    assert window.wait_s() == pytest.approx(1.0)


def test_start_window_without_a_rate_never_waits() -> None:
    """Offline work (per_minute None) is limited by concurrency alone."""
    window = StartWindow(None, clock=lambda: 0.0)
    for _ in range(1000):
        window.take()
    assert window.wait_s() == 0


def test_limits_come_from_settings_and_offline_work_is_not_rate_limited() -> None:
    """Defaults are the original workers' numbers; an offline kind has no per-minute limit."""
    cloud = limits_for(Settings(openai_api_key="sk-x-0123456789"))
    assert cloud["evaluation"] == KindLimit(5, 20)
    assert cloud["transcription"] == KindLimit(2, 5)
    assert cloud["speech"] == KindLimit(3, 10)
    offline = limits_for(Settings(provider="offline", jobs_evaluation_concurrency=7))
    assert offline["evaluation"] == KindLimit(7, None)


def test_the_same_work_enqueued_twice_is_one_job(app: AppContext, home: Path) -> None:
    """(kind, key) is unique: enqueueing it again returns the first job."""
    with app.transaction() as db:
        first = store.enqueue(
            db, profile_id=app.profile_id, kind="evaluation", key="k", payload={},
            max_attempts=3, now=utc_now(),
        )  # fmt: skip
        again = store.enqueue(
            db, profile_id=app.profile_id, kind="evaluation", key="k", payload={"x": 1},
            max_attempts=3, now=utc_now(),
        )  # fmt: skip
    assert first.id == again.id and again.payload == {}


def test_a_job_taken_over_after_its_lease_is_not_applied_twice(app: AppContext, home: Path) -> None:
    """A worker whose lease was lost (expired and reclaimed) finishes without writing."""
    view = service_interview(app, count=1)
    (job_id,) = _submit(app, view.id, range(1, 2))
    gate_calls: list[int] = []

    class Slow(FakeEvaluator):
        def evaluate(self, question: Any, answer: str, **kw: Any) -> Evaluation:
            gate_calls.append(1)
            if len(gate_calls) == 1:  # while the first attempt runs, another claims the job
                with app.transaction() as db:
                    db.execute(
                        "UPDATE job SET lease_owner = 'elsewhere:1:x' WHERE id = ?", (job_id,)
                    )
            return GOOD

    with overridden("evaluation", Slow()):
        pool = Pool(app)
        pool.run()
    assert pool.outcomes[job_id].status == "lost"
    assert db_rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]
    assert db_rows(home, "SELECT scoring FROM answer") == [("pending",)]


def test_jobs_of_a_dead_process_are_claimed_again(app: AppContext, home: Path) -> None:
    """A running job whose owner's pid is gone is orphaned and resumed by the next pool."""
    view = service_interview(app, count=2)
    jobs = _submit(app, view.id, range(1, 3))
    with app.transaction() as db:  # as if a process (pid 999999999, long gone) was running it
        db.execute(
            "UPDATE job SET status = 'running', attempts = 1, lease_owner = ?, "
            "lease_expires_at = '2999-01-01 00:00:00.000000' WHERE id = ?",
            (f"{__import__('socket').gethostname()}:999999999:dead", jobs[0]),
        )
    with overridden("evaluation", FakeEvaluator().enqueue(GOOD, GOOD)):
        Pool(app).run()
    assert db_rows(home, "SELECT status, attempts FROM job ORDER BY id") == [
        ("done", 2),
        ("done", 1),
    ]
    assert db_rows(home, "SELECT count(*) FROM interview_feedback") == [(2,)]


def test_concurrency_limit_holds(app: AppContext, home: Path) -> None:
    """No more than the kind's concurrency run at once."""
    import threading

    view = service_interview(app, count=6)
    _submit(app, view.id, range(1, 7))
    active, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    class Counting(FakeEvaluator):
        def evaluate(self, question: Any, answer: str, **kw: Any) -> Evaluation:
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            release.wait(0.05)
            with lock:
                active[0] -= 1
            return GOOD

    with overridden("evaluation", Counting()):
        Pool(app, limits={"evaluation": KindLimit(2, None)}).run()
    assert peak[0] == 2
    assert db_rows(home, "SELECT count(*) FROM job WHERE status = 'done'") == [(6,)]


# The CLI.


def _fail_one(run: Runner) -> None:
    """An interview whose first answer's scoring failed."""
    assert run("interview", "create", "--type", "technical", "--role", "Dev", "--level", "mid",
               "--stack", "python", "--count", "2").code == 0  # fmt: skip
    fake = FakeEvaluator().enqueue(PrepPathError("the model refused", ExitCode.UNAVAILABLE))
    with overridden("evaluation", fake):
        failed = run("interview", "answer", "1", "1", "--text", "My saved answer.")
    assert failed.code == ExitCode.UNAVAILABLE, failed.stderr
    assert failed.stderr.strip().splitlines() == [
        "preppath: error: the model refused; the answer is saved, unscored: "
        "`preppath jobs retry 1` scores it again"
    ]


def test_cli_failed_scoring_is_shown_honestly_and_retried(run: Runner, home: Path) -> None:
    """show/report/list say the answer awaits its score and why; `jobs retry` scores it."""
    _fail_one(run)
    shown = run("interview", "show", "1")
    assert "scoring failed: the model refused" in shown.stdout
    assert "preppath jobs retry 1" in shown.stdout
    report = run("interview", "report", "1", "--format", "markdown")
    assert "scoring failed: the model refused" in report.stdout
    as_json = run("interview", "report", "1", "--format", "json").json()
    assert as_json["questions"][0]["status"] == "scoring failed"
    listed = run("jobs", "list", "--status", "failed", "--json").json()
    assert [(j["id"], j["subject"], j["last_error"]) for j in listed] == [
        (1, "interview 1, question 1", "the model refused")
    ]
    with overridden("evaluation", FakeEvaluator().enqueue(GOOD)):
        retried = run("jobs", "retry", "1")
    assert retried.code == 0, retried.stderr
    assert "1 done" in retried.stdout
    assert db_rows(home, "SELECT scoring FROM answer") == [("scored",)]
    assert "scoring failed" not in run("interview", "show", "1").stdout


def test_cli_retry_all_failed_cancel_and_not_found(run: Runner, home: Path) -> None:
    """--all-failed requeues every failed job; cancel marks one; unknown IDs exit 3."""
    _fail_one(run)
    cancelled = run("jobs", "cancel", "1")
    assert cancelled.code == 0 and "Cancelled job 1" in cancelled.stdout
    assert run("jobs", "cancel", "1").code == ExitCode.USAGE
    assert run("jobs", "retry", "--all-failed").stdout.strip() == "No failed jobs."
    assert run("jobs", "retry", "42").code == ExitCode.NOT_FOUND
    assert run("jobs", "cancel", "42").code == ExitCode.NOT_FOUND
    assert run("jobs", "retry").code == ExitCode.USAGE
    assert run("--profile", "other", "jobs", "retry", "1").code == ExitCode.NOT_FOUND
    with overridden("evaluation", FakeEvaluator().enqueue(GOOD)):
        assert run("jobs", "retry", "1").code == 0  # a cancelled job can be retried
    assert db_rows(home, "SELECT status FROM job") == [("done",)]


def test_cli_notices_jobs_left_unfinished(run: Runner, home: Path, app: AppContext) -> None:
    """A command opening the database says in one line that jobs were left; resume runs them."""
    view = service_interview(app, count=2)
    _submit(app, view.id, range(1, 3))
    with closing(sqlite3.connect(home / "data" / "preppath.db")) as db, db:
        db.execute("UPDATE job SET next_attempt_at = '2000-01-01 00:00:00.000000'")
    listed = run("interview", "list")
    assert "note: 2 jobs left unfinished by an earlier run; `preppath jobs resume` runs them" in (
        listed.stderr
    )
    with overridden("evaluation", FakeEvaluator().enqueue(GOOD, GOOD)):
        resumed = run("jobs", "resume")
    assert resumed.code == 0 and "2 done, 0 failed" in resumed.stdout
    assert "note:" not in run("interview", "list").stderr


def test_dataclass_views_are_json(run: Runner) -> None:
    """`jobs list --json` on no jobs is an empty list."""
    assert run("jobs", "list", "--json").json() == []
    assert dataclasses.is_dataclass(Evaluation)


def test_a_job_parked_at_shutdown_goes_back_to_the_queue_unapplied(
    app: AppContext, home: Path
) -> None:
    """Shutdown with no grace parks a running job: queued again, its attempt not counted, and
    the result that arrives afterwards is discarded."""
    view = service_interview(app, count=1)
    _submit(app, view.id, range(1, 2))
    pools: list[Pool] = []

    class ParksItself(FakeEvaluator):
        def evaluate(self, question: Any, answer: str, **kw: Any) -> Evaluation:
            pools[0].shutdown(grace_s=0)  # as Ctrl-C twice would, while this job runs
            return GOOD

    with overridden("evaluation", ParksItself()):
        pools.append(Pool(app))
        pools[0].run()
    assert db_rows(home, "SELECT status, attempts, lease_owner FROM job") == [("queued", 0, None)]
    assert db_rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]
    assert "outcome=parked" in (home / "logs" / "jobs.log").read_text()
