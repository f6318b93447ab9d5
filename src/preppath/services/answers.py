"""Answering and skipping questions. An answer is stored at once; an evaluation job scores it
and, in one write transaction, stores the feedback, records the activity and closes the
interview once every question is answered or skipped, all through the thin query layer
(`db/query.py`), so `interview answer` never imports the ORM."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from preppath.db import query
from preppath.domain import ActivityType, AnswerSource, InterviewStatus
from preppath.errors import ExitCode, PrepPathError
from preppath.services.activity import record_activity
from preppath.services.context import AppContext
from preppath.services.reading import feedback_view
from preppath.services.rows import load_interview, load_question, mark_started
from preppath.services.views import AnswerResult, FeedbackView, Unlock
from preppath.spend import usage
from preppath.values import Evaluation, KeyPoint, Question, Weights

if TYPE_CHECKING:
    from preppath.services.scoring import Submitted

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


def as_question(row: Mapping[str, Any]) -> Question:
    """A stored question row (`db.query.QUESTION`) as the evaluator takes it."""
    return Question(
        id=row["bank_id"] or f"q{row['id']}",
        type=row["type"],
        difficulty=row["difficulty"],
        levels=(),
        stack=tuple(row["stack"]),
        tags=tuple(row["tags"]),
        text=row["text"],
        expected_answer=row["expected_answer"],
        key_points=tuple(KeyPoint.from_dict(k) for k in row["key_points"]),
        weights=Weights(**row["weights"]) if row["weights"] else Weights(),
        source=row["source"],
    )


def question_key(row: Mapping[str, Any]) -> str:
    """Identifies "the same question" across interviews: its bank id, else its text."""
    if row["bank_id"]:
        return str(row["bank_id"])
    import hashlib  # here: bank questions, nearly all, need no digest (OpenSSL costs ~3 ms)

    return "text:" + hashlib.sha1(row["text"].encode()).hexdigest()[:16]


def answer_question(
    ctx: AppContext,
    interview_id: int,
    position: int,
    text: str,
    *,
    source: AnswerSource = AnswerSource.TYPED,
    delivery: dict[str, Any] | None = None,
    recording: RecordingInfo | None = None,
) -> AnswerResult:
    """Store the answer (and its recording) at once, then score it through the job pool and
    return its feedback. If scoring fails the answer stays stored, unscored, and the error
    says how to score it again (`preppath jobs retry`)."""
    from preppath.services.scoring import score_now

    submitted = store_answer(
        ctx, interview_id, position, text, source=source, delivery=delivery, recording=recording
    )
    return score_now(ctx, submitted)


def store_answer(
    ctx: AppContext,
    interview_id: int,
    position: int,
    text: str,
    *,
    source: AnswerSource = AnswerSource.TYPED,
    delivery: dict[str, Any] | None = None,
    recording: RecordingInfo | None = None,
) -> Submitted:
    """The answer, its recording and the job that will score it, in one transaction: from
    here on nothing the person gave can be lost to a slow or failing scorer."""
    from preppath.services.scoring import submit_answer

    published: list[Path] = []
    try:
        answer = check_answer_text(text)
        # Read again under the write lock what the answer depends on (the question exists,
        # the interview is this profile's): another process may have deleted it meanwhile.
        with ctx.transaction() as db:
            interview = load_interview(db, ctx, interview_id)
            row = load_question(db, interview, position)
            submitted = submit_answer(db, ctx, row, answer, source, delivery)
            # A transcription metered by the caller is saved with the answer; the scoring's
            # own usage is saved by its job.
            usage.save(db, ctx.profile_id, interview_id, usage.drain(), ctx.clock())
            if recording is not None:
                store_recording(db, ctx, interview, row, recording, published)
    except BaseException:
        from preppath.services.recordings import discard

        for stored in published:  # published, but its row was not committed
            discard(stored)
        if recording is not None:  # an answer that was not saved keeps no recording
            discard(Path(recording.path))
        raise
    return submitted


def store_feedback(
    db: sqlite3.Connection,
    ctx: AppContext,
    interview: dict[str, Any],
    row: dict[str, Any],
    answer: str,
    source: AnswerSource,
    evaluation: Evaluation,
) -> tuple[AnswerResult, int]:
    """The feedback row, the question answered, the activity and what it unlocks, inside the
    caller's write transaction (the scoring job's finishing one). Returns the result and the
    feedback row's id."""
    from preppath.services.progress_hooks import settle

    now = ctx.clock()
    previous = _previous_attempt(db, ctx, row)
    (last,) = db.execute(
        "SELECT coalesce(max(attempt), 0) FROM interview_feedback WHERE question_id = ?",
        (row["id"],),
    ).fetchone()
    feedback: dict[str, Any] = {
        "question_id": row["id"],
        "attempt": int(last) + 1,
        "answer_text": answer,
        "answer_source": source.value,
        "correctness": evaluation.correctness,
        "completeness": evaluation.completeness,
        "clarity": evaluation.clarity,
        "overall": evaluation.overall,
        "strengths": evaluation.strengths,
        "improvements": evaluation.improvements,
        "key_points": [
            {
                "point": k.point,
                "covered": k.covered,
                "matched": list(k.matched),
                "status": k.status or ("covered" if k.covered else "missed"),
                "correction": k.correction,
            }
            for k in evaluation.key_points
        ],
        "star": evaluation.star,
        "delivery": evaluation.delivery,
        "evaluator": evaluation.evaluator,
        "created_at": now,
    }
    feedback["id"] = query.insert(db, query.FEEDBACK, feedback)
    db.execute("UPDATE interview_question SET status = 'answered' WHERE id = ?", (row["id"],))
    row["status"] = "answered"
    kinds = mark_started(db, ctx, interview)
    record_activity(
        db,
        profile_id=ctx.profile_id,
        kind=ActivityType.QUESTION_ANSWERED,
        at=now,
        tz=ctx.tz,
        interview_id=interview["id"],
    )
    kinds.append(ActivityType.QUESTION_ANSWERED)
    completed = _complete_if_done(db, ctx, interview, now)
    if completed:
        kinds.append(ActivityType.INTERVIEW_COMPLETED)
    hooks = settle(
        db,
        ctx,
        now,
        kinds,
        feedback=feedback,
        question=row,
        completed=interview if completed else None,
    )
    result = AnswerResult(
        **vars(feedback_view(feedback)),
        interview_id=interview["id"],
        question_id=row["position"],
        previous=previous,
        unlocked=hooks.unlocked,
        milestone=hooks.milestone,
        interview_completed=completed,
    )
    return result, int(feedback["id"])


def store_recording(
    db: sqlite3.Connection,
    ctx: AppContext,
    interview: dict[str, Any],
    row: dict[str, Any],
    recording: RecordingInfo,
    published: list[Path],
) -> str:
    """The recording's row, and the file published under the write lock, last before the
    commit that names it. Returns the recording's key."""
    from preppath.services.recordings import stored_key

    now = ctx.clock()
    # The row names the file by its key, relative to the data folder (never an absolute path,
    # which would break when the folder moves).
    key = stored_key(interview["id"], row["position"], now, Path(recording.path).suffix)
    db.execute(
        "INSERT INTO interview_recording (question_id, path, format, duration_s, "
        "size_bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            row["id"],
            key,
            recording.format,
            recording.duration_s,
            recording.size_bytes,
            recording.sha256,
            query.stored_time(now),
        ),
    )
    published.append(_publish(ctx, Path(recording.path), key))
    # the commit that follows names it; if it fails, it goes
    return key


def _publish(ctx: AppContext, incoming: Path, key: str) -> Path:
    """Publish the recording under the write lock, last before the commit that names it."""
    from preppath.services.recordings import local_store, publish

    try:
        return publish(incoming, local_store(ctx.paths.data_dir), key)
    except OSError as exc:
        raise PrepPathError(f"cannot store the recording: {exc.strerror}", ExitCode.DATA) from None


_PREVIOUS = (
    "SELECT f.id FROM interview_feedback f "
    "JOIN interview_question q ON q.id = f.question_id "
    "JOIN interview i ON i.id = q.interview_id "
    "WHERE i.profile_id = ? AND {same} ORDER BY f.created_at DESC, f.id DESC LIMIT 1"
)
PREVIOUS_BY_BANK_ID = _PREVIOUS.format(same="q.bank_id = ?")
# A question without a bank id is "the same" as another by its text (see question_key); the
# condition on bank_id lets the lookup use the partial text index.
PREVIOUS_BY_TEXT = _PREVIOUS.format(same="q.bank_id IS NULL AND q.text = ?")


def _previous_attempt(
    db: sqlite3.Connection, ctx: AppContext, row: Mapping[str, Any]
) -> FeedbackView | None:
    """The latest earlier feedback on the same question, in this or any interview."""
    if row["bank_id"]:
        found = db.execute(PREVIOUS_BY_BANK_ID, (ctx.profile_id, row["bank_id"])).fetchone()
    else:
        found = db.execute(PREVIOUS_BY_TEXT, (ctx.profile_id, row["text"])).fetchone()
    earlier = query.feedback(db, found[0]) if found else None
    return feedback_view(earlier) if earlier else None


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
    with ctx.transaction() as db:  # the question's status is read and changed under one lock
        interview = load_interview(db, ctx, interview_id)
        row = load_question(db, interview, position)
        kinds = []
        skipped = row["status"] == "pending"
        if skipped:
            db.execute(
                "UPDATE interview_question SET status = 'skipped' WHERE id = ?", (row["id"],)
            )
            kinds = mark_started(db, ctx, interview)
        completed = _complete_if_done(db, ctx, interview, now)
        if completed:
            kinds.append(ActivityType.INTERVIEW_COMPLETED)
        unlocked = []
        if kinds:
            hooks = settle(db, ctx, now, kinds, completed=interview if completed else None)
            unlocked = hooks.unlocked
    return SkipResult(skipped, interview["status"], unlocked)


def _complete_if_done(
    db: sqlite3.Connection, ctx: AppContext, interview: dict[str, Any], now: datetime
) -> bool:
    """Close the interview once no question is pending: completed (with its activity) when
    something was answered, abandoned when every question was skipped, which earns nothing.
    A completed interview's overall follows re-answers. `interview` is updated to match."""
    scores = _latest_scores(db, interview["id"])
    if interview["status"] == InterviewStatus.COMPLETED.value:
        interview["overall"] = round(sum(scores) / len(scores), 1) if scores else None
        db.execute(
            "UPDATE interview SET overall = ? WHERE id = ?", (interview["overall"], interview["id"])
        )
        return False
    (pending,) = db.execute(
        "SELECT count(*) FROM interview_question WHERE interview_id = ? AND status = 'pending'",
        (interview["id"],),
    ).fetchone()
    if pending:
        return False
    if not scores:
        interview["status"] = InterviewStatus.ABANDONED.value
        db.execute(
            "UPDATE interview SET status = ? WHERE id = ?", (interview["status"], interview["id"])
        )
        return False
    interview.update(
        status=InterviewStatus.COMPLETED.value,
        completed_at=now,
        overall=round(sum(scores) / len(scores), 1),
    )
    db.execute(
        "UPDATE interview SET status = ?, completed_at = ?, overall = ? WHERE id = ?",
        (
            interview["status"],
            query.stored_time(now),
            interview["overall"],
            interview["id"],
        ),
    )
    record_activity(
        db,
        profile_id=ctx.profile_id,
        kind=ActivityType.INTERVIEW_COMPLETED,
        at=now,
        tz=ctx.tz,
        interview_id=interview["id"],
    )
    return True


def _latest_scores(db: sqlite3.Connection, interview_id: int) -> list[int]:
    latest: dict[int, int] = {}
    for qid, overall in db.execute(
        "SELECT f.question_id, f.overall FROM interview_feedback f "
        "JOIN interview_question q ON q.id = f.question_id "
        "WHERE q.interview_id = ? ORDER BY f.attempt, f.id",
        (interview_id,),
    ):
        latest[qid] = overall
    return list(latest.values())
