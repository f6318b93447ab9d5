"""GitHub-style contribution calendar: intensity levels, layout, terminal view and JSON.

Everything here works on calendar dates that the caller has already converted to the profile's
local time zone, so there is no time-of-day or DST arithmetic in this module.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text


#: One glyph per level (0 = no activity). Levels differ by shape as well as colour, so the
#: heatmap stays readable with NO_COLOR, in pipes and for colour-blind readers.
GLYPHS = ("·", "░", "▒", "▓", "█")

#: Terminal colours: GitHub's dark-theme greens. Most terminals have a dark background, where
#: this palette gets brighter with the level, matching the glyphs getting denser.
TERMINAL_COLOURS = ("#484f58", "#0e4429", "#006d32", "#26a641", "#39d353")

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Row labels, Sunday first; GitHub labels only every other row so the column stays narrow.
WEEKDAY_ROW_LABELS = ("", "Mon", "", "Wed", "", "Fri", "")

_GUTTER = 4  # width of the weekday label column in the terminal view ("Wed ")
_LABEL_WIDTH = 3  # every month abbreviation is three characters


@dataclass(frozen=True)
class Thresholds:
    """Quartile cut-offs of the active days' counts, and the record count.

    `level(count)` is 0 for no activity, otherwise 1 + the number of quartiles the count is
    strictly above, except that the record count is always 4.
    """

    q1: float
    q2: float
    q3: float
    maximum: int

    def level(self, count: int) -> int:
        if count <= 0:
            return 0
        # Forcing the record to 4 keeps the darkest shade in use when the top counts tie
        # (e.g. 5, 5, 5, 1, whose upper quartiles all equal 5).
        if count >= self.maximum:
            return 4
        return 1 + sum(count > q for q in (self.q1, self.q2, self.q3))


def thresholds_for(counts: Mapping[date, int]) -> Thresholds | None:
    """Quartiles (inclusive method, i.e. linear interpolation) of the active days' counts.

    Returns None when no day is active. One active day gives q1 = q2 = q3 = its count.
    """
    _check_counts(counts)
    active = sorted(c for c in counts.values() if c > 0)
    if not active:
        return None
    if len(active) == 1:
        # statistics.quantiles needs two points on Python 3.11; one point is its own quartiles.
        only = float(active[0])
        return Thresholds(only, only, only, active[0])
    q1, q2, q3 = statistics.quantiles(active, n=4, method="inclusive")
    return Thresholds(q1, q2, q3, active[-1])


def compute_levels(counts: Mapping[date, int]) -> dict[date, int]:
    """Map each day to an intensity level 0-4, the way GitHub shades its contribution calendar.

    - Level 0: no activity (count 0).
    - Levels 1-4: relative to the quartiles of the counts of the *active* days in `counts`
      (zero days are left out, otherwise a sparse year would push every active day to 4).
      A count at or below q1 is 1, above q1 is 2, above q2 is 3, above q3 is 4. Because the
      scale is relative, a new record day raises the quartiles and can make other days lighter.
    - The highest count is always level 4, so ties at the top still show the darkest shade.
    - Edge cases: a single active day is the record, so it is level 4; when every active day has
      the same count there is nothing to rank and each one is the record, so all are level 4.
      With no active day at all, every day is level 0.

    Only the days passed in are considered: pass the window being shown (`build_calendar` does).
    Raises ValueError for a negative count.
    """
    thresholds = thresholds_for(counts)
    if thresholds is None:
        return dict.fromkeys(counts, 0)
    return {day: thresholds.level(count) for day, count in counts.items()}


@dataclass(frozen=True)
class Day:
    """One day of the window: its count and its intensity level (0-4)."""

    date: date
    count: int
    level: int


@dataclass(frozen=True)
class MonthLabel:
    """A month name drawn above `column` (0-based index into `Calendar.columns`)."""

    column: int
    label: str


@dataclass(frozen=True)
class Calendar:
    """A window of days laid out as GitHub does: one column per week, Sunday at the top.

    `columns[c][r]` is the day in week `c` on weekday row `r` (0 = Sunday ... 6 = Saturday), or
    None for the cells before `start` and after `end` in the first and last weeks.
    """

    start: date
    end: date
    period: str  # "in the last year", "in the last 12 weeks", "this week" or "in 2026"
    days: tuple[Day, ...]  # chronological, start..end inclusive
    columns: tuple[tuple[Day | None, ...], ...]
    month_labels: tuple[MonthLabel, ...]
    thresholds: Thresholds | None  # None when no day in the window is active
    total: int
    active_days: int
    max_day: Day | None  # earliest day with the highest count; None when nothing is active
    unit: str = "answer"
    unit_plural: str = "answers"
    breakdown: tuple[tuple[str, int], ...] = ()
    """What the counts are made of, e.g. (("answers", 9), ("interviews_started", 2))."""

    def units(self, n: int) -> str:
        """`n` followed by the unit, singular or plural."""
        return f"{n:,} {self.unit if n == 1 else self.unit_plural}"


def build_calendar(
    counts: Mapping[date, int],
    *,
    end: date | None = None,
    weeks: int | None = None,
    year: int | None = None,
    unit: str = "answer",
    unit_plural: str | None = None,
    breakdown: tuple[tuple[str, int], ...] = (),
) -> Calendar:
    """Lay out `counts` as a contribution calendar; pass exactly one of `end` or `year`.

    With `end` alone, the window is "the last year": the 365 days ending on `end`, in 53 columns
    whose first and last are partial, as on GitHub. With `end` and `weeks`, it is that many whole
    week columns, Sunday to Saturday, the last one being the week of `end` up to `end` itself:
    weeks=1 is this week so far. With `year`, it is 1 January to 31 December (53 or 54 columns).
    Counts outside the window are ignored, including for the quartiles. `breakdown` names what
    the counts are made of, for the totals line.
    """
    start, stop, period = _window(end=end, weeks=weeks, year=year)
    window = {day: counts.get(day, 0) for day in _date_range(start, stop)}
    levels = compute_levels(window)
    days = tuple(Day(d, c, levels[d]) for d, c in window.items())
    columns = _columns(days)
    active = [d for d in days if d.count > 0]
    return Calendar(
        start=start,
        end=stop,
        period=period,
        days=days,
        columns=columns,
        month_labels=_spaced(_month_labels(columns), min_gap=2),
        thresholds=thresholds_for(window),
        total=sum(d.count for d in days),
        active_days=len(active),
        max_day=max(active, key=lambda d: d.count, default=None),
        unit=unit,
        unit_plural=unit_plural if unit_plural is not None else unit + "s",
        breakdown=breakdown,
    )


LAST_YEAR_DAYS = 365


def _window(*, end: date | None, weeks: int | None, year: int | None) -> tuple[date, date, str]:
    if (end is None) == (year is None):
        raise ValueError("build_calendar needs exactly one of end= or year=")
    if year is not None:
        return date(year, 1, 1), date(year, 12, 31), f"in {year}"
    assert end is not None  # narrowed by the check above
    if weeks is None:
        return end - timedelta(days=LAST_YEAR_DAYS - 1), end, "in the last year"
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    this_sunday = end - timedelta(days=weekday_row(end))
    start = this_sunday - timedelta(weeks=weeks - 1)
    return start, end, "this week" if weeks == 1 else f"in the last {weeks} weeks"


def _date_range(start: date, stop: date) -> Iterator[date]:
    # date + timedelta(days=1) is calendar arithmetic: no 23- or 25-hour DST days exist here.
    day = start
    while day <= stop:
        yield day
        day += timedelta(days=1)


def weekday_row(day: date) -> int:
    """Row of `day` in the grid: 0 for Sunday through 6 for Saturday."""
    return (day.weekday() + 1) % 7


def _columns(days: tuple[Day, ...]) -> tuple[tuple[Day | None, ...], ...]:
    first_sunday = days[0].date - timedelta(days=weekday_row(days[0].date))
    n_columns = (days[-1].date - first_sunday).days // 7 + 1
    grid: list[list[Day | None]] = [[None] * 7 for _ in range(n_columns)]
    for day in days:
        grid[(day.date - first_sunday).days // 7][weekday_row(day.date)] = day
    return tuple(tuple(column) for column in grid)


def _first_day(column: tuple[Day | None, ...]) -> Day:
    # Every column holds at least one day of the window by construction.
    return next(day for day in column if day is not None)


def _month_labels(columns: tuple[tuple[Day | None, ...], ...]) -> list[MonthLabel]:
    # A month is labelled over the first column that starts in it, as on GitHub, so the label
    # sits over a week that is (mostly) in that month rather than over a 1st that is a Saturday.
    labels: list[MonthLabel] = []
    previous: tuple[int, int] | None = None
    for index, column in enumerate(columns):
        first = _first_day(column).date
        if (first.year, first.month) != previous:
            labels.append(MonthLabel(index, MONTH_ABBR[first.month - 1]))
            previous = (first.year, first.month)
    return labels


def _spaced(labels: list[MonthLabel], *, min_gap: int) -> tuple[MonthLabel, ...]:
    """Drop labels that would collide with the next one.

    Only the partial month at the window's left edge can be that short, so when two labels
    collide the earlier one goes and the full month keeps its name.
    """
    kept = [
        label
        for label, following in itertools.pairwise(labels)
        if following.column - label.column >= min_gap
    ]
    return tuple(kept + labels[-1:])


def totals_line(calendar: Calendar) -> str:
    """Text like "123 answers in the last year, 45 active days (best day: 9 on 2026-03-04)"."""
    active = calendar.active_days
    days = "day" if active == 1 else "days"
    line = f"{calendar.units(calendar.total)} {calendar.period}, {active:,} active {days}"
    if calendar.max_day is not None:
        line += f" (best day: {calendar.max_day.count:,} on {calendar.max_day.date.isoformat()})"
    return line


_BREAKDOWN_NAMES = {
    "answers": ("answer", "answers"),
    "interviews_started": ("interview started", "interviews started"),
    "interviews_completed": ("interview completed", "interviews completed"),
    "practices": ("practice session", "practice sessions"),
}


def breakdown_line(calendar: Calendar) -> str:
    """ "Counted: 9 answers, 2 interviews started" ("" when there is nothing to break down), so
    a total that differs from `stats`' answers says why."""
    parts = []
    for key, n in calendar.breakdown:
        if n:
            one, many = _BREAKDOWN_NAMES.get(key, (key.replace("_", " "),) * 2)
            parts.append(f"{n:,} {one if n == 1 else many}")
    return "Counted: " + ", ".join(parts) if parts else ""


def render_terminal(calendar: Calendar, *, color: bool, width: int | None = None) -> Text:
    """The calendar as GitHub draws it, for the terminal: totals, months, grid, legend.

    Each level has its own glyph (`GLYPHS`), so the output is readable without colour; with
    `color=True` the glyphs are also painted in GitHub greens. Cells are two characters wide
    (glyph and space) unless `width` is given and that layout would not fit in it, in which case
    cells shrink to one character (a 53-week year then needs 57 columns instead of 109).
    Pass `width=console.width`: rich wraps lines wider than the console, which would scramble
    the grid. Lines carry no trailing spaces. `str(result)` is the plain text.
    """
    cell = 2 if width is None or _grid_width(calendar, 2) <= width else 1
    from rich.text import Text  # here: `heatmap --json` and the exports need no rich

    text = Text()
    text.append(totals_line(calendar) + "\n")
    if breakdown_line(calendar):
        text.append(breakdown_line(calendar) + "\n")
    text.append(_month_row(calendar, cell).rstrip() + "\n")
    for row in range(7):
        _append_row(text, calendar, row, cell, color)
    legend_width = len("Less ") + 2 * len(GLYPHS) - 1 + len(" More")
    text.append(" " * max(0, _grid_width(calendar, cell) - legend_width) + "Less ")
    for level, glyph in enumerate(GLYPHS):
        text.append(glyph, style=_style(level, color))
        text.append(" ")
    text.append("More")
    return text


def _grid_width(calendar: Calendar, cell: int) -> int:
    return _GUTTER + cell * len(calendar.columns) - (cell - 1)


def _month_row(calendar: Calendar, cell: int) -> str:
    # One-character cells give a month only four columns, so the left-edge label needs more room.
    labels = _spaced(list(calendar.month_labels), min_gap=-(-(_LABEL_WIDTH + 1) // cell))
    line = [" "] * _grid_width(calendar, cell)
    for label in labels:
        at = _GUTTER + label.column * cell
        line[at : at + _LABEL_WIDTH] = label.label
    return "".join(line)


def _append_row(text: Text, calendar: Calendar, row: int, cell: int, color: bool) -> None:
    cells = [column[row] for column in calendar.columns]
    while cells and cells[-1] is None:  # the last week may end before Saturday
        cells.pop()
    text.append(f"{WEEKDAY_ROW_LABELS[row]:<{_GUTTER}}" if cells else WEEKDAY_ROW_LABELS[row])
    for index, day in enumerate(cells):
        if index and cell == 2:
            text.append(" ")
        if day is None:
            text.append(" ")
        else:
            text.append(GLYPHS[day.level], style=_style(day.level, color))
    text.append("\n")


def _style(level: int, color: bool) -> str:
    return TERMINAL_COLOURS[level] if color else ""


def to_json(calendar: Calendar) -> dict[str, object]:
    """A JSON-ready dict: window, totals, the thresholds used and one entry per day."""
    t = calendar.thresholds
    best = calendar.max_day
    return {
        "start": calendar.start.isoformat(),
        "end": calendar.end.isoformat(),
        "period": calendar.period,
        "unit": calendar.unit_plural,
        "total": calendar.total,
        "counted": dict(calendar.breakdown),
        "active_days": calendar.active_days,
        "max_day": None if best is None else {"date": best.date.isoformat(), "count": best.count},
        "thresholds": None
        if t is None
        else {
            "method": "quartiles of active days (inclusive); record count is level 4",
            "q1": t.q1,
            "q2": t.q2,
            "q3": t.q3,
            "max": t.maximum,
        },
        "days": [
            {"date": d.date.isoformat(), "count": d.count, "level": d.level} for d in calendar.days
        ],
    }


def _check_counts(counts: Mapping[date, int]) -> None:
    negative = [day for day, count in counts.items() if count < 0]
    if negative:
        raise ValueError(f"activity counts cannot be negative (first: {min(negative)})")
