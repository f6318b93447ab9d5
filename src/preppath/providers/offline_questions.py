"""Questions from the shipped bank (plus user packs), chosen by `bank.selection`."""

from __future__ import annotations

from pathlib import Path

from preppath.bank.loader import load_bank
from preppath.bank.roles import resolve_role
from preppath.bank.selection import Criteria, select_questions
from preppath.domain import InterviewType
from preppath.values import Question, QuestionRequest


class BankQuestionProvider:
    name = "offline"

    def __init__(self, user_packs: Path | None = None) -> None:
        self.user_packs = user_packs

    def questions(self, request: QuestionRequest) -> list[Question]:
        bank = load_bank(self.user_packs)
        role = resolve_role(request.role)
        stacks = request.stack or (role.stacks if role else ())
        criteria = Criteria(
            interview_type=InterviewType(request.interview_type),
            level=request.level,
            stacks=tuple(stacks),
            count=request.count,
            role=role,
            seed=request.seed or 0,
            recently_seen=request.recently_seen,
        )
        return select_questions(bank.questions, criteria)
