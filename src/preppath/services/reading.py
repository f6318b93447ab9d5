"""Reading an interview with its questions and latest feedback, through the thin query layer
(`db/query.py`): `interview show`, `interview report` and the session start do not import the
ORM."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from preppath.db import query
from preppath.errors import NotFoundError
from preppath.services.context import AppContext
from preppath.services.views import FeedbackView

if TYPE_CHECKING:
    from preppath.services.views import InterviewView


def get_interview(ctx: AppContext, interview_id: int) -> InterviewView:
    """The profile's interview, or "not found" (exactly the same for another profile's)."""
    with ctx.reader() as db:
        # One read transaction: the questions and feedback agree with the interview row even
        # while another process answers.
        db.execute("BEGIN")
        try:
            return interview_view(db, ctx.profile_id, interview_id)
        finally:
            db.rollback()


def interview_view(db: sqlite3.Connection, profile_id: int, interview_id: int) -> InterviewView:
    # Here: answering reads feedback (feedback_view) and needs no interview's view classes.
    from preppath.services.views import InterviewView, QuestionView

    interview = query.interview(db, interview_id)
    if interview is None or interview["profile_id"] != profile_id:
        raise NotFoundError("interview", interview_id)
    questions = query.questions(db, interview_id)
    latest = query.latest_feedback(db, (q["id"] for q in questions))
    unscored = _unscored_answers(db, [q["id"] for q in questions])
    views = [
        QuestionView(
            id=q["position"],
            text=q["text"],
            type=q["type"],
            difficulty=q["difficulty"],
            stack=q["stack"],
            tags=q["tags"],
            status=q["status"],
            bank_id=q["bank_id"],
            expected_answer=q["expected_answer"],
            key_points=[kp["point"] for kp in q["key_points"]],
            feedback=feedback_view(latest[q["id"]]) if q["id"] in latest else None,
            **unscored.get(q["id"], {}),
        )
        for q in questions
    ]
    return InterviewView(
        id=interview["id"],
        type=interview["type"],
        role=interview["role"],
        level=interview["level"],
        stack=interview["stack"],
        status=interview["status"],
        seed=interview["seed"],
        provider=interview["provider"],
        created_at=interview["created_at"],
        started_at=interview["started_at"],
        completed_at=interview["completed_at"],
        overall=interview["overall"],
        questions=views,
    )


def _unscored_answers(db: sqlite3.Connection, question_ids: list[int]) -> dict[int, dict[str, Any]]:
    """For each question whose latest answer is not scored yet: its scoring state, the reason
    it failed, and the job that scores it."""
    if not question_ids:
        return {}
    marks = ", ".join("?" * len(question_ids))
    rows = db.execute(
        # The answer's latest job: its scoring, or its transcription while it has no text.
        "SELECT a.question_id, a.scoring, a.scoring_error, (SELECT max(j.id) FROM job j "
        "WHERE j.kind IN ('evaluation', 'transcription') AND j.key = 'answer:' || a.id) "
        f"FROM answer a WHERE a.question_id IN ({marks}) "
        "AND a.id = (SELECT max(b.id) FROM answer b WHERE b.question_id = a.question_id) "
        "AND a.scoring != 'scored'",
        question_ids,
    ).fetchall()
    return {
        qid: {"scoring": state, "scoring_error": error, "scoring_job": job}
        for qid, state, error, job in rows
    }


SCORE_NAMES = ("correctness", "completeness", "clarity")


def scores_of(row: Mapping[str, Any]) -> dict[str, float]:
    """A feedback row's three sub-scores by name."""
    return {name: row[name] for name in SCORE_NAMES}


def feedback_view(row: Mapping[str, Any]) -> FeedbackView:
    """A feedback row (from the query layer, or an ORM row's `model_dump()`) as shown."""
    return FeedbackView(
        attempt=row["attempt"],
        answer=row["answer_text"],
        source=row["answer_source"],
        overall=row["overall"],
        scores=scores_of(row),
        strengths=row["strengths"],
        improvements=row["improvements"],
        key_points=row["key_points"],
        star=row["star"],
        delivery=row["delivery"],
        evaluator=row["evaluator"],
        created_at=row["created_at"],
    )
