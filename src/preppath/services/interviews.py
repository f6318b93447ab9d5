"""Creating, listing, showing, starting and deleting interviews."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from preppath.bank.loader import load_bank
from preppath.bank.roles import resolve_role
from preppath.db import query
from preppath.domain import (
    ExperienceLevel,
    InterviewStatus,
    InterviewType,
    split_stacks,
)
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural
from preppath.providers import factory
from preppath.providers.base import QuestionProvider
from preppath.providers.errors import UnusableModelOutput
from preppath.services.context import AppContext
from preppath.services.reading import feedback_view, get_interview, interview_view
from preppath.services.views import InterviewView
from preppath.spend import usage
from preppath.values import Question, QuestionRequest

__all__ = ["feedback_view", "get_interview"]  # re-exported for the callers that write

MAX_QUESTIONS = 20


@dataclass(frozen=True)
class InterviewOptions:
    type: InterviewType
    role: str
    level: ExperienceLevel
    stack: tuple[str, ...] = ()
    count: int = 5
    seed: int | None = None


def create_interview(
    ctx: AppContext,
    options: InterviewOptions,
    *,
    on_created: Callable[[sqlite3.Connection, int], None] | None = None,
) -> InterviewView:
    """`on_created(db, id)` runs inside the transaction that creates the interview (a batch
    plan records which of its interviews this is, so a crash cannot leave one unrecorded)."""
    if not 1 <= options.count <= MAX_QUESTIONS:
        raise PrepPathError(f"--count must be between 1 and {MAX_QUESTIONS}", ExitCode.USAGE)
    if not options.role.strip():
        raise PrepPathError("--role must not be empty", ExitCode.USAGE)
    stack = split_stacks(options.stack)  # "python,sql" is two stacks here too
    seed = options.seed if options.seed is not None else random.randrange(1, 2**31)
    notices = _notices(ctx, options.role, stack)
    with ctx.reader() as db:
        seen = _recently_seen(db, ctx.profile_id)
    request = QuestionRequest(
        interview_type=options.type.value,
        role=options.role,
        level=options.level.value,
        stack=stack,
        count=options.count,
        seed=seed,
        recently_seen=seen,
    )
    # Drawing questions may call a cloud model for seconds: it runs outside any transaction.
    provider = factory.question_provider(ctx.settings, ctx.paths)
    with usage.metering() as used:
        questions, source = _draw_questions(provider, request, ctx, notices)
    if not questions:
        raise PrepPathError("no questions match these options", ExitCode.INVALID)
    if len(questions) < options.count:
        notices.append(
            f"the bank has only {plural(len(questions), 'fitting question')}; using those"
        )
    # The interview and its questions are one transaction: a crash between them leaves no
    # interview without questions (and the AUTOINCREMENT id is never handed out again).
    with ctx.transaction() as db:
        interview_id = insert_interview(
            db,
            {
                "profile_id": ctx.profile_id,
                "type": options.type.value,
                "role": options.role.strip(),
                "level": options.level.value,
                "stack": list(stack),
                "status": InterviewStatus.PENDING.value,
                "question_count": len(questions),
                "seed": seed,
                "provider": source,
                "created_at": ctx.clock(),
            },
            [question_values(q) for q in questions],
        )
        usage.save(db, ctx.profile_id, interview_id, used, ctx.clock())
        if on_created is not None:
            on_created(db, interview_id)
        view = interview_view(db, ctx.profile_id, interview_id)
    return InterviewView(**{**view.__dict__, "notices": notices})


def _draw_questions(
    provider: QuestionProvider, request: QuestionRequest, ctx: AppContext, notices: list[str]
) -> tuple[list[Question], str]:
    """The questions and the name of the provider that wrote them; a model whose replies stay
    unusable gives way to the bank."""
    try:
        return provider.questions(request), provider.name
    except UnusableModelOutput as exc:
        from preppath.providers.offline_questions import BankQuestionProvider

        notices.append(f"{exc}; using questions from the offline bank instead")
        bank = BankQuestionProvider(ctx.paths.packs_dir)
        return bank.questions(request), bank.name


def insert_interview(
    db: sqlite3.Connection, interview: dict[str, Any], questions: list[dict[str, Any]]
) -> int:
    """Insert an interview and its questions (numbered from 1 in this order) inside the
    caller's transaction; returns the interview's id."""
    interview_id = query.insert(db, query.INTERVIEW, interview)
    for position, values in enumerate(questions, start=1):
        query.insert(
            db,
            query.QUESTION,
            {
                **values,
                "interview_id": interview_id,
                "position": position,
                "status": "pending",
            },
        )
    return interview_id


def question_values(q: Question) -> dict[str, Any]:
    """A drawn question as the columns of an interview_question row (without its interview,
    position or status)."""
    return {
        "bank_id": q.id if q.source == "bank" else None,
        "type": q.type,
        "difficulty": q.difficulty,
        "text": q.text,
        "expected_answer": q.expected_answer,
        "key_points": [kp.to_dict() for kp in q.key_points],
        "weights": {
            "correctness": q.weights.correctness,
            "completeness": q.weights.completeness,
            "clarity": q.weights.clarity,
        },
        "tags": list(q.tags),
        "stack": list(q.stack),
        "source": q.source,
    }


def _notices(ctx: AppContext, role: str, stack: tuple[str, ...]) -> list[str]:
    notices = []
    if resolve_role(role) is None:
        basis = "your stack" if stack else "a general software stack"
        notices.append(
            f"role {role!r} is not one PrepPath knows; choosing questions from {basis}"
            " and the interview type"
        )
    if factory.provider_name(ctx.settings, "questions") == "offline":
        bank = load_bank(ctx.paths.packs_dir)
        if bank.errors:
            notices.append(
                f"skipped {plural(len(bank.errors), 'problem')} in question packs, first: "
                f"{bank.errors[0]} (check with `preppath questions validate FILE`)"
            )
        known = bank.stacks()
        unknown = [s for s in stack if s not in known]
        if unknown:
            notices.append(
                f"no bank questions for {', '.join(unknown)}; add a pack under "
                f"{ctx.paths.packs_dir} or see `preppath questions list`"
            )
    return notices


def _recently_seen(db: sqlite3.Connection, profile_id: int, limit: int = 300) -> tuple[str, ...]:
    rows = db.execute(
        "SELECT q.bank_id FROM interview_question AS q JOIN interview AS i"
        " ON q.interview_id = i.id WHERE i.profile_id = ? AND q.bank_id IS NOT NULL"
        " ORDER BY i.created_at DESC, q.position LIMIT ?",
        (profile_id, limit),
    ).fetchall()
    return tuple(dict.fromkeys(r[0] for r in rows if r[0]))


def start_interview(ctx: AppContext, interview_id: int) -> InterviewView:
    from preppath.services import rows
    from preppath.services.progress_hooks import settle

    # The status is read under the write lock: two sessions starting the same interview at
    # once record its start once.
    with ctx.transaction() as db:
        interview = rows.load_interview(db, ctx, interview_id)
        kinds = rows.mark_started(db, ctx, interview)
        if kinds:
            settle(db, ctx, ctx.clock(), kinds)
        return interview_view(db, ctx.profile_id, interview_id)


def delete_interview(ctx: AppContext, interview_id: int) -> int:
    """Delete the interview and everything under it; returns how many recording files went.

    Files go after the rows are committed: a crash in between leaves files that no row names,
    which the next open sweeps away, never a row naming a file that is gone."""
    from preppath.services import rows
    from preppath.services.recordings import local_store, remove_interview_files

    with ctx.transaction() as db:
        rows.load_interview(db, ctx, interview_id)
        paths = [
            path
            for (path,) in db.execute(
                "SELECT r.path FROM interview_recording AS r JOIN interview_question AS q"
                " ON r.question_id = q.id WHERE q.interview_id = ?",
                (interview_id,),
            )
        ]
        # Questions, feedback and recording rows go by ON DELETE CASCADE (the transaction
        # turns foreign keys on); activity and retakes keep their rows with the link cleared.
        db.execute("DELETE FROM interview WHERE id = ?", (interview_id,))
    return remove_interview_files(local_store(ctx.paths.data_dir), interview_id, paths)
