"""What happens after an activity is recorded, inside the same transaction: the score rollup,
retake scheduling, achievement unlocks and streak milestones."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from preppath.domain import ActivityType
from preppath.progress import achievements
from preppath.progress.store import add_to_rollup, qualifying_totals
from preppath.progress.streaks import MILESTONE_EVERY, compute_streaks
from preppath.services.activity import STREAK_KINDS, local_day
from preppath.services.context import AppContext
from preppath.services.reading import scores_of
from preppath.services.views import Unlock


class HookResult:
    """What an activity unlocked (a plain class: it is only read)."""

    __slots__ = ("milestone", "unlocked")

    def __init__(self, unlocked: list[Unlock] | None = None, milestone: int | None = None) -> None:
        self.unlocked = unlocked if unlocked is not None else []
        self.milestone = milestone


def settle(
    db: sqlite3.Connection,
    ctx: AppContext,
    now: datetime,
    kinds: list[ActivityType],
    *,
    feedback: Mapping[str, Any] | None = None,
    question: Mapping[str, Any] | None = None,
    completed: Mapping[str, Any] | None = None,
    time_known: bool = True,
) -> HookResult:
    """Run after the caller recorded activities of `kinds` at `now`, in its write transaction
    and before it commits. `feedback`, `question` and `completed` are rows as `db.query` reads
    them (the stored feedback with its id, its question, the interview it completed).

    `time_known=False` for practice logged with a date alone: `now` then only places it in its
    day, and rules about the time of day do not see an hour."""
    from preppath.services.answers import question_key
    from preppath.services.retake_schedule import schedule_retake

    day, hour = local_day(now, ctx.tz)
    event_day = date.fromisoformat(day)
    # Tracked practice may be back-dated: streaks are judged as of the real today, which the
    # back-filled day can extend or join, while the event's own day and hour drive the rest.
    today = date.fromisoformat(local_day(ctx.clock(), ctx.tz)[0])
    if feedback is not None and question is not None:
        add_to_rollup(
            db,
            profile_id=ctx.profile_id,
            at=now,
            tz=ctx.tz,
            qtype=question["type"],
            stacks=question["stack"],
            tags=question["tags"],
            scores=scores_of(feedback),
            overall=feedback["overall"],
            delivery=feedback["delivery"],
        )
        schedule_retake(
            db, ctx, question_key(question), feedback["overall"], feedback["id"], event_day
        )
    facts = achievements.Facts(
        db, ctx.profile_id, today, ctx.settings.daily_minimum, ctx.settings.streak_freezes
    )
    events = [
        achievements.Event(
            kind,
            now,
            event_day,
            hour if time_known else None,
            overall=feedback["overall"] if feedback else None,
            completed=completed if kind == ActivityType.INTERVIEW_COMPLETED else None,
        )
        for kind in kinds
    ]
    fresh = achievements.check(db, facts, events)
    return HookResult(
        unlocked=[Unlock(d.id, d.name, d.description, d.points) for d in fresh],
        milestone=_milestone(facts, kinds, today, ctx.settings.daily_minimum)
        if event_day == today
        else None,
    )


def _milestone(
    facts: achievements.Facts, kinds: list[ActivityType], today: date, minimum: int
) -> int | None:
    """A streak milestone is celebrated on the event that makes today count, not on later ones."""
    if not STREAK_KINDS & set(kinds) or facts.answers_on(today) != minimum:
        return None
    state = compute_streaks(
        qualifying_totals(facts.days),
        today=today,
        daily_minimum=minimum,
        freezes_enabled=facts.freezes,
        milestone_every=MILESTONE_EVERY,
    )
    if state.current and state.current % MILESTONE_EVERY == 0:
        return state.current
    return None
