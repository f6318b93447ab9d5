"""The retake queue's review interviews; the scheduling itself, on the answer path, is in
`retake_schedule` (it must not import the ORM)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from preppath.db.models import Interview, InterviewFeedback, InterviewQuestion, Retake
from preppath.domain import InterviewStatus, InterviewType
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext
from preppath.services.views import InterviewView


def due_retakes(session: Session, ctx: AppContext, today: date) -> list[Retake]:
    return list(
        session.exec(
            select(Retake)
            .where(
                Retake.profile_id == ctx.profile_id,
                col(Retake.cleared).is_(False),
                col(Retake.due_day) <= today.isoformat(),
            )
            .order_by(col(Retake.due_day), col(Retake.last_score))
        ).all()
    )


def create_review_interview(ctx: AppContext, count: int = 5) -> InterviewView:
    """An interview of the questions due for retake, most overdue and lowest scored first."""
    from preppath.services.activity import local_day
    from preppath.services.interviews import get_interview

    today = date.fromisoformat(local_day(ctx.clock(), ctx.tz)[0])
    with ctx.writer() as session:  # may clear retakes it read as due
        due = due_retakes(session, ctx, today)[:count]
        if not due:
            upcoming = session.exec(
                select(Retake.due_day)
                .where(Retake.profile_id == ctx.profile_id, col(Retake.cleared).is_(False))
                .order_by(col(Retake.due_day))
            ).first()
            hint = f"; the next is due on {upcoming}" if upcoming else ""
            raise PrepPathError(f"nothing is due for review{hint}", ExitCode.NOT_FOUND)
        sources = [q for q in (_source_question(session, r) for r in due) if q is not None]
        if not sources:
            session.commit()
            raise PrepPathError("the questions due for review were deleted", ExitCode.NOT_FOUND)
        types = {q.type for q in sources}
        interview = Interview(
            profile_id=ctx.profile_id,
            type=types.pop() if len(types) == 1 else InterviewType.MIXED.value,
            role="Review",
            level="mid",
            stack=sorted({s for q in sources for s in q.stack}),
            status=InterviewStatus.PENDING.value,
            question_count=len(sources),
            seed=None,
            provider="review",
            created_at=ctx.clock(),
        )
        session.add(interview)
        session.flush()
        assert interview.id is not None
        for position, q in enumerate(sources, start=1):
            session.add(
                InterviewQuestion(
                    **{
                        **q.model_dump(exclude={"id", "interview_id", "position", "status"}),
                        "interview_id": interview.id,
                        "position": position,
                    }
                )
            )
        session.commit()
        interview_id = interview.id
    return get_interview(ctx, interview_id)


def _source_question(session: Session, retake: Retake) -> InterviewQuestion | None:
    """The stored question the retake came from; if its interview was deleted since, the bank's
    copy; if neither exists (a deleted interview's cloud question) the retake is cleared."""
    feedback = (
        session.get(InterviewFeedback, retake.last_feedback_id)
        if retake.last_feedback_id is not None
        else None
    )
    question = session.get(InterviewQuestion, feedback.question_id) if feedback else None
    if question is None:
        question = _from_bank(retake.question_key)
    if question is None:
        retake.cleared = True
        session.add(retake)
    return question


def _from_bank(key: str) -> InterviewQuestion | None:
    from preppath.bank.loader import load_bank
    from preppath.services.interviews import question_values

    found = load_bank(None).by_id().get(key)
    if found is None:
        return None
    return InterviewQuestion(interview_id=0, position=0, **question_values(found))
