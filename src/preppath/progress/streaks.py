"""Practice streaks with milestones and earned streak freezes.

Input is one total per *local calendar date* (answers plus tracked practice), computed by the
caller in the profile's time zone. Walking `date` objects one day at a time is calendar
arithmetic, so 23- and 25-hour DST days cannot skip or repeat a day here; datetimes are refused
so that nobody slips wall-clock arithmetic back in.

Rules (Duolingo-like, see GUIDE.md section 2):

- A day is *met* when its total is at least `daily_minimum`.
- The streak is the run of consecutive met days. Reaching every `milestone_every`-th day of a
  run (7, 14, 21, ...) records a milestone and earns one streak freeze, up to `max_freezes` held.
- A missed day inside a run is covered by a held freeze, consuming it; consecutive missed days
  need one freeze each. Freezes are spent as days pass, in order, so a gap longer than the
  freezes held uses them up and still breaks the streak.
- A frozen day keeps the run alive but does not add to its length: the number shown is days of
  actual practice, and a streak cannot grow while nobody practises.
- Today is never frozen or broken: until it is met it is "at risk" and the current streak is the
  run that ended yesterday.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

_ONE_DAY = timedelta(days=1)

# A milestone notice, and a freeze earned, every this many days of streak.
MILESTONE_EVERY = 7


class Milestone(NamedTuple):
    """A milestone reached: the day it happened and the streak length it marks."""

    date: date
    length: int


@dataclass(frozen=True)
class StreakState:
    """The streak as of `today`. Lists are tuples so the state can be shared and compared."""

    today: date
    current: int  # met days in the current run (today included only once it is met)
    longest: int  # longest run ever, counted the same way
    started: date | None  # first met day of the current run; None when current == 0
    freezes: int  # freezes held now
    frozen_days: tuple[date, ...]  # every past day a freeze covered, oldest first
    milestones: tuple[Milestone, ...]  # every milestone reached, oldest first
    today_met: bool
    today_needs: int  # qualifying events still needed today (0 once met)
    next_milestone: int  # the streak length that will be the next milestone

    @property
    def at_risk(self) -> bool:
        """True when a streak is running and today still needs practice to extend it."""
        return self.current > 0 and not self.today_met


@dataclass
class _Run:
    """Mutable accumulator for the chronological walk."""

    every: int
    cap: int
    length: int = 0
    longest: int = 0
    started: date | None = None
    freezes: int = 0
    frozen: list[date] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)

    def meet(self, day: date) -> None:
        self.length += 1
        if self.length == 1:
            self.started = day
        self.longest = max(self.longest, self.length)
        if self.length % self.every == 0:
            self.milestones.append(Milestone(day, self.length))
            self.freezes = min(self.cap, self.freezes + 1)

    def miss(self, day: date) -> None:
        if self.length == 0:
            return  # nothing to protect, so a held freeze is not spent
        if self.freezes > 0:
            self.freezes -= 1
            self.frozen.append(day)
        else:
            self.length = 0
            self.started = None


def compute_streaks(
    day_totals: Mapping[date, int],
    *,
    today: date,
    daily_minimum: int = 1,
    freezes_enabled: bool = True,
    max_freezes: int = 2,
    milestone_every: int = MILESTONE_EVERY,
) -> StreakState:
    """The streak state on `today` from per-day totals of qualifying activity.

    Days after `today` (a clock ahead of the profile's zone) are ignored. Raises TypeError for
    datetime keys or `today`, ValueError for a negative total or a non-positive minimum or
    milestone interval, or a negative `max_freezes`.
    """
    _validate(day_totals, today, daily_minimum, max_freezes, milestone_every)
    run = _Run(every=milestone_every, cap=max_freezes if freezes_enabled else 0)
    met = {day for day, total in day_totals.items() if total >= daily_minimum and day <= today}
    if met:
        for day in _days(min(met), today - _ONE_DAY):
            if day in met:
                run.meet(day)
            else:
                run.miss(day)
    today_total = day_totals.get(today, 0)
    today_met = today_total >= daily_minimum
    if today_met:
        run.meet(today)
    return StreakState(
        today=today,
        current=run.length,
        longest=run.longest,
        started=run.started,
        freezes=run.freezes,
        frozen_days=tuple(run.frozen),
        milestones=tuple(run.milestones),
        today_met=today_met,
        today_needs=max(0, daily_minimum - today_total),
        next_milestone=(run.length // milestone_every + 1) * milestone_every,
    )


def milestone_reached(before: StreakState, after: StreakState) -> int | None:
    """The milestone length `after` reached that `before` had not, for a celebration.

    Compare two states computed for the same profile, e.g. before and after saving an answer.
    Returns the largest new milestone, or None.
    """
    new = set(after.milestones) - set(before.milestones)
    return max((m.length for m in new), default=None)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def _validate(
    day_totals: Mapping[date, int],
    today: date,
    daily_minimum: int,
    max_freezes: int,
    milestone_every: int,
) -> None:
    # datetime is a subclass of date: without this check a datetime key would silently never
    # match the date being walked, and a datetime `today` would compare by wall-clock time.
    if isinstance(today, datetime) or any(isinstance(d, datetime) for d in day_totals):
        raise TypeError("streaks take local calendar dates (datetime.date), not datetimes")
    if daily_minimum < 1:
        raise ValueError(f"daily_minimum must be at least 1, got {daily_minimum}")
    if milestone_every < 1:
        raise ValueError(f"milestone_every must be at least 1, got {milestone_every}")
    if max_freezes < 0:
        raise ValueError(f"max_freezes cannot be negative, got {max_freezes}")
    if any(total < 0 for total in day_totals.values()):
        raise ValueError("activity totals cannot be negative")
