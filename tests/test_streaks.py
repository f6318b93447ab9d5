"""Tests for streaks: calendar boundaries, DST, earned freezes, minimums and today at risk."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from preppath.progress.streaks import Milestone, compute_streaks, milestone_reached

NEW_YORK = ZoneInfo("America/New_York")


def pattern(start: date, marks: str) -> dict[date, int]:
    """'x' is a met day (1 event), '.' a missed day, one character per day from `start`."""
    return {start + timedelta(days=i): 1 if m == "x" else 0 for i, m in enumerate(marks)}


def last_day(start: date, marks: str) -> date:
    return start + timedelta(days=len(marks) - 1)


# --- calendar boundaries ------------------------------------------------------------------------


def test_streak_runs_across_month_boundary() -> None:
    """29 Jan to 2 Feb is five consecutive days."""
    state = compute_streaks(pattern(date(2026, 1, 29), "xxxxx"), today=date(2026, 2, 2))
    assert (state.current, state.longest, state.started) == (5, 5, date(2026, 1, 29))


def test_streak_runs_across_year_boundary() -> None:
    """29 Dec 2025 to 2 Jan 2026 is five consecutive days."""
    state = compute_streaks(pattern(date(2025, 12, 29), "xxxxx"), today=date(2026, 1, 2))
    assert (state.current, state.started) == (5, date(2025, 12, 29))


def test_leap_day_is_a_day_of_its_own() -> None:
    """Skipping 29 Feb 2028 breaks the streak; practising on it keeps it going."""
    kept = compute_streaks(pattern(date(2028, 2, 27), "xxxx"), today=date(2028, 3, 1))
    assert kept.current == 4
    broken = compute_streaks(
        pattern(date(2028, 2, 27), "xx.x"), today=date(2028, 3, 1), freezes_enabled=False
    )
    assert broken.current == 1


@pytest.mark.parametrize(
    ("first", "last"),
    [(date(2026, 3, 7), date(2026, 3, 10)), (date(2026, 10, 31), date(2026, 11, 2))],
)
def test_streak_spans_dst_changes(first: date, last: date) -> None:
    """Days around the US DST switches (8 Mar, 1 Nov 2026) count one each, no skip or repeat."""
    n = (last - first).days + 1
    state = compute_streaks(pattern(first, "x" * n), today=last)
    assert (state.current, state.started, state.frozen_days) == (n, first, ())


def test_dst_local_dates_from_late_night_sessions() -> None:
    """Sessions at 23:30 New York time each night across spring-forward make a 4-day streak.

    The caller maps instants to local dates; stepping by 24 hours instead would skip 8 March.
    """
    nights = [datetime(2026, 3, d, 23, 30, tzinfo=NEW_YORK) for d in (7, 8, 9, 10)]
    stored = [n.astimezone(UTC) for n in nights]  # what a database would hold
    local_days = {s.astimezone(NEW_YORK).date(): 1 for s in stored}
    state = compute_streaks(local_days, today=date(2026, 3, 10), freezes_enabled=False)
    assert state.current == 4
    wall_clock_step = (stored[0] + timedelta(hours=24)).astimezone(NEW_YORK)
    assert wall_clock_step.date() == date(2026, 3, 9)  # the hazard this design avoids


def test_datetimes_are_refused() -> None:
    """Datetime keys or `today` raise TypeError instead of silently never matching a date."""
    with pytest.raises(TypeError, match="calendar dates"):
        compute_streaks({datetime(2026, 3, 8, 12): 1}, today=date(2026, 3, 8))
    with pytest.raises(TypeError, match="calendar dates"):
        compute_streaks({}, today=datetime(2026, 3, 8, 12))


# --- freezes ------------------------------------------------------------------------------------


def test_freeze_earned_at_seven_covers_a_missed_day() -> None:
    """A 7-day milestone earns a freeze that covers the next miss; frozen days add no length."""
    start = date(2026, 1, 1)
    marks = "xxxxxxx.xxx"
    state = compute_streaks(pattern(start, marks), today=last_day(start, marks))
    assert state.current == 10
    assert state.started == start
    assert state.frozen_days == (date(2026, 1, 8),)
    assert state.freezes == 0
    assert state.milestones == (Milestone(date(2026, 1, 7), 7),)
    assert state.next_milestone == 14


def test_miss_before_first_milestone_breaks_streak() -> None:
    """With no freeze held yet, a missed day breaks the streak but longest remembers it."""
    start = date(2026, 1, 1)
    marks = "xxxxx.xx"
    state = compute_streaks(pattern(start, marks), today=last_day(start, marks))
    assert (state.current, state.longest, state.frozen_days) == (2, 5, ())
    assert state.started == date(2026, 1, 7)


def test_at_most_two_freezes_are_held() -> None:
    """Four milestones in 28 days earn freezes, but only two are held."""
    start = date(2026, 2, 1)
    state = compute_streaks(pattern(start, "x" * 28), today=date(2026, 2, 28))
    assert [m.length for m in state.milestones] == [7, 14, 21, 28]
    assert state.freezes == 2
    custom = compute_streaks(pattern(start, "x" * 28), today=date(2026, 2, 28), max_freezes=3)
    assert custom.freezes == 3


def test_consecutive_missed_days_use_one_freeze_each() -> None:
    """Two freezes cover a two-day gap; the streak carries on at its real length."""
    start = date(2026, 12, 20)
    marks = "x" * 14 + ".." + "x"
    state = compute_streaks(pattern(start, marks), today=last_day(start, marks))
    assert state.frozen_days == (date(2027, 1, 3), date(2027, 1, 4))
    assert (state.current, state.freezes, state.started) == (15, 0, start)


def test_gap_longer_than_freezes_breaks_streak_after_spending_them() -> None:
    """A three-day gap with two freezes spends both, in order, and then breaks."""
    start = date(2026, 12, 20)
    marks = "x" * 14 + "..." + "x"
    state = compute_streaks(pattern(start, marks), today=last_day(start, marks))
    assert state.frozen_days == (date(2027, 1, 3), date(2027, 1, 4))
    assert (state.current, state.longest, state.freezes) == (1, 14, 0)


def test_freeze_earned_again_after_use() -> None:
    """A freeze spent early is earned back at the next milestone (frozen days not counted)."""
    start = date(2026, 1, 1)
    marks = "x" * 7 + "." + "x" * 7
    state = compute_streaks(pattern(start, marks), today=last_day(start, marks))
    assert state.milestones == (Milestone(date(2026, 1, 7), 7), Milestone(date(2026, 1, 15), 14))
    assert (state.current, state.freezes) == (14, 1)


def test_freezes_disabled() -> None:
    """With freezes off, milestones still happen but a single miss breaks the streak."""
    start = date(2026, 1, 1)
    marks = "xxxxxxx.xxx"
    state = compute_streaks(
        pattern(start, marks), today=last_day(start, marks), freezes_enabled=False
    )
    assert (state.current, state.longest, state.freezes, state.frozen_days) == (3, 7, 0, ())
    assert [m.length for m in state.milestones] == [7]


# --- daily minimum and today --------------------------------------------------------------------


def test_daily_minimum_above_one() -> None:
    """With a minimum of 3, a 2-event day breaks the run and today needs the remainder."""
    start = date(2026, 5, 1)
    totals = {start + timedelta(days=i): n for i, n in enumerate([3, 5, 2, 3, 4, 1])}
    state = compute_streaks(totals, today=date(2026, 5, 6), daily_minimum=3)
    assert (state.current, state.longest, state.started) == (2, 2, date(2026, 5, 4))
    assert (state.today_met, state.today_needs) == (False, 2)
    assert state.at_risk


def test_today_not_yet_met_is_at_risk_not_broken() -> None:
    """Before practising today, the streak is yesterday's run and today is at risk."""
    start = date(2026, 6, 1)
    totals = pattern(start, "xxxxx")
    state = compute_streaks(totals, today=date(2026, 6, 6))
    assert (state.current, state.today_met, state.today_needs) == (5, False, 1)
    assert state.at_risk
    assert state.frozen_days == ()
    done = compute_streaks(totals | {date(2026, 6, 6): 2}, today=date(2026, 6, 6))
    assert (done.current, done.today_met, done.today_needs, done.at_risk) == (6, True, 0, False)


def test_missed_yesterday_without_freeze_means_no_streak() -> None:
    """If yesterday was missed and no freeze is held, today starts from zero."""
    state = compute_streaks(pattern(date(2026, 6, 1), "xxxx."), today=date(2026, 6, 6))
    assert (state.current, state.longest, state.at_risk, state.started) == (0, 4, False, None)


def test_missed_yesterday_with_freeze_keeps_streak_alive() -> None:
    """Yesterday is covered by a held freeze; today is still only at risk."""
    start = date(2026, 6, 1)
    state = compute_streaks(pattern(start, "x" * 7 + "."), today=date(2026, 6, 9))
    assert state.frozen_days == (date(2026, 6, 8),)
    assert (state.current, state.freezes, state.at_risk) == (7, 0, True)


def test_no_activity() -> None:
    """An empty history gives zeros, the first milestone and the full minimum still to do."""
    state = compute_streaks({}, today=date(2026, 1, 1), daily_minimum=2)
    assert (state.current, state.longest, state.freezes) == (0, 0, 0)
    assert (state.next_milestone, state.today_needs, state.started) == (7, 2, None)


def test_future_days_are_ignored() -> None:
    """Activity dated after today (a clock ahead) neither extends nor breaks anything."""
    totals = pattern(date(2026, 6, 1), "xxx") | {date(2026, 6, 10): 5}
    state = compute_streaks(totals, today=date(2026, 6, 3))
    assert (state.current, state.longest) == (3, 3)


def test_invalid_settings_are_rejected() -> None:
    """A minimum or milestone interval below 1, or negative totals, raise ValueError."""
    today = date(2026, 1, 1)
    with pytest.raises(ValueError, match="daily_minimum"):
        compute_streaks({}, today=today, daily_minimum=0)
    with pytest.raises(ValueError, match="milestone_every"):
        compute_streaks({}, today=today, milestone_every=0)
    with pytest.raises(ValueError, match="max_freezes"):
        compute_streaks({}, today=today, max_freezes=-1)
    with pytest.raises(ValueError, match="negative"):
        compute_streaks({today: -1}, today=today)


# --- celebration helper -------------------------------------------------------------------------


def test_milestone_reached_reports_the_new_milestone() -> None:
    """Saving the answer that makes day 7 reports 7; an ordinary day reports None."""
    totals = pattern(date(2026, 3, 1), "xxxxxx")
    today = date(2026, 3, 7)
    before = compute_streaks(totals, today=today)
    after = compute_streaks(totals | {today: 1}, today=today)
    assert milestone_reached(before, after) == 7
    again = compute_streaks(totals | {today: 2}, today=today)
    assert milestone_reached(after, again) is None
    assert after.next_milestone == 14


# --- the stretch walk against a day-by-day walk ----------------------------------------------


def walked_day_by_day(
    totals: dict[date, int], today: date, minimum: int, cap: int, every: int
) -> tuple[int, int, date | None, int, tuple[date, ...], tuple[Milestone, ...]]:
    """The rules of the module docstring applied one calendar day at a time: the obvious
    reading, which compute_streaks must equal while it steps over whole stretches."""
    length = longest = freezes = 0
    started: date | None = None
    frozen: list[date] = []
    milestones: list[Milestone] = []
    met = {d for d, n in totals.items() if n >= minimum and d < today}
    if totals.get(today, 0) >= minimum:
        met.add(today)
    day = min(met) if met else today
    while day <= today:
        if day in met:
            length += 1
            started = started or day
            longest = max(longest, length)
            if length % every == 0:
                milestones.append(Milestone(day, length))
                freezes = min(cap, freezes + 1)
        elif day < today and length:
            if freezes:
                freezes -= 1
                frozen.append(day)
            else:
                length, started = 0, None
        day += timedelta(days=1)
    return length, longest, started, freezes, tuple(frozen), tuple(milestones)


@pytest.mark.parametrize("seed", range(40))
def test_stretches_give_what_a_day_by_day_walk_gives(seed: int) -> None:
    """On random histories (gaps of every length, some days over and under the minimum,
    freezes on and off, a day in the future) the state equals the day-by-day walk's."""
    import random

    rng = random.Random(seed)
    start, today = date(2024, 1, 1), date(2024, 1, 1) + timedelta(days=rng.randint(0, 400))
    minimum, every, cap = rng.choice((1, 1, 2)), rng.choice((7, 7, 3)), rng.choice((0, 1, 2, 3))
    totals: dict[date, int] = {}
    day, busy = start, rng.random()
    while day <= today + timedelta(days=3):
        if rng.random() < busy:
            totals[day] = rng.choice((0, 1, 1, 2, 3))
        if rng.random() < 0.05:
            busy = rng.random()
        day += timedelta(days=1)
    state = compute_streaks(
        totals,
        today=today,
        daily_minimum=minimum,
        freezes_enabled=cap > 0,
        max_freezes=cap,
        milestone_every=every,
    )
    got = (
        state.current,
        state.longest,
        state.started,
        state.freezes,
        state.frozen_days,
        state.milestones,
    )
    assert got == walked_day_by_day(totals, today, minimum, cap, every)
