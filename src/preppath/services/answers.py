"""Answering and skipping questions: evaluate, store the feedback, record the activity, and close
the interview once every question is answered or skipped — all in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import func
from sqlmodel import Session, col, select

from preppath.db.models import Interview, InterviewFeedback, InterviewQuestion, InterviewRecording
from preppath.domain import ActivityType, AnswerSource, InterviewStatus
from preppath.errors import ExitCode, PrepPathError
from preppath.providers import factory
from preppath.providers.base import Evaluation, KeyPoint, Question, Weights
from preppath.services.activity import record_activity
from preppath.services.context import AppContext
from preppath.services.interviews import feedback_view, load_interview, load_question, mark_started
from preppath.services.views import AnswerResult, FeedbackView, Unlock

MAX_ANSWER_CHARS = 20_000  # about 3,000 words: far beyond any spoken answer (20+ minutes)
BLANK_MARGIN_CHARS = 4096  # blank space around an answer, stripped before the length check


@dataclass(frozen=True)
class RecordingInfo:
    path: str
    """An incoming file (`recordings.new_incoming`): storing the answer publishes it."""
    format: str
    duration_s: float
    size_bytes: int
    sha256: str


def read_answer(stream: TextIO) -> str:
    """An answer from a file or a pipe, read only a little past the limit: /dev/zero or
    hundreds of megabytes on standard input are refused at the cost of a real answer's memory.

    The margin lets an answer just under the limit keep the blank lines an editor adds around
    it; whatever reaches the end of the margin is over the limit by any count."""
    budget = MAX_ANSWER_CHARS + BLANK_MARGIN_CHARS + 1
    text = stream.read(budget)
    if len(text) >= budget:
        raise PrepPathError(
            f"the answer is over {MAX_ANSWER_CHARS:,} characters, the limit", ExitCode.INVALID
        )
    return text


def check_answer_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise PrepPathError("the answer is empty", ExitCode.INVALID)
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise PrepPathError(
            f"the answer is {len(cleaned):,} characters; the limit is {MAX_ANSWER_CHARS:,}",
            ExitCode.INVALID,
        )
    return cleaned


def as_question(row: InterviewQuestion) -> Question:
    return Question(
        id=row.bank_id or f"q{row.id}",
        type=row.type,
        difficulty=row.difficulty,
        levels=(),
        stack=tuple(row.stack),
        tags=tuple(row.tags),
        text=row.text,
        expected_answer=row.expected_answer,
        key_points=tuple(KeyPoint.from_dict(k) for k in row.key_points),
        weights=Weights(**row.weights) if row.weights else Weights(),
        source=row.source,
    )


def question_key(row: InterviewQuestion) -> str:
    """Identifies "the same question" across interviews: its bank id, else its text."""
    if row.bank_id:
        return row.bank_id
    return "text:" + hashlib.sha1(row.text.encode()).hexdigest()[:16]


def answer_question(
    ctx: AppContext,
    interview_id: int,
    position: int,
    text: str,
    *,
    source: AnswerSource = AnswerSource.TYPED,
    delivery: dict[str, Any] | None = None,
    recording: RecordingInfo | None = None,
    evaluation: Evaluation | None = None,
) -> AnswerResult:
    try:
        answer = check_answer_text(text)
        with ctx.session() as session:
            interview = load_interview(session, ctx, interview_id)
            row = load_question(session, interview, position)
            question = as_question(row)
        # Scoring runs outside the transaction: a cloud evaluator may take seconds.
        if evaluation is None:
            evaluation = factory.evaluator(ctx.settings, ctx.paths).evaluate(
                question, answer, delivery=delivery
            )
        # Everything _store reads (the interview's status, the attempt count) is read again
        # under the write lock: another process may have answered in the meantime.
        with ctx.writer() as session:
            interview = load_interview(session, ctx, interview_id)
            row = load_question(session, interview, position)
            return _store(session, ctx, interview, row, answer, source, evaluation, recording)
    except BaseException:
        if recording is not None:  # an answer that was not saved keeps no recording
            from preppath.services.recordings import discard

            discard(Path(recording.path))
        raise


def _store(
    session: Session,
    ctx: AppContext,
    interview: Interview,
    row: InterviewQuestion,
    answer: str,
    source: AnswerSource,
    evaluation: Evaluation,
    recording: RecordingInfo | None,
) -> AnswerResult:
    from preppath.services.progress_hooks import settle

    now = ctx.clock()
    previous = _previous_attempt(session, ctx, row)
    attempt = 1 + (
        session.exec(
            select(func.coalesce(func.max(InterviewFeedback.attempt), 0)).where(
                InterviewFeedback.question_id == row.id
            )
        ).one()
    )
    assert row.id is not None and interview.id is not None
    feedback = InterviewFeedback(
        question_id=row.id,
        attempt=attempt,
        answer_text=answer,
        answer_source=source.value,
        correctness=evaluation.correctness,
        completeness=evaluation.completeness,
        clarity=evaluation.clarity,
        overall=evaluation.overall,
        strengths=evaluation.strengths,
        improvements=evaluation.improvements,
        key_points=[
            {
                "point": k.point,
                "covered": k.covered,
                "matched": list(k.matched),
                "status": k.status or ("covered" if k.covered else "missed"),
                "correction": k.correction,
            }
            for k in evaluation.key_points
        ],
        star=evaluation.star,
        delivery=evaluation.delivery,
        evaluator=evaluation.evaluator,
        created_at=now,
    )
    session.add(feedback)
    stored: Path | None = None
    if recording is not None:
        from preppath.services.recordings import stored_name

        incoming = Path(recording.path)
        stored = (
            ctx.paths.recordings_dir
            / str(interview.id)
            / stored_name(row.position, now, incoming.suffix)
        )
        fields = {**recording.__dict__, "path": str(stored)}
        session.add(InterviewRecording(question_id=row.id, created_at=now, **fields))
    row.status = "answered"
    session.add(row)
    kinds = mark_started(session, ctx, interview)
    record_activity(
        session,
        profile_id=ctx.profile_id,
        kind=ActivityType.QUESTION_ANSWERED,
        at=now,
        tz=ctx.tz,
        interview_id=interview.id,
    )
    kinds.append(ActivityType.QUESTION_ANSWERED)
    session.flush()
    completed = _complete_if_done(session, ctx, interview, now)
    if completed:
        kinds.append(ActivityType.INTERVIEW_COMPLETED)
    hooks = settle(
        session,
        ctx,
        now,
        kinds,
        feedback=feedback,
        question=row,
        completed=interview if completed else None,
    )
    session.flush()
    if stored is not None and recording is not None:
        _commit_with_file(session, Path(recording.path), stored)
    else:
        session.commit()
    return AnswerResult(
        **vars(feedback_view(feedback.model_dump())),
        interview_id=interview.id,
        question_id=row.position,
        previous=previous,
        unlocked=hooks.unlocked,
        milestone=hooks.milestone,
        interview_completed=completed,
    )


def _commit_with_file(session: Session, incoming: Path, stored: Path) -> None:
    """Publish the recording and commit its row as one step: the rename happens under the
    write lock, last before the commit; if the commit fails the file goes too."""
    from preppath.services.recordings import discard, publish

    try:
        publish(incoming, stored)
    except OSError as exc:
        raise PrepPathError(f"cannot store the recording: {exc.strerror}", ExitCode.DATA) from None
    try:
        session.commit()
    except BaseException:
        discard(stored)
        raise


def _previous_attempt(
    session: Session, ctx: AppContext, row: InterviewQuestion
) -> FeedbackView | None:
    """The latest earlier feedback on the same question, in this or any interview."""
    same = (
        InterviewQuestion.bank_id == row.bank_id
        if row.bank_id
        else InterviewQuestion.text == row.text
    )
    earlier = session.exec(
        select(InterviewFeedback)
        .join(InterviewQuestion)
        .join(Interview)
        .where(Interview.profile_id == ctx.profile_id, same)
        .order_by(col(InterviewFeedback.created_at).desc(), col(InterviewFeedback.id).desc())
        .limit(1)
    ).first()
    return feedback_view(earlier.model_dump()) if earlier else None


@dataclass(frozen=True)
class SkipResult:
    skipped: bool
    """False when the question had already been answered (or skipped): nothing changed."""
    status: str
    """The interview's status afterwards (completed or abandoned once nothing is pending)."""
    unlocked: list[Unlock]

    @property
    def completed(self) -> bool:
        """Whether this skip finished the interview."""
        return self.skipped and self.status == InterviewStatus.COMPLETED.value


def skip_question(ctx: AppContext, interview_id: int, position: int) -> SkipResult:
    """Mark a question skipped; completing the interview this way can unlock achievements."""
    from preppath.services.progress_hooks import settle

    now = ctx.clock()
    with ctx.writer() as session:  # the question's status is read and changed under one lock
        interview = load_interview(session, ctx, interview_id)
        row = load_question(session, interview, position)
        kinds = []
        skipped = row.status == "pending"
        if skipped:
            row.status = "skipped"
            session.add(row)
            kinds = mark_started(session, ctx, interview)
            session.flush()
        completed = _complete_if_done(session, ctx, interview, now)
        if completed:
            kinds.append(ActivityType.INTERVIEW_COMPLETED)
        unlocked = []
        if kinds:
            hooks = settle(session, ctx, now, kinds, completed=interview if completed else None)
            unlocked = hooks.unlocked
        session.commit()
    return SkipResult(skipped, interview.status, unlocked)


def _complete_if_done(
    session: Session, ctx: AppContext, interview: Interview, now: datetime
) -> bool:
    """Close the interview once no question is pending: completed (with its activity) when
    something was answered, abandoned when every question was skipped, which earns nothing.
    A completed interview's overall follows re-answers."""
    scores = _latest_scores(session, interview)
    if interview.status == InterviewStatus.COMPLETED.value:
        interview.overall = round(sum(scores) / len(scores), 1) if scores else None
        session.add(interview)
        return False
    pending = session.exec(
        select(func.count())
        .select_from(InterviewQuestion)
        .where(
            InterviewQuestion.interview_id == interview.id, InterviewQuestion.status == "pending"
        )
    ).one()
    if pending:
        return False
    if not scores:
        interview.status = InterviewStatus.ABANDONED.value
        session.add(interview)
        return False
    interview.status = InterviewStatus.COMPLETED.value
    interview.completed_at = now
    interview.overall = round(sum(scores) / len(scores), 1)
    session.add(interview)
    record_activity(
        session,
        profile_id=ctx.profile_id,
        kind=ActivityType.INTERVIEW_COMPLETED,
        at=now,
        tz=ctx.tz,
        interview_id=interview.id,
    )
    return True


def _latest_scores(session: Session, interview: Interview) -> list[int]:
    latest: dict[int, int] = {}
    for qid, overall in session.exec(
        select(InterviewFeedback.question_id, InterviewFeedback.overall)
        .join(InterviewQuestion)
        .where(InterviewQuestion.interview_id == interview.id)
        .order_by(col(InterviewFeedback.attempt))
    ).all():
        latest[qid] = overall
    return list(latest.values())
