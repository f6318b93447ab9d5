"""Running a batch plan: create its interviews and answer them through the same services as
`interview create`, `interview answer`, `interview skip` and `audio import`.

Resuming. Which interview each plan entry created is recorded (table batch_interview, keyed by
profile, the plan file's SHA-256 and the entry's index) in the very transaction that creates
the interview, and whether a question is done is its own status, written in the transaction
that stores its answer. So the database never says "done" for work that was lost or "to do"
for work that was saved, wherever a run is killed, and a re-run picks up exactly what is left.
A lock file per plan keeps two processes from running one plan at the same time.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from preppath.batch.plan import Plan, PlannedAnswer, PlannedInterview, load_plan
from preppath.batch.pool import run_bounded
from preppath.db import query
from preppath.domain import AnswerSource, InterviewType
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural
from preppath.services.context import AppContext
from preppath.services.reading import get_interview
from preppath.services.views import InterviewView
from preppath.storage import private_dir

ANSWERED, SKIPPED, FAILED = "answered", "skipped", "failed"


@dataclass(frozen=True)
class BatchItem:
    """One answer of the plan, as this run left it."""

    entry: int
    """The plan's interview entry, from 1."""
    interview_id: int | None
    question: int
    """The question's position in its interview, from 1 (what `interview answer` takes)."""
    bank_id: str | None
    answer: str
    """How the plan answers it: text, file, audio or skip; `none` marks an entry without
    answers whose interview could not be created (question 0)."""
    line: int
    status: str
    """answered, skipped or failed."""
    overall: int | None = None
    scores: dict[str, float] = field(default_factory=dict)
    earlier: bool = False
    """Done by an earlier run of this plan (this one resumed after it)."""
    error: str | None = None
    exit_code: int = 0


@dataclass(frozen=True)
class BatchResult:
    plan: str
    plan_sha256: str
    interviews: list[int | None]
    """The interview each plan entry created (None where creating it failed)."""
    items: list[BatchItem]
    notices: list[str] = field(default_factory=list)
    """What creating the interviews noted (an unknown role, a stack the bank lacks …)."""

    @property
    def failed(self) -> list[BatchItem]:
        return [item for item in self.items if item.status == FAILED]

    @property
    def exit_code(self) -> int:
        """The first failed item's code (5 bad answer or audio, 6 provider unreachable …)."""
        return self.failed[0].exit_code if self.failed else 0


@dataclass(frozen=True)
class _Work:
    entry: PlannedInterview
    interview_id: int
    answer: PlannedAnswer
    position: int
    bank_id: str | None


def check_plan(packs_dir: Path, path: Path) -> Plan:
    """The plan at `path` checked against the bank, including the person's own packs."""
    from preppath.bank.loader import load_bank

    bank = load_bank(packs_dir)
    return load_plan(path, {q.id: q.type for q in bank.questions})


def run_plan(
    ctx: AppContext,
    plan: Plan,
    *,
    workers: int = 1,
    restart: bool = False,
    on_item: Callable[[BatchItem], None] | None = None,
) -> BatchResult:
    """Run what is left of `plan`; `on_item` hears of each item as it is settled."""
    report = on_item or (lambda item: None)
    with _plan_lock(ctx, plan):
        if restart:
            with ctx.transaction() as db:
                db.execute(
                    "DELETE FROM batch_interview WHERE profile_id = ? AND plan_sha256 = ?",
                    (ctx.profile_id, plan.sha256),
                )
        items: list[BatchItem] = []
        interviews: list[int | None] = []
        work: list[_Work] = []
        notices: list[str] = []
        for entry in plan.interviews:
            view, failure = _interview_for(ctx, plan, entry)
            interviews.append(view.id if view else None)
            if view is not None:
                notices += [f"entry {entry.index + 1}: {text}" for text in view.notices]
            if failure is not None and not entry.answers:
                # An entry with nothing to answer still fails visibly (question 0: none).
                lost = _settled(entry, PlannedAnswer("skip", "", entry.line), 0, None, failure)
                assert lost is not None
                items.append(replace(lost, answer="none"))
                report(items[-1])
            for position, answer in enumerate(entry.answers, start=1):
                settled = _settled(entry, answer, position, view, failure)
                if settled is None:
                    assert view is not None
                    bank_id = view.questions[position - 1].bank_id
                    work.append(_Work(entry, view.id, answer, position, bank_id))
                    continue
                items.append(settled)
                report(settled)
        with _one_evaluator(ctx):
            for _, item in run_bounded(work, lambda w: _answer(ctx, w), workers=workers):
                items.append(item)
                report(item)
        items.sort(key=lambda item: (item.entry, item.question))
        return BatchResult(str(plan.path), plan.sha256, interviews, items, notices)


@contextlib.contextmanager
def _one_evaluator(ctx: AppContext) -> Iterator[None]:
    """Every answer of the run scored by one evaluator, built once: `answer_question` asks the
    registry for one per answer, and building the offline scorer (its IDF table, from the
    build cache) costs about 20 ms, a fifth of a batch answer. The scoring path is unchanged;
    a provider already put in front of the capability (a test's fake) is kept."""
    from preppath.providers import factory

    try:
        evaluator = factory.evaluator(ctx.settings, ctx.paths)
    except PrepPathError:  # (a cloud key missing, say) each answer then fails with the reason
        yield
        return
    with factory.overridden("evaluation", evaluator):
        yield


def _interview_for(
    ctx: AppContext, plan: Plan, entry: PlannedInterview
) -> tuple[InterviewView | None, PrepPathError | None]:
    """The interview an earlier run created for `entry`, or a new one."""
    existing = _recorded(ctx, plan, entry)
    if existing is not None:
        return get_interview(ctx, existing), None
    try:
        return _create(ctx, plan, entry), None
    except _AlreadyCreated as race:
        return get_interview(ctx, race.interview_id), None
    except PrepPathError as exc:
        return None, exc


def _recorded(ctx: AppContext, plan: Plan, entry: PlannedInterview) -> int | None:
    with ctx.reader() as db:
        row = db.execute(
            "SELECT interview_id FROM batch_interview"
            " WHERE profile_id = ? AND plan_sha256 = ? AND plan_index = ?",
            (ctx.profile_id, plan.sha256, entry.index),
        ).fetchone()
    return None if row is None else int(row[0])


class _AlreadyCreated(Exception):
    """Raised inside the creating transaction (rolling it back) when the entry got one since."""

    def __init__(self, interview_id: int) -> None:
        super().__init__(interview_id)
        self.interview_id = interview_id


def _create(ctx: AppContext, plan: Plan, entry: PlannedInterview) -> InterviewView:
    def record(db: sqlite3.Connection, interview_id: int) -> None:
        # Read and written under the creating transaction's write lock.
        row = db.execute(
            "SELECT interview_id FROM batch_interview"
            " WHERE profile_id = ? AND plan_sha256 = ? AND plan_index = ?",
            (ctx.profile_id, plan.sha256, entry.index),
        ).fetchone()
        if row is not None:
            raise _AlreadyCreated(int(row[0]))
        db.execute(
            "INSERT INTO batch_interview"
            " (profile_id, plan_sha256, plan_index, interview_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                ctx.profile_id,
                plan.sha256,
                entry.index,
                interview_id,
                query.stored_time(ctx.clock()),
            ),
        )

    if entry.questions:
        from preppath.services.drills import PickedQuestions, create_from_questions

        picked = PickedQuestions(entry.questions, entry.role, entry.level, entry.type)
        return create_from_questions(ctx, picked, on_created=record)
    from preppath.services.interviews import InterviewOptions, create_interview

    options = InterviewOptions(
        entry.type or InterviewType.TECHNICAL,
        entry.role or "",
        entry.level,
        entry.stack,
        entry.question_count,
        entry.seed,
    )
    return create_interview(ctx, options, on_created=record)


def _settled(
    entry: PlannedInterview,
    answer: PlannedAnswer,
    position: int,
    view: InterviewView | None,
    failure: PrepPathError | None,
) -> BatchItem | None:
    """The item's outcome if it needs no work now (failed to be created, or done before)."""
    base: dict[str, Any] = {"entry": entry.index + 1, "question": position, "answer": answer.kind}
    if view is None:
        assert failure is not None
        message = f"interview not created: {failure.message}"
        return BatchItem(
            **base,
            interview_id=None,
            bank_id=None,
            line=entry.line,
            status=FAILED,
            error=message,
            exit_code=int(failure.code),
        )
    if position > len(view.questions):
        return BatchItem(
            **base,
            interview_id=view.id,
            bank_id=None,
            line=answer.line,
            status=FAILED,
            error=f"the draw gave only {plural(len(view.questions), 'question')}",
            exit_code=int(ExitCode.INVALID),
        )
    question = view.questions[position - 1]
    if question.status == "pending":
        return None
    feedback = question.feedback
    return BatchItem(
        **base,
        interview_id=view.id,
        bank_id=question.bank_id,
        line=answer.line,
        status=ANSWERED if question.status == "answered" else SKIPPED,
        overall=feedback.overall if feedback else None,
        scores=dict(feedback.scores) if feedback else {},
        earlier=True,
    )


def _answer(ctx: AppContext, work: _Work) -> BatchItem:
    base: dict[str, Any] = {
        "entry": work.entry.index + 1,
        "interview_id": work.interview_id,
        "question": work.position,
        "bank_id": work.bank_id,
        "answer": work.answer.kind,
        "line": work.answer.line,
    }
    try:
        if work.answer.kind == "skip":
            from preppath.services.answers import skip_question

            skip_question(ctx, work.interview_id, work.position)
            return BatchItem(**base, status=SKIPPED)
        from preppath.services.scoring import resume_unscored

        resumed = resume_unscored(ctx, work.interview_id, work.position)
        if resumed is not None:  # given before an interruption, never scored: score it now
            return BatchItem(
                **base, status=ANSWERED, overall=resumed.overall, scores=dict(resumed.scores)
            )
        if work.answer.kind == "audio":
            from preppath.services.audio_answers import import_audio_answer

            result = import_audio_answer(
                ctx, work.interview_id, work.position, Path(work.answer.value)
            )
        else:
            from preppath.services.answers import answer_question

            text, source = _answer_text(work.answer)
            result = answer_question(ctx, work.interview_id, work.position, text, source=source)
    except PrepPathError as exc:
        return BatchItem(**base, status=FAILED, error=exc.message, exit_code=int(exc.code))
    return BatchItem(**base, status=ANSWERED, overall=result.overall, scores=dict(result.scores))


def _answer_text(answer: PlannedAnswer) -> tuple[str, AnswerSource]:
    if answer.kind == "text":
        return answer.value, AnswerSource.TYPED
    from preppath.services.answers import read_answer

    path = Path(answer.value)
    try:
        with path.open(encoding="utf-8") as fh:
            return read_answer(fh), AnswerSource.FILE
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise PrepPathError(f"cannot read {path.name}: {reason}", ExitCode.INVALID) from None


@contextlib.contextmanager
def _plan_lock(ctx: AppContext, plan: Plan) -> Iterator[None]:
    """Held while a plan runs: a second process running the same plan is refused rather than
    answering the same questions twice."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; runs are not serialised
        yield
        return
    folder = private_dir(ctx.paths.data_dir / "batch")
    fd = os.open(folder / f"{plan.sha256[:32]}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PrepPathError(
                f"{plan.path} is already running in another preppath process",
                ExitCode.UNAVAILABLE,
            ) from None
        yield
    finally:
        os.close(fd)
