"""The achievement catalogue (achievements.toml) and the rules that unlock each kind.

Rules run inside the transaction that records the activity, on facts read from the maintained
aggregates, so unlocking costs the same for a new profile and a five-year one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from preppath.db.query import read_time, stored_time
from preppath.domain import ActivityType
from preppath.progress.store import (
    DayRow,
    activity_totals,
    day_rows,
    qualifying_days,
    qualifying_on,
    qualifying_totals,
)
from preppath.progress.streaks import compute_streaks

CATALOGUE = Path(__file__).with_name("achievements.toml")


@dataclass(frozen=True)
class AchievementDef:
    id: str
    name: str
    description: str
    category: str
    kind: str
    threshold: float
    points: int
    hidden: bool
    order: int


@cache
def catalogue() -> tuple[AchievementDef, ...]:
    """The shipped catalogue, from the build cache while the file is unchanged: every answer
    checks it, and parsing it (with the TOML parser's import) costs ~4 ms."""
    from preppath.buildcache import cached

    return cached("achievements", [CATALOGUE, Path(__file__)], _read_catalogue)


def _read_catalogue() -> tuple[AchievementDef, ...]:
    import tomllib

    raw = tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))["achievement"]
    return tuple(
        AchievementDef(
            a["id"],
            a["name"],
            a["description"],
            a["category"],
            a["kind"],
            float(a["threshold"]),
            int(a["points"]),
            bool(a.get("hidden", False)),
            i,
        )
        for i, a in enumerate(raw)
    )


CATALOGUE_COLUMNS = (
    "name",
    "description",
    "category",
    "kind",
    "threshold",
    "points",
    "hidden",
    "sort_order",
)


def sync_catalogue(db: sqlite3.Connection) -> None:
    """Make the achievement table match the shipped catalogue (new releases may add some)."""
    names = ", ".join(CATALOGUE_COLUMNS)
    stored = {row[0]: tuple(row[1:]) for row in db.execute(f"SELECT id, {names} FROM achievement")}
    for d in catalogue():
        values = (
            d.name,
            d.description,
            d.category,
            d.kind,
            d.threshold,
            d.points,
            int(d.hidden),
            d.order,
        )
        if stored.get(d.id) != values:
            db.execute(
                f"INSERT INTO achievement (id, {names}) VALUES (?, {', '.join('?' * 8)}) "
                "ON CONFLICT (id) DO UPDATE SET "
                + ", ".join(f"{k} = excluded.{k}" for k in CATALOGUE_COLUMNS),
                (d.id, *values),
            )


@dataclass(frozen=True)
class Event:
    """The activity just recorded, as the rules need to see it."""

    kind: ActivityType
    at: datetime
    local_day: date
    local_hour: int | None  # None: logged with a date alone, so no time of day to judge
    overall: int | None = None
    completed: Mapping[str, Any] | None = None
    """The interview this event completed, as a row (`db.query.INTERVIEW`)."""


RECENT_SCORES = (
    "SELECT f.overall FROM interview_feedback f "
    "CROSS JOIN interview_question q ON q.id = f.question_id "
    "CROSS JOIN interview i ON i.id = q.interview_id "
    "WHERE i.profile_id = ? ORDER BY f.created_at DESC LIMIT 20"
)
"""The 20 latest scores. CROSS JOIN keeps the answers as the outer loop (SQLite does not
reorder it), so they are read newest first along ix_feedback_created and the read stops at the
20th of this profile's, instead of sorting all of them. A profile with few answers beside a
busy one in the same database reads past the other's answers: local profiles are few."""


@dataclass
class Facts:
    """Aggregates the rules read, each computed at most once per check."""

    db: sqlite3.Connection
    profile_id: int
    today: date
    daily_minimum: int = 1
    freezes: bool = True
    _cache: dict[str, object] = field(default_factory=dict)

    @cached_property
    def days(self) -> list[DayRow]:
        return day_rows(self.db, self.profile_id)

    @cached_property
    def totals(self) -> dict[str, int]:
        return activity_totals(self.db, self.profile_id)

    @cached_property
    def longest_streak(self) -> int:
        loaded = "days" in self.__dict__
        state = compute_streaks(
            qualifying_totals(self.days) if loaded else qualifying_days(self.db, self.profile_id),
            today=self.today,
            daily_minimum=self.daily_minimum,
            freezes_enabled=self.freezes,
        )
        return state.longest

    @cached_property
    def stacks_answered(self) -> int:
        (count,) = self.db.execute(
            "SELECT count(*) FROM score_total WHERE profile_id = ? AND dimension = 'stack'",
            (self.profile_id,),
        ).fetchone()
        return int(count)

    @cached_property
    def best_answer(self) -> int:
        (best,) = self.db.execute(
            "SELECT max(max_overall) FROM score_total WHERE profile_id = ? AND dimension = 'all'",
            (self.profile_id,),
        ).fetchone()
        return int(best or 0)

    @cached_property
    def recent_scores(self) -> list[int]:
        rows = self.db.execute(RECENT_SCORES, (self.profile_id,)).fetchall()
        return [int(r[0]) for r in rows]

    def answers_on(self, day: date) -> int:
        if "days" not in self.__dict__:  # one row, rather than reading every day to find it
            return qualifying_on(self.db, self.profile_id, day)
        return next((r.answers + r.practices for r in self.days if r.day == day.isoformat()), 0)

    def gap_before(self, day: date) -> int:
        """Days since the last practice before `day` (0 when there was none)."""
        if "days" not in self.__dict__:  # the one day wanted, rather than reading every day
            (last,) = self.db.execute(
                "SELECT max(day) FROM daily_activity WHERE profile_id = ? AND day < ? "
                "AND answers + practices > 0",
                (self.profile_id, day.isoformat()),
            ).fetchone()
            return (day - date.fromisoformat(last)).days if last else 0
        earlier = [
            date.fromisoformat(r.day)
            for r in self.days
            if r.day < day.isoformat() and r.answers + r.practices > 0
        ]
        return (day - max(earlier)).days if earlier else 0

    def answered_in(self, interview: Mapping[str, Any]) -> int:
        (count,) = self.db.execute(
            "SELECT count(*) FROM interview_question WHERE interview_id = ? "
            "AND status = 'answered'",
            (interview["id"],),
        ).fetchone()
        return int(count)


def _speed_runner(f: Facts, e: Event, t: float) -> bool:
    iv = e.completed
    if iv is None or iv["started_at"] is None or iv["completed_at"] is None:
        return False
    quick = iv["completed_at"] - iv["started_at"] <= timedelta(minutes=t)
    return quick and f.answered_in(iv) >= 3


def _ace(f: Facts, e: Event, t: float) -> bool:
    iv = e.completed
    return bool(iv and iv["overall"] is not None and iv["overall"] >= t and f.answered_in(iv) >= 3)


def _weekend(f: Facts, e: Event, t: float) -> bool:
    """Saturday and Sunday of one weekend both practised; either may be the one just logged
    (a back-filled Saturday completes a weekend too). weekday(): Saturday 5, Sunday 6."""
    weekday = e.local_day.weekday()
    if weekday == 6:
        return f.answers_on(e.local_day - timedelta(days=1)) > 0
    if weekday == 5:
        return f.answers_on(e.local_day + timedelta(days=1)) > 0
    return False


_answering = (ActivityType.QUESTION_ANSWERED, ActivityType.PRACTICE)

Rule = Callable[[Facts, Event, float], bool]
RULES: dict[str, Rule] = {
    "interviews_completed": lambda f, e, t: f.totals["interviews_completed"] >= t,
    "streak_days": lambda f, e, t: f.longest_streak >= t,
    "points_total": lambda f, e, t: f.totals["points"] >= t,
    "perfect_answer": lambda f, e, t: e.overall is not None and e.overall >= t,
    "interview_average": _ace,
    "recent_average": lambda f, e, t: len(f.recent_scores) >= 20 and sum(f.recent_scores) / 20 >= t,
    "night_owl": lambda f, e, t: (
        e.kind in _answering and e.local_hour is not None and e.local_hour < t
    ),
    "early_bird": lambda f, e, t: (
        e.kind in _answering and e.local_hour is not None and 5 <= e.local_hour < t
    ),
    "speed_runner": _speed_runner,
    "polyglot": lambda f, e, t: f.stacks_answered >= t,
    # A break of t days: t whole days without practice between the two active days.
    "comeback": lambda f, e, t: e.kind in _answering and f.gap_before(e.local_day) - 1 >= t,
    "marathon": lambda f, e, t: f.totals["most_answers_in_a_day"] >= t,
    "weekend_warrior": lambda f, e, t: e.kind in _answering and _weekend(f, e, t),
}

# How far along a locked achievement is, for `achievements list`; None where it is all-or-nothing.
PROGRESS: dict[str, Callable[[Facts], float]] = {
    "interviews_completed": lambda f: f.totals["interviews_completed"],
    "streak_days": lambda f: f.longest_streak,
    "points_total": lambda f: f.totals["points"],
    "perfect_answer": lambda f: f.best_answer,
    "polyglot": lambda f: f.stacks_answered,
    "marathon": lambda f: f.totals["most_answers_in_a_day"],
    "recent_average": lambda f: (
        sum(f.recent_scores) / len(f.recent_scores) if f.recent_scores else 0
    ),
}


def unlocked_ids(db: sqlite3.Connection, profile_id: int) -> dict[str, datetime]:
    return {
        achievement_id: read_time(at)
        for achievement_id, at in db.execute(
            "SELECT achievement_id, unlocked_at FROM user_achievement WHERE profile_id = ?",
            (profile_id,),
        )
    }


def check(db: sqlite3.Connection, facts: Facts, events: list[Event]) -> list[AchievementDef]:
    """Unlock every locked achievement whose rule any of `events` now satisfies, inside the
    caller's write transaction (the one that recorded the events)."""
    sync_catalogue(db)
    have = unlocked_ids(db, facts.profile_id)
    fresh = []
    for d in catalogue():
        if d.id in have:
            continue
        if any(RULES[d.kind](facts, e, d.threshold) for e in events):
            db.execute(
                "INSERT INTO user_achievement (profile_id, achievement_id, unlocked_at) "
                "VALUES (?, ?, ?)",
                (facts.profile_id, d.id, stored_time(events[-1].at)),
            )
            fresh.append(d)
    return fresh
