"""What happens after an answer is stored, inside the same transaction: retake scheduling,
achievement unlocks and streak milestones. Filled in by the progress features."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from preppath.db.models import InterviewFeedback
from preppath.services.context import AppContext
from preppath.services.views import Unlock


@dataclass
class HookResult:
    unlocked: list[Unlock] = field(default_factory=list)
    milestone: int | None = None


def after_answer(
    session: Session, ctx: AppContext, key: str, feedback: InterviewFeedback, now: datetime
) -> HookResult:
    return HookResult()
