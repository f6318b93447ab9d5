"""An interview built from bank questions the person named (`interview create --question ID`):
for drilling one question, and for batch plans that list the questions they answer."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from preppath.bank.loader import load_bank
from preppath.domain import ExperienceLevel, InterviewStatus, InterviewType, split_stacks
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext
from preppath.services.interviews import MAX_QUESTIONS, insert_interview, question_values
from preppath.services.reading import interview_view
from preppath.services.views import InterviewView
from preppath.values import Question

DRILL_ROLE = "Question drill"
"""The role recorded when none is given: the questions were chosen, not fitted to a role."""

OnCreated = Callable[[sqlite3.Connection, int], None]
"""Called with the new interview's id inside the transaction that creates it."""


@dataclass(frozen=True)
class PickedQuestions:
    question_ids: tuple[str, ...]
    role: str | None = None
    level: ExperienceLevel = ExperienceLevel.MID
    type: InterviewType | None = None
    """None: the questions' own type, or `mixed` when they differ."""


def resolve_questions(ctx: AppContext, question_ids: Sequence[str]) -> list[Question]:
    """The bank questions (shipped and user packs) with these ids, in the order given."""
    if not question_ids:
        raise PrepPathError("give at least one --question ID", ExitCode.USAGE)
    repeated = [ident for ident, n in Counter(question_ids).items() if n > 1]
    if repeated:
        raise PrepPathError(
            f"question {', '.join(repeated)} is given more than once; an interview asks each"
            " question once",
            ExitCode.USAGE,
        )
    if len(question_ids) > MAX_QUESTIONS:
        raise PrepPathError(
            f"an interview holds at most {MAX_QUESTIONS} questions; {len(question_ids)} given",
            ExitCode.USAGE,
        )
    known = load_bank(ctx.paths.packs_dir).by_id()
    unknown = [ident for ident in question_ids if ident not in known]
    if unknown:
        raise PrepPathError(
            f"unknown question {', '.join(unknown)} (see `preppath questions list`)",
            ExitCode.NOT_FOUND,
        )
    return [known[ident] for ident in question_ids]


def interview_type_for(
    questions: Sequence[Question], wanted: InterviewType | None
) -> InterviewType:
    """The questions' common type, `mixed` when they differ; a type asked for must fit them."""
    types = sorted({q.type for q in questions})
    own = InterviewType(types[0]) if len(types) == 1 else InterviewType.MIXED
    if wanted is None or wanted in (own, InterviewType.MIXED):
        return wanted or own
    misfits = [f"{q.id} ({q.type})" for q in questions if q.type != wanted.value]
    raise PrepPathError(
        f"--type {wanted.value} does not fit question {', '.join(misfits)};"
        " use --type mixed or leave --type out",
        ExitCode.USAGE,
    )


def create_from_questions(
    ctx: AppContext, options: PickedQuestions, *, on_created: OnCreated | None = None
) -> InterviewView:
    questions = resolve_questions(ctx, options.question_ids)
    interview_type = interview_type_for(questions, options.type)
    role = (options.role or DRILL_ROLE).strip()
    if not role:
        raise PrepPathError("--role must not be empty", ExitCode.USAGE)
    # The interview's stack is what its questions cover, so stats by technology count it.
    stack = split_stacks(s for q in questions for s in q.stack)
    with ctx.transaction() as db:
        interview_id = insert_interview(
            db,
            {
                "profile_id": ctx.profile_id,
                "type": interview_type.value,
                "role": role,
                "level": options.level.value,
                "stack": list(stack),
                "status": InterviewStatus.PENDING.value,
                "question_count": len(questions),
                "seed": None,
                "provider": "offline",  # bank questions, whichever provider scores them
                "created_at": ctx.clock(),
            },
            [question_values(q) for q in questions],
        )
        if on_created is not None:
            on_created(db, interview_id)
        return interview_view(db, ctx.profile_id, interview_id)
