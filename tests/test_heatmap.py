"""Tests for the contribution heatmap: levels, layout, terminal view, JSON, SVG and HTML."""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from preppath.progress.heatmap import (
    GLYPHS,
    MONTH_ABBR,
    TERMINAL_COLOURS,
    Calendar,
    build_calendar,
    compute_levels,
    render_terminal,
    to_json,
    weekday_row,
)
from preppath.progress.heatmap_export import PALETTE, export, render_html, render_svg

SNAPSHOTS = Path(__file__).parent / "snapshots"
SVG = "{http://www.w3.org/2000/svg}"
END = date(2026, 11, 25)  # a Wednesday


def days_from(start: date, counts: list[int]) -> dict[date, int]:
    return {start + timedelta(days=i): n for i, n in enumerate(counts)}


def sample_counts(end: date = END, days: int = 400, seed: int = 2026) -> dict[date, int]:
    """Fixed, realistic-looking data: about half the days idle, occasional big days."""
    rng = random.Random(seed)  # Random.random() is stable across Python versions
    counts: dict[date, int] = {}
    for i in range(days):
        roll = rng.random()
        counts[end - timedelta(days=i)] = 0 if roll < 0.45 else int(rng.random() * 6) + 1
        if roll > 0.97:
            counts[end - timedelta(days=i)] = 12 + int(rng.random() * 8)
    return counts


def assert_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("PREPPATH_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"missing {path}: create it with PREPPATH_UPDATE_SNAPSHOTS=1 pytest"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} changed; if intended, rerun with PREPPATH_UPDATE_SNAPSHOTS=1"
    )


# --- levels -------------------------------------------------------------------------------------


def test_levels_follow_quartiles_of_active_days() -> None:
    """Counts 1..8 split into levels 1-4 by their quartiles; zero days stay level 0."""
    counts = days_from(date(2026, 1, 1), [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0])
    levels = list(compute_levels(counts).values())
    assert levels == [1, 1, 2, 2, 3, 3, 4, 4, 0, 0, 0, 0, 0, 0]


def test_zero_days_do_not_drag_quartiles_down() -> None:
    """Adding idle days to the window changes no active day's level."""
    active = days_from(date(2026, 1, 1), [1, 2, 3, 4])
    with_idle = active | days_from(date(2026, 2, 1), [0] * 300)
    levels = compute_levels(with_idle)
    assert [levels[d] for d in active] == list(compute_levels(active).values())


def test_record_day_lightens_other_days() -> None:
    """A new record raises the quartiles, so yesterday's darkest day gets lighter."""
    before = days_from(date(2026, 1, 1), [2, 3, 4, 5])
    after = before | {date(2026, 1, 5): 100}
    assert compute_levels(before)[date(2026, 1, 4)] == 4
    assert compute_levels(after)[date(2026, 1, 4)] == 3
    assert compute_levels(after)[date(2026, 1, 5)] == 4


def test_single_active_day_is_darkest() -> None:
    """One active day is the record, so it is level 4 and every other day is 0."""
    counts = days_from(date(2026, 1, 1), [0, 0, 3, 0])
    assert list(compute_levels(counts).values()) == [0, 0, 4, 0]


def test_equal_counts_are_all_darkest() -> None:
    """With nothing to rank, every active day is the record: level 4."""
    counts = days_from(date(2026, 1, 1), [2, 0, 2, 2])
    assert list(compute_levels(counts).values()) == [4, 0, 4, 4]


def test_tied_records_keep_the_darkest_shade() -> None:
    """Ties at the top (5, 5, 5, 1) still show level 4 rather than collapsing to 2."""
    counts = days_from(date(2026, 1, 1), [5, 5, 5, 1])
    assert list(compute_levels(counts).values()) == [4, 4, 4, 1]


def test_zero_activity_is_all_level_zero() -> None:
    """No activity at all gives level 0 everywhere, and no thresholds."""
    counts = days_from(date(2026, 1, 1), [0] * 10)
    assert set(compute_levels(counts).values()) == {0}
    assert compute_levels({}) == {}
    assert build_calendar(counts, end=date(2026, 1, 10)).thresholds is None


def test_negative_count_is_rejected() -> None:
    """A negative count is a bug upstream, not something to shade."""
    with pytest.raises(ValueError, match="negative"):
        compute_levels({date(2026, 1, 1): -1})


# --- layout -------------------------------------------------------------------------------------


def assert_columns_start_sunday(calendar: Calendar) -> None:
    for column in calendar.columns:
        assert len(column) == 7
        for row, day in enumerate(column):
            if day is not None:
                assert weekday_row(day.date) == row
        sunday = next(d for d in column if d is not None).date
        sunday -= timedelta(days=weekday_row(sunday))
        assert sunday.weekday() == 6  # Monday is 0 in Python, so Sunday is 6
        for row, day in enumerate(column):
            if day is not None:
                assert day.date == sunday + timedelta(days=row)


def test_last_year_has_53_sunday_first_columns() -> None:
    """The rolling window is 365 days in 53 week columns, each Sunday to Saturday."""
    calendar = build_calendar(sample_counts(), end=END)
    assert len(calendar.columns) == 53
    assert len(calendar.days) == 365
    assert calendar.start == date(2025, 11, 26)
    assert calendar.end == END
    assert_columns_start_sunday(calendar)
    # Partial first and last weeks, as on GitHub: nothing before start or after end.
    assert calendar.columns[0][: weekday_row(calendar.start)] == (None,) * 3
    assert calendar.columns[-1][weekday_row(END) + 1 :] == (None,) * 3


@pytest.mark.parametrize(
    ("year", "n_columns", "n_days"),
    [(2026, 53, 365), (2024, 53, 366), (2028, 54, 366), (2023, 53, 365)],
)
def test_year_mode_covers_january_to_december(year: int, n_columns: int, n_days: int) -> None:
    """year= gives 1 Jan..31 Dec; a leap year starting on Saturday needs 54 columns."""
    calendar = build_calendar({}, year=year)
    assert (calendar.start, calendar.end) == (date(year, 1, 1), date(year, 12, 31))
    assert len(calendar.days) == n_days
    assert len(calendar.columns) == n_columns
    assert calendar.period == f"in {year}"
    assert_columns_start_sunday(calendar)


def test_year_mode_labels_every_month_once() -> None:
    """Month labels sit over the first column that starts in that month."""
    calendar = build_calendar({}, year=2026)
    labels = [m.label for m in calendar.month_labels]
    assert labels == list(MONTH_ABBR)
    columns = [m.column for m in calendar.month_labels]
    assert columns[0] == 0
    for month, column in enumerate(columns[1:], start=2):
        sunday = calendar.columns[column][0]
        assert sunday is not None and sunday.date.month == month and sunday.date.day <= 7


def test_counts_outside_window_are_ignored() -> None:
    """A record day before the window neither counts nor lightens the days shown."""
    counts = sample_counts()
    outside = counts | {date(2025, 1, 1): 10_000}
    inside = build_calendar(counts, end=END)
    assert build_calendar(outside, end=END) == inside


def test_totals_and_best_day() -> None:
    """Totals, active days and the earliest record day come from the window only."""
    counts = days_from(date(2026, 11, 20), [0, 3, 7, 0, 7, 1])
    calendar = build_calendar(counts, end=date(2026, 11, 25), weeks=2)
    assert calendar.total == 18
    assert calendar.active_days == 4
    assert calendar.max_day is not None and calendar.max_day.date == date(2026, 11, 22)
    assert calendar.start == date(2026, 11, 15)  # the Sunday a week before end's week
    assert calendar.period == "in the last 2 weeks"


def test_needs_exactly_one_of_end_or_year() -> None:
    """Asking for both windows, or neither, is a programming error."""
    with pytest.raises(ValueError, match="exactly one"):
        build_calendar({}, end=END, year=2026)
    with pytest.raises(ValueError, match="exactly one"):
        build_calendar({})


# --- terminal -----------------------------------------------------------------------------------


def test_terminal_heatmap_snapshot() -> None:
    """The colourless terminal heatmap for fixed data matches the stored snapshot."""
    text = render_terminal(build_calendar(sample_counts(), end=END), color=False)
    assert_snapshot("heatmap_last_year.txt", str(text) + "\n")


def test_terminal_heatmap_narrow_snapshot() -> None:
    """At 80 columns the cells shrink to one character and the grid fits."""
    text = str(render_terminal(build_calendar(sample_counts(), end=END), color=False, width=80))
    assert max(len(line) for line in text.splitlines()) <= 80
    assert_snapshot("heatmap_narrow.txt", text + "\n")


def test_terminal_heatmap_year_snapshot() -> None:
    """Year mode with sparse activity (one active day) matches the stored snapshot."""
    calendar = build_calendar({date(2024, 2, 29): 4}, year=2024, unit="session")
    assert_snapshot("heatmap_year_2024.txt", str(render_terminal(calendar, color=False)) + "\n")


def test_terminal_levels_differ_by_glyph_without_colour() -> None:
    """Without colour each level is still told apart by its glyph, and no ANSI codes appear."""
    counts = days_from(date(2026, 11, 15), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    calendar = build_calendar(counts, end=date(2026, 11, 25), weeks=3)
    text = render_terminal(calendar, color=False)
    assert not text.spans
    grid = "".join(str(text).splitlines()[2:9])
    assert all(glyph in grid for glyph in GLYPHS)
    out = io.StringIO()
    Console(file=out, no_color=True, width=200).print(text)
    assert "\x1b" not in out.getvalue()
    assert out.getvalue().rstrip("\n") == str(text)


def test_terminal_colour_uses_greens_on_the_same_glyphs() -> None:
    """With colour the text is identical and each glyph is painted with its level's green."""
    calendar = build_calendar(sample_counts(), end=END)
    plain = render_terminal(calendar, color=False)
    coloured = render_terminal(calendar, color=True)
    assert str(coloured) == str(plain)
    for span in coloured.spans:
        glyph = str(coloured)[span.start : span.end]
        assert span.style == TERMINAL_COLOURS[GLYPHS.index(glyph)]
    assert {str(s.style) for s in coloured.spans} == set(TERMINAL_COLOURS)


def test_terminal_has_labels_legend_and_totals() -> None:
    """Weekday and month labels, the Less/More legend and the totals line are all present."""
    calendar = build_calendar(sample_counts(), end=END)
    lines = str(render_terminal(calendar, color=False)).splitlines()
    assert lines[0].startswith(f"{calendar.total:,} answers in the last year, ")
    assert f"{calendar.active_days} active days" in lines[0]
    assert "Jan" in lines[1] and "Nov" in lines[1]
    assert [line[:3] for line in lines[2:9]] == ["   ", "Mon", "   ", "Wed", "   ", "Fri", "   "]
    assert lines[-1].endswith("Less · ░ ▒ ▓ █ More")
    assert all(line == line.rstrip() for line in lines)


# --- JSON ---------------------------------------------------------------------------------------


def test_json_lists_every_day_with_thresholds() -> None:
    """to_json gives one {date, count, level} per day plus totals and the thresholds used."""
    calendar = build_calendar(sample_counts(), end=END)
    data = to_json(calendar)
    json.dumps(data)  # must be serialisable as is
    days = data["days"]
    assert isinstance(days, list) and len(days) == 365
    assert days[0] == {
        "date": "2025-11-26",
        "count": calendar.days[0].count,
        "level": calendar.days[0].level,
    }
    assert data["total"] == sum(d["count"] for d in days)
    assert data["active_days"] == calendar.active_days
    thresholds = data["thresholds"]
    assert isinstance(thresholds, dict)
    assert thresholds["q1"] <= thresholds["q2"] <= thresholds["q3"] <= thresholds["max"]


# --- SVG and HTML -------------------------------------------------------------------------------


def test_svg_has_one_rect_per_day_with_data_attributes(tmp_path: Path) -> None:
    """The SVG parses as XML and has a titled rect per day carrying date, count and level."""
    calendar = build_calendar(sample_counts(), end=END)
    path = export(calendar, tmp_path / "heatmap.svg")
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    rects = [r for r in root.iter(f"{SVG}rect") if "data-date" in r.attrib]
    assert len(rects) == 365
    for rect, day in zip(rects, calendar.days, strict=True):
        assert rect.get("data-date") == day.date.isoformat()
        assert rect.get("data-count") == str(day.count)
        assert rect.get("data-level") == str(day.level)
        assert rect.get("fill") == PALETTE[day.level]
        assert (rect.get("width"), rect.get("height")) == ("10", "10")
        title = rect.find(f"{SVG}title")
        assert title is not None and title.text and day.date.strftime("%Y") in title.text
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"Mon", "Wed", "Fri", "Less", "More", "Jan"} <= set(texts)
    assert len([r for r in root.iter(f"{SVG}rect") if "data-legend-level" in r.attrib]) == 5


def test_svg_tooltips_read_naturally() -> None:
    """Tooltips say '1 answer on …' and 'No answers on …' with an English date."""
    calendar = build_calendar({date(2026, 3, 3): 1}, end=date(2026, 3, 4), weeks=2)
    titles = [t.text for t in ET.fromstring(render_svg(calendar)).iter(f"{SVG}title")]
    assert "1 answer on Tuesday, 3 Mar 2026" in titles
    assert "No answers on Wednesday, 4 Mar 2026" in titles


def test_html_is_self_contained() -> None:
    """The page embeds the SVG, escapes its title and loads nothing from outside."""
    calendar = build_calendar(sample_counts(), end=END)
    page = render_html(calendar, title="Ada's <practice>")
    assert "<h1>Ada&#x27;s &lt;practice&gt;</h1>" in page
    assert page.count('class="day"') == 365
    without_ns = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for external in ("http:", "https:", "src=", "href=", "@import", "url("):
        assert external not in without_ns


def test_export_rejects_unknown_suffix(tmp_path: Path) -> None:
    """An unsupported suffix raises a one-line ValueError naming the formats; nothing is written."""
    calendar = build_calendar({}, end=END)
    with pytest.raises(ValueError, match=r"cannot export a heatmap as \.png .*use \.svg or \.html"):
        export(calendar, tmp_path / "heatmap.png")
    with pytest.raises(ValueError, match="without a suffix"):
        export(calendar, tmp_path / "heatmap")
    assert list(tmp_path.iterdir()) == []
    assert export(calendar, tmp_path / "UPPER.SVG").read_text(encoding="utf-8").startswith("<?xml")


class _DomProbe(HTMLParser):
    """Counts day cells and reads the script-written summary in a dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.dates: list[str] = []
        self.insights = ""
        self._in_insights = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "rect" and attributes.get("data-date"):
            self.dates.append(str(attributes["data-date"]))
        self._in_insights = self._in_insights or attributes.get("id") == "insights"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_insights = False

    def handle_data(self, data: str) -> None:
        if self._in_insights:
            self.insights += data


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "Chromium is not installed (Debian: apt-get install chromium)"


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_html_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    """Chromium's DOM holds 365 day cells and the summary the inline script computed from them."""
    assert CHROMIUM is not None
    calendar = build_calendar(sample_counts(), end=END)
    page = export(calendar, tmp_path / "heatmap.html")
    # The static file leaves the summary empty, so text found there proves the script ran.
    assert '<p id="insights" aria-live="polite"></p>' in page.read_text(encoding="utf-8")
    command = [
        CHROMIUM,
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"),
        *("--disable-background-networking", "--disable-component-update", "--disable-sync"),
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    probe = _DomProbe()
    probe.feed(done.stdout)
    assert probe.dates == [d.date.isoformat() for d in calendar.days]
    assert probe.insights == expected_insights(calendar)


def expected_insights(calendar: Calendar) -> str:
    by_row = [0] * 7
    for day in calendar.days:
        by_row[weekday_row(day.date)] += day.count
    best = by_row.index(max(by_row))
    names = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
    return (
        f"{calendar.total:,} answers on {calendar.active_days:,} of {len(calendar.days)} days; "
        f"busiest weekday: {names[best]} ({by_row[best]:,})."
    )
