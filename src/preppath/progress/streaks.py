"""Practice streaks with milestones and earned streak freezes.

Input is one total per *local calendar date* (answers plus tracked practice), computed by the
caller in the profile's time zone. Days are counted as date ordinals, which is calendar
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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

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
    """Mutable accumulator for the chronological walk, taken a stretch of days at a time: a
    run of consecutive met days or a gap of missed ones, so five years of daily practice cost
    a few steps instead of 1,800 (every progress command and every answer computes a streak).
    Day numbers are proleptic ordinals (`date.toordinal`): calendar days, never hours."""

    every: int
    cap: int
    length: int = 0
    longest: int = 0
    started: int | None = None
    freezes: int = 0
    frozen: list[int] = field(default_factory=list)
    milestones: list[tuple[int, int]] = field(default_factory=list)

    def meet(self, first: int, days: int) -> None:
        """`days` met days in a row from day `first`."""
        if self.length == 0:
            self.started = first
        before = self.length
        self.length += days
        self.longest = max(self.longest, self.length)
        reached = range((before // self.every + 1) * self.every, self.length + 1, self.every)
        self.milestones.extend((first + length - before - 1, length) for length in reached)
        self.freezes = min(self.cap, self.freezes + len(reached))

    def miss(self, first: int, days: int) -> None:
        """`days` missed days in a row from day `first`: each spends a held freeze, in order,
        and the first with none left breaks the run."""
        if self.length == 0:
            return  # nothing to protect, so a held freeze is not spent
        spent = min(self.freezes, days)
        self.frozen.extend(range(first, first + spent))
        self.freezes -= spent
        if spent < days:
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
    last = today.toordinal() - 1  # the walk ends yesterday: today is never missed
    met = sorted(
        day.toordinal()
        for day, total in day_totals.items()
        if total >= daily_minimum and day.toordinal() <= last
    )
    i = 0
    while i < len(met):
        j = i
        while j + 1 < len(met) and met[j + 1] == met[j] + 1:
            j += 1
        run.meet(met[i], j - i + 1)
        gap_end = met[j + 1] if j + 1 < len(met) else last + 1
        if gap_end > met[j] + 1:
            run.miss(met[j] + 1, gap_end - met[j] - 1)
        i = j + 1
    today_total = day_totals.get(today, 0)
    today_met = today_total >= daily_minimum
    if today_met:
        run.meet(today.toordinal(), 1)
    return StreakState(
        today=today,
        current=run.length,
        longest=run.longest,
        started=date.fromordinal(run.started) if run.started is not None else None,
        freezes=run.freezes,
        frozen_days=tuple(map(date.fromordinal, run.frozen)),
        milestones=tuple(Milestone(date.fromordinal(d), n) for d, n in run.milestones),
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
