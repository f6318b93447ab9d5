"""Creating, listing, showing, starting and deleting interviews."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlmodel import Session, col, select

from preppath.bank.loader import load_bank
from preppath.bank.roles import resolve_role
from preppath.db.models import Interview, InterviewQuestion, InterviewRecording
from preppath.domain import (
    ExperienceLevel,
    InterviewStatus,
    InterviewType,
    split_stacks,
)
from preppath.errors import ExitCode, NotFoundError, PrepPathError
from preppath.messages import plural
from preppath.providers import factory
from preppath.services.context import AppContext
from preppath.services.reading import feedback_view, get_interview, interview_view
from preppath.services.views import InterviewView
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


def create_interview(ctx: AppContext, options: InterviewOptions) -> InterviewView:
    if not 1 <= options.count <= MAX_QUESTIONS:
        raise PrepPathError(f"--count must be between 1 and {MAX_QUESTIONS}", ExitCode.USAGE)
    if not options.role.strip():
        raise PrepPathError("--role must not be empty", ExitCode.USAGE)
    stack = split_stacks(options.stack)  # "python,sql" is two stacks here too
    seed = options.seed if options.seed is not None else random.randrange(1, 2**31)
    notices = _notices(ctx, options.role, stack)
    with ctx.session() as session:
        seen = _recently_seen(session, ctx.profile_id)
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
    questions = provider.questions(request)
    if not questions:
        raise PrepPathError("no questions match these options", ExitCode.INVALID)
    if len(questions) < options.count:
        notices.append(
            f"the bank has only {plural(len(questions), 'fitting question')}; using those"
        )
    with ctx.writer() as session:
        interview = Interview(
            profile_id=ctx.profile_id,
            type=options.type.value,
            role=options.role.strip(),
            level=options.level.value,
            stack=list(stack),
            status=InterviewStatus.PENDING.value,
            question_count=len(questions),
            seed=seed,
            provider=provider.name,
            created_at=ctx.clock(),
        )
        session.add(interview)
        session.flush()
        assert interview.id is not None
        for position, q in enumerate(questions, start=1):
            session.add(question_row(interview.id, position, q))
        session.commit()
        view = _view(session, interview)
    return InterviewView(**{**view.__dict__, "notices": notices})


def question_row(interview_id: int, position: int, q: Question) -> InterviewQuestion:
    return InterviewQuestion(
        interview_id=interview_id,
        position=position,
        bank_id=q.id if q.source == "bank" else None,
        type=q.type,
        difficulty=q.difficulty,
        text=q.text,
        expected_answer=q.expected_answer,
        key_points=[kp.to_dict() for kp in q.key_points],
        weights={
            "correctness": q.weights.correctness,
            "completeness": q.weights.completeness,
            "clarity": q.weights.clarity,
        },
        tags=list(q.tags),
        stack=list(q.stack),
        source=q.source,
    )


def _notices(ctx: AppContext, role: str, stack: tuple[str, ...]) -> list[str]:
    notices = []
    if resolve_role(role) is None:
        basis = "your stack" if stack else "a general software stack"
        notices.append(
            f"role {role!r} is not one PrepPath knows; choosing questions from {basis}"
            " and the interview type"
        )
    if not ctx.settings.uses_openai:
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


def _recently_seen(session: Session, profile_id: int, limit: int = 300) -> tuple[str, ...]:
    rows = session.exec(
        select(InterviewQuestion.bank_id)
        .join(Interview)
        .where(Interview.profile_id == profile_id, col(InterviewQuestion.bank_id).is_not(None))
        .order_by(col(Interview.created_at).desc(), col(InterviewQuestion.position))
        .limit(limit)
    ).all()
    return tuple(dict.fromkeys(r for r in rows if r))


def load_interview(session: Session, ctx: AppContext, interview_id: int) -> Interview:
    """The profile's interview as an ORM row, or "not found" (exactly the same for another
    profile's)."""
    interview = session.get(Interview, interview_id)
    if interview is None or interview.profile_id != ctx.profile_id:
        raise NotFoundError("interview", interview_id)
    return interview


def _view(session: Session, interview: Interview) -> InterviewView:
    """The interview as shown, read through the session's own connection (it sees the
    session's writes), by the same reader `interview show` uses."""
    from preppath.progress.store import dbapi

    assert interview.id is not None
    session.flush()
    return interview_view(dbapi(session), interview.profile_id, interview.id)


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
    from preppath.services.recordings import remove_interview_files

    with ctx.writer() as session:
        interview = load_interview(session, ctx, interview_id)
        paths = session.exec(
            select(InterviewRecording.path)
            .join(InterviewQuestion)
            .where(InterviewQuestion.interview_id == interview_id)
        ).all()
        session.delete(interview)
        session.commit()
    return remove_interview_files(ctx.paths.recordings_dir, interview_id, paths)
