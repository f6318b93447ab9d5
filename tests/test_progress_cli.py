"""Progress end to end: `activity track`, `streak`, `heatmap`, `stats` and the retake queue,
through the real CLI entry point or the services on a controllable clock, checked against the
rows they leave in the SQLite database. (The pure streak and heatmap modules have their own
tests in test_streaks.py and test_heatmap.py.)"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import START, Clock, answer_scored, cli_create, db_rows, service_interview
from preppath.domain import ActivityType, InterviewType
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext, open_app
from preppath.services.progress import heatmap, streak, track_activity
from preppath.services.retakes import create_review_interview
from preppath.services.views import AnswerResult, InterviewView
from preppath.settings import load_settings
from preppath.values import Evaluation

NEW_YORK = ZoneInfo("America/New_York")
# Each test starts from a copy of a freshly migrated database (see conftest.fresh_database).
pytestmark = pytest.mark.usefixtures("fresh_database")
SVG = "{http://www.w3.org/2000/svg}"

COBOL_PACK = """\
[pack]
name = "cobol"
{questions}
"""
COBOL_QUESTION = """
[[question]]
id = "{id}"
type = "technical"
difficulty = "easy"
levels = ["junior", "mid", "senior"]
stack = ["cobol"]
tags = {tags}
text = "COBOL question {id}: explain it."
expected_answer = "An explanation of {id}."

[[question.key_points]]
point = "Names {id}"
phrasings = ["{id}"]

[[question.key_points]]
point = "Gives an example"
phrasings = ["for example"]

[[question.key_points]]
point = "Names a pitfall"
phrasings = ["pitfall"]
"""


# --- helpers ------------------------------------------------------------------------------------


def evaluation(
    overall: int, parts: tuple[float, float, float] | None = None, **extra: Any
) -> Evaluation:
    correctness, completeness, clarity = parts or (overall / 10,) * 3
    return Evaluation(
        correctness, completeness, clarity, overall, ["a strength"], ["an improvement"], **extra
    )


def new_interview(ctx: AppContext, **options: Any) -> InterviewView:
    return service_interview(ctx, **{"seed": 3, **options})


def answer(
    ctx: AppContext,
    view: InterviewView,
    position: int,
    overall: int,
    text: str | None = None,
    **extra: Any,
) -> AnswerResult:
    return answer_scored(  # type: ignore[no-any-return]
        ctx,
        view.id,
        position,
        text or f"Answer to question {position}.",
        evaluation(overall, **extra),
    )


def utc_today() -> date:
    return datetime.now(UTC).date()


def noon(day: date) -> str:
    return f"{day.isoformat()}T12:00:00"


def track(run: Any, *args: str) -> dict[str, Any]:
    result = run("activity", "track", "practice", *args, "--json")
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def heatmap_json(run: Any, *args: str) -> dict[str, Any]:
    result = run("heatmap", *args, "--json")
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def one_line_error(result: Any) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]  # type: ignore[no-any-return]


# --- activity track -----------------------------------------------------------------------------


def test_track_practice_writes_activity_and_daily_activity(run: Any, home: Path) -> None:
    """`activity track practice --at` writes an Activity row and upserts its DailyActivity."""
    first = track(run, "--at", "2026-11-20T12:00:00", "--note", "mock interview with a friend")
    assert (first["type"], first["points"], first["day"], first["milestone"]) == (
        "practice",
        10,
        "2026-11-20",
        None,
    )
    assert db_rows(
        home, "SELECT type, points, occurred_at, local_day, local_hour, note FROM activity"
    ) == [
        (
            "practice",
            10,
            "2026-11-20 12:00:00.000000",
            "2026-11-20",
            12,
            "mock interview with a friend",
        )
    ]
    columns = "day, count, points, answers, practices, interviews_completed"
    assert db_rows(home, f"SELECT {columns} FROM daily_activity") == [
        ("2026-11-20", 1, 10, 0, 1, 0)
    ]
    text = run("activity", "track", "practice", "--at", "2026-11-20T18:30:00")
    assert text.code == 0
    assert "Logged practice on 2026-11-20 (+10 points)" in text.stdout
    assert db_rows(home, "SELECT COUNT(*) FROM activity") == [(2,)]
    assert db_rows(home, f"SELECT {columns} FROM daily_activity") == [
        ("2026-11-20", 2, 20, 0, 2, 0)
    ]


def test_track_days_follow_the_configured_zone_across_dst(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each event counts for its local date in the profile's zone, on both DST change days."""
    monkeypatch.setenv("PREPPATH_TIMEZONE", "America/New_York")
    # (instant, local date, local hour) in New York; DST starts 2026-03-08 07:00Z and ends
    # 2026-11-01 06:00Z (01:00-02:00 local happens twice).
    cases = [
        ("2026-03-08T04:30:00Z", "2026-03-07", 23),  # EST, the evening before
        ("2026-03-08T06:30:00Z", "2026-03-08", 1),  # EST, half an hour before the jump
        ("2026-03-08T07:30:00Z", "2026-03-08", 3),  # EDT
        ("2026-03-09T03:30:00Z", "2026-03-08", 23),  # late on the 23-hour day
        ("2026-11-01T03:30:00Z", "2026-10-31", 23),  # EDT
        ("2026-11-01T04:30:00Z", "2026-11-01", 0),
        ("2026-11-01T05:30:00Z", "2026-11-01", 1),  # the first 01:30 (EDT)
        ("2026-11-01T06:30:00Z", "2026-11-01", 1),  # the second 01:30 (EST)
        ("2026-11-02T04:30:00Z", "2026-11-01", 23),  # late on the 25-hour day
        ("2026-11-02T05:30:00Z", "2026-11-02", 0),
    ]
    for instant, day, _hour in cases:
        assert track(run, "--at", instant)["day"] == day, instant
    stored = db_rows(home, "SELECT local_day, local_hour FROM activity ORDER BY id")
    assert stored == [(day, hour) for _, day, hour in cases]
    assert dict(db_rows(home, "SELECT day, count FROM daily_activity")) == {
        "2026-03-07": 1,
        "2026-03-08": 3,
        "2026-10-31": 1,
        "2026-11-01": 4,
        "2026-11-02": 1,
    }


def test_track_at_without_a_zone_is_local_wall_clock_time(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--at` without an offset is wall-clock time in the profile's zone, stored as UTC."""
    monkeypatch.setenv("PREPPATH_TIMEZONE", "America/New_York")
    assert track(run, "--at", "2026-07-04T23:30:00")["day"] == "2026-07-04"
    assert db_rows(home, "SELECT occurred_at, local_day, local_hour FROM activity") == [
        ("2026-07-05 03:30:00.000000", "2026-07-04", 23)
    ]


def test_track_in_the_future_is_a_usage_error(
    run: Any, home: Path, app: AppContext, clock: Clock
) -> None:
    """`--at` in the future exits 2 with one line and records nothing."""
    result = run("activity", "track", "practice", "--at", "2099-01-01T00:00:00")
    assert result.code == ExitCode.USAGE == 2
    assert "future" in one_line_error(result)
    with pytest.raises(PrepPathError) as err:
        track_activity(app, ActivityType.PRACTICE, at=clock.now + timedelta(hours=1))
    assert err.value.code == ExitCode.USAGE
    assert db_rows(home, "SELECT COUNT(*) FROM activity") == [(0,)]
    assert db_rows(home, "SELECT COUNT(*) FROM daily_activity") == [(0,)]


# --- streaks ------------------------------------------------------------------------------------


def test_streak_json_reports_current_longest_and_freezes(run: Any) -> None:
    """`streak --json` has current, longest and freezes (and today's need) from tracked days."""
    empty = run("streak", "--json")
    assert empty.code == 0
    assert {k: empty.json()[k] for k in ("current", "longest", "freezes", "today_met")} == {
        "current": 0,
        "longest": 0,
        "freezes": 0,
        "today_met": False,
    }
    assert empty.json()["today_needs"] == 1
    today = utc_today()
    for back in (12, 11, 10, 2, 1):  # a 3-day run long ago, then 2 days up to yesterday
        track(run, "--at", noon(today - timedelta(days=back)))
    before = run("streak", "--json").json()
    assert (before["current"], before["longest"], before["freezes"]) == (2, 3, 0)
    assert before["today_met"] is False
    track(run)  # now
    after = run("streak", "--json").json()
    assert (after["current"], after["longest"], after["freezes"]) == (3, 3, 0)
    assert after["today_met"] is True and after["today_needs"] == 0
    assert "Current streak: 3 days" in run("streak").stdout


def test_milestone_fires_on_the_seventh_day_once(app: AppContext, clock: Clock) -> None:
    """The 7-day notice comes with the first event of day 7 only; day 14 brings the next."""
    for _ in range(6):
        assert track_activity(app, ActivityType.PRACTICE).milestone is None
        clock.advance(days=1)
    assert track_activity(app, ActivityType.PRACTICE).milestone == 7
    clock.advance(minutes=5)
    assert track_activity(app, ActivityType.PRACTICE).milestone is None
    view = new_interview(app)
    assert answer(app, view, 1, 70).milestone is None
    for _ in range(6):
        clock.advance(days=1)
        assert track_activity(app, ActivityType.PRACTICE).milestone is None
    clock.advance(days=1)
    view = new_interview(app)
    assert answer(app, view, 1, 70).milestone == 14  # through an answer this time
    assert track_activity(app, ActivityType.PRACTICE).milestone is None


def test_milestone_waits_for_the_daily_minimum(
    home: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a daily minimum of 2 the notice comes with the event that makes day 7 count."""
    monkeypatch.setenv("PREPPATH_DAILY_MINIMUM", "2")
    app = open_app(load_settings(), clock=clock)
    for _ in range(6):
        track_activity(app, ActivityType.PRACTICE)
        track_activity(app, ActivityType.PRACTICE)
        clock.advance(days=1)
    assert track_activity(app, ActivityType.PRACTICE).milestone is None
    assert streak(app).today_needs == 1
    assert track_activity(app, ActivityType.PRACTICE).milestone == 7
    assert track_activity(app, ActivityType.PRACTICE).milestone is None
    app.engine.dispose()


def test_freezes_are_earned_capped_and_spent_on_missed_days(app: AppContext, clock: Clock) -> None:
    """One freeze per 7 days (at most 2) covers a missed day; a gap beyond them breaks it."""
    first = clock.now.date()
    for _ in range(7):
        track_activity(app, ActivityType.PRACTICE)
        clock.advance(days=1)
    state = streak(app)  # day 8, nothing yet: at risk but not broken
    assert (state.current, state.freezes, state.today_met) == (7, 1, False)
    clock.advance(days=1)  # day 8 missed
    state = streak(app)
    assert (state.current, state.freezes) == (7, 0)
    assert state.frozen_days == (first + timedelta(days=7),)
    track_activity(app, ActivityType.PRACTICE)
    state = streak(app)
    assert (state.current, state.longest, state.freezes) == (8, 8, 0)
    for _ in range(20):  # days 10-29: 28 days of practice make milestones 14, 21 and 28
        clock.advance(days=1)
        track_activity(app, ActivityType.PRACTICE)
    state = streak(app)
    assert (state.current, state.freezes) == (28, 2)  # three earned since, capped at 2
    clock.advance(days=3)  # days 30 and 31 missed, both covered
    track_activity(app, ActivityType.PRACTICE)
    state = streak(app)
    assert (state.current, state.longest, state.freezes) == (29, 29, 0)
    clock.advance(days=2)  # one missed day, no freeze left
    track_activity(app, ActivityType.PRACTICE)
    state = streak(app)
    assert (state.current, state.longest, state.freezes) == (1, 29, 0)


def test_freezes_can_be_turned_off(
    home: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With streak_freezes off, 7 days earn nothing and one missed day breaks the streak."""
    monkeypatch.setenv("PREPPATH_STREAK_FREEZES", "false")
    app = open_app(load_settings(), clock=clock)
    for _ in range(7):
        track_activity(app, ActivityType.PRACTICE)
        clock.advance(days=1)
    assert streak(app).freezes == 0
    clock.advance(days=1)
    track_activity(app, ActivityType.PRACTICE)
    state = streak(app)
    assert (state.current, state.longest, state.frozen_days) == (1, 7, ())
    app.engine.dispose()


@pytest.mark.parametrize("first_day", [date(2026, 3, 5), date(2026, 10, 29)])
def test_streak_counts_local_days_across_dst(
    home: Path, monkeypatch: pytest.MonkeyPatch, first_day: date
) -> None:
    """Practice every local evening through a DST change is an unbroken run of local days."""
    monkeypatch.setenv("PREPPATH_TIMEZONE", "America/New_York")
    clock = Clock(START)
    app = open_app(load_settings(), clock=clock)
    days = [first_day + timedelta(days=i) for i in range(6)]
    for day in days:  # 23:30 local is 04:30Z in winter time, 03:30Z in summer time
        clock.now = datetime(day.year, day.month, day.day, 23, 30, tzinfo=NEW_YORK)
        assert track_activity(app, ActivityType.PRACTICE).day == day.isoformat()
    state = streak(app)
    assert (state.current, state.longest, state.frozen_days) == (6, 6, ())
    assert state.today == days[-1]
    counts = {d.date: d.count for d in heatmap(app, year=2026).days if d.count}
    assert counts == dict.fromkeys(days, 1)
    app.engine.dispose()


# --- heatmap ------------------------------------------------------------------------------------


def test_heatmap_json_covers_365_days_with_levels(run: Any) -> None:
    """`heatmap --json` lists the 365 days up to today, each with date, count and level 0-4."""
    today = utc_today()
    for _ in range(3):
        track(run, "--at", noon(today - timedelta(days=10)))
    track(run, "--at", noon(today - timedelta(days=5)))
    data = heatmap_json(run)
    days = data["days"]
    assert len(days) == 365
    dates = [date.fromisoformat(d["date"]) for d in days]
    assert dates == [today - timedelta(days=364 - i) for i in range(365)]
    assert all(set(d) >= {"date", "count", "level"} for d in days)
    assert all(d["level"] in range(5) for d in days)
    counts = {d["date"]: (d["count"], d["level"]) for d in days if d["count"]}
    busy, quiet = (today - timedelta(days=10)).isoformat(), (today - timedelta(days=5)).isoformat()
    assert set(counts) == {busy, quiet}
    assert counts[busy] == (3, 4)  # the record day gets the darkest level
    assert counts[quiet][0] == 1 and 1 <= counts[quiet][1] < 4
    assert all(d["level"] == 0 for d in days if d["count"] == 0)
    assert data["total"] == 4 and data["active_days"] == 2


def test_heatmap_weeks_option(run: Any) -> None:
    """`--weeks N` shows N whole Sunday-to-Saturday columns, this week so far included."""
    today = utc_today()
    this_week = (today.weekday() + 1) % 7 + 1  # Sunday up to today
    for weeks in (1, 4, 52):
        data = heatmap_json(run, "--weeks", str(weeks))
        days = [date.fromisoformat(d["date"]) for d in data["days"]]
        assert days[-1] == today
        assert days[0].weekday() == 6, weeks  # every column starts on a Sunday
        assert len(days) == 7 * (weeks - 1) + this_week
        assert days == [days[0] + timedelta(days=i) for i in range(len(days))]
        assert len({d - timedelta(days=(d.weekday() + 1) % 7) for d in days}) == weeks
    assert heatmap_json(run, "--weeks", "1")["period"] == "this week"
    assert heatmap_json(run, "--weeks", "52")["period"] == "in the last 52 weeks"
    for bad in (("--weeks", "0"), ("--weeks", "4", "--year", "2025")):
        result = run("heatmap", *bad, "--json")
        assert result.code == ExitCode.USAGE
        one_line_error(result)


def test_heatmap_says_what_its_total_counts(run: Any) -> None:
    """The heatmap's total lists its parts, so a total above stats' answers explains itself."""
    iv = cli_create(run, count=1)
    assert run("interview", "answer", str(iv["id"]), "1", "--text", "An answer.").code == 0
    track(run)
    data = heatmap_json(run)
    assert data["total"] == 4
    assert data["counted"] == {
        "answers": 1,
        "interviews_started": 1,
        "interviews_completed": 1,
        "practices": 1,
    }
    text = " ".join(run("heatmap").stdout.split())
    expected = "Counted: 1 answer, 1 interview started, 1 interview completed, 1 practice session"
    assert expected in text
    stats = " ".join(run("stats").stdout.split())
    assert "1 answer scored" in stats
    assert "The heatmap counts 4 activities" in stats


def test_heatmap_year_option(run: Any) -> None:
    """`--year 2025` shows 1 January to 31 December 2025 with that year's activity."""
    track(run, "--at", "2025-06-15T12:00:00")
    track(run, "--at", "2024-12-31T12:00:00")  # the year before: not shown
    days = heatmap_json(run, "--year", "2025")["days"]
    assert len(days) == 365
    assert days[0]["date"] == "2025-01-01" and days[-1]["date"] == "2025-12-31"
    assert [(d["date"], d["count"]) for d in days if d["count"]] == [("2025-06-15", 1)]
    leap = heatmap_json(run, "--year", "2024")["days"]
    assert len(leap) == 366
    assert [(d["date"], d["count"]) for d in leap if d["count"]] == [("2024-12-31", 1)]


def test_heatmap_svg_export_has_one_rect_per_day(run: Any, tmp_path: Path) -> None:
    """`heatmap --export x.svg` writes SVG that parses as XML with one day rect per day."""
    today = utc_today()
    track(run, "--at", noon(today - timedelta(days=1)))
    target = tmp_path / "x.svg"
    result = run("heatmap", "--export", str(target))
    assert result.code == 0, result.stderr
    assert "x.svg" in result.stdout
    root = ET.parse(target).getroot()
    assert root.tag == f"{SVG}svg"
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "day"]
    assert len(rects) == 365
    expected = {d["date"]: d for d in heatmap_json(run)["days"]}
    assert {r.get("data-date") for r in rects} == set(expected)
    active = [r for r in rects if r.get("data-count") != "0"]
    assert [(r.get("data-date"), r.get("data-count")) for r in active] == [
        ((today - timedelta(days=1)).isoformat(), "1")
    ]


def test_heatmap_export_to_an_unsupported_format_fails(run: Any, tmp_path: Path) -> None:
    """`heatmap --export x.png` exits 2 with one line and writes nothing."""
    target = tmp_path / "x.png"
    result = run("heatmap", "--export", str(target))
    assert result.code == ExitCode.USAGE == 2
    assert ".png" in one_line_error(result)
    assert not target.exists()


# --- stats --------------------------------------------------------------------------------------


def test_stats_json_totals_averages_and_breakdowns(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """`stats --json` totals, averages, monthly by type/technology, weakest topics, delivery."""
    app.paths.packs_dir.mkdir(parents=True, exist_ok=True)
    questions = "".join(
        COBOL_QUESTION.format(id=qid, tags=tags)
        for qid, tags in (
            ("cobol-a", '["files", "syntax"]'),
            ("cobol-b", '["files"]'),
            ("cobol-c", '["syntax", "records"]'),
        )
    )
    (app.paths.packs_dir / "cobol.toml").write_text(COBOL_PACK.format(questions=questions))
    answered: list[tuple[Any, int]] = []  # (question view, overall)

    tech = new_interview(app, count=3, stack=("cobol",))
    assert sorted(q.bank_id or "" for q in tech.questions) == ["cobol-a", "cobol-b", "cobol-c"]
    scores = {
        "cobol-a": (40, (4.0, 5.0, 6.0)),
        "cobol-b": (80, (8.0, 7.0, 9.0)),
        "cobol-c": (70, (7.0, 7.0, 7.0)),
    }
    for q in tech.questions:
        overall, parts = scores[q.bank_id or ""]
        answer(app, tech, q.id, overall, parts=parts)
        answered.append((q, overall))
    behavioral = new_interview(app, type_=InterviewType.BEHAVIORAL, stack=())
    answer(
        app,
        behavioral,
        1,
        90,
        parts=(9.0, 9.0, 9.0),
        delivery={"wpm": 150, "fillers_per_100_words": 2.5},
    )
    answered.append((behavioral.questions[0], 90))
    track_activity(app, ActivityType.PRACTICE)
    clock.now = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
    later = new_interview(app, stack=("cobol",))
    answer(app, later, 1, 100, parts=(10.0, 10.0, 10.0))
    answered.append((later.questions[0], 100))

    result = run("stats", "--json")
    assert result.code == 0, result.stderr
    stats = result.json()
    assert stats["totals"] == {
        "events": 3 + 5 + 3 + 1,  # started, answered, completed, practice
        "points": 3 * 5 + 5 * 10 + 3 * 50 + 10,
        "answers": 5,
        "practices": 1,
        "interviews_completed": 3,
        "interviews_started": 3,
        "active_days": 2,
        "most_answers_in_a_day": 4,
    }
    assert stats["averages"] == {
        "overall": 76.0,  # (40 + 80 + 70 + 90 + 100) / 5
        "correctness": 7.6,  # (4 + 8 + 7 + 9 + 10) / 5
        "completeness": 7.6,  # (5 + 7 + 7 + 9 + 10) / 5
        "clarity": 8.2,  # (6 + 9 + 7 + 9 + 10) / 5
    }
    technical = [(t["month"], t["answers"], t["average"]) for t in stats["by_type"]["technical"]]
    assert technical == [("2026-01", 3, 63.3), ("2026-02", 1, 100.0)]
    behaviour = stats["by_type"]["behavioral"]
    assert [(t["month"], t["answers"], t["average"]) for t in behaviour] == [("2026-01", 1, 90.0)]
    cobol = [(t["month"], t["answers"], t["average"]) for t in stats["by_technology"]["cobol"]]
    assert cobol == [("2026-01", 3, 63.3), ("2026-02", 1, 100.0)]
    by_stack: dict[str, list[int]] = defaultdict(list)
    by_tag: dict[str, list[int]] = defaultdict(list)
    for q, overall in answered:
        for s in q.stack:
            by_stack[s].append(overall)
        for t in q.tags:
            by_tag[t].append(overall)
    assert set(stats["by_technology"]) == set(by_stack)
    weakest = sorted(
        (
            {"topic": t, "answers": len(v), "average": round(sum(v) / len(v), 1)}
            for t, v in by_tag.items()
            if len(v) >= 2
        ),
        key=lambda w: (w["average"], w["topic"]),
    )[:5]
    assert weakest and stats["weakest_topics"] == weakest
    assert {w["topic"] for w in weakest} >= {"files", "syntax"}  # 2+ answers each
    # Topics answered once are listed apart, lowest first, not dropped: a single 6/100 is
    # worth seeing even though one answer cannot rank a topic.
    assert stats["weakest_min_answers"] == 2
    once = sorted(
        (
            {"topic": t, "answers": 1, "average": float(v[0])}
            for t, v in by_tag.items()
            if len(v) == 1
        ),
        key=lambda w: (w["average"], w["topic"]),
    )[:5]
    assert once and stats["unranked_topics"] == once
    delivery = [(d["month"], d["wpm"], d["fillers_per_100_words"]) for d in stats["delivery"]]
    assert delivery == [("2026-01", 150.0, 2.5)]
    text = run("stats")
    assert text.code == 0
    flat = " ".join(text.stdout.split())
    assert "5 answers scored, 3 interviews completed, 1 practice session," in flat
    assert "The heatmap counts 12 activities" in flat
    lowest = weakest[0]
    assert (
        "Lowest-scoring topics (at least 2 answers each): "
        f"{lowest['topic']} {lowest['average']} ({lowest['answers']} answers)"
    ) in flat
    assert f"Not ranked yet (fewer than 2 answers): {once[0]['topic']} {once[0]['average']}" in flat


def test_stats_draws_the_most_practised_technologies(
    app: AppContext, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stats` draws the N most-practised technologies and says how many it left out; `--all`
    draws every one, and `--json` always lists every one."""
    from preppath.services import progress

    python = new_interview(app, count=2, stack=("python",))
    for q in python.questions:
        answer(app, python, q.id, 70)
    go = new_interview(app, count=1, stack=("go",))
    answer(app, go, 1, 50)
    counts = {
        key: sum(t["answers"] for t in trend)
        for key, trend in run("stats", "--json").json()["by_technology"].items()
    }
    assert counts["python"] > counts["go"] and len(counts) >= 2
    top = max(counts, key=lambda k: (counts[k], k))
    monkeypatch.setattr(progress, "TECHNOLOGY_ROWS", 1)

    capped = run("stats")
    assert capped.code == 0, capped.stderr
    rows = {key for key in counts if f"│ {key} " in capped.stdout}
    assert rows == {top}
    more = len(counts) - 1
    flat = " ".join(capped.stdout.split())
    word = "technology" if more == 1 else "technologies"
    assert f"… and {more} more {word} (preppath stats --all lists every one)" in flat

    every = run("stats", "--all")
    assert every.code == 0, every.stderr
    assert {key for key in counts if f"│ {key} " in every.stdout} == set(counts)
    assert "… and" not in every.stdout


def test_the_drawn_technologies_are_read_from_the_lifetime_totals(app: AppContext) -> None:
    """The terminal's technologies come from the lifetime totals, yet are exactly those (and
    their months) that ranking the full monthly trends picks, ties by name, at every limit."""
    from preppath.services import progress

    for stack, answers in (("python", 2), ("sql", 1), ("go", 1), ("rust", 1)):
        made = new_interview(app, count=answers, stack=(stack,))
        for q in made.questions:
            answer(app, made, q.id, 60)
    full = progress.stats(app)
    assert len(full.by_technology) >= 4
    for limit in (None, 1, 2, 3, len(full.by_technology), len(full.by_technology) + 1):
        picked, left_out = progress.stats_of_most_practised(app, limit)
        assert (picked.by_technology, left_out) == progress.most_practised(
            full.by_technology, limit
        ), limit
        assert picked.by_type == full.by_type and picked.totals == full.totals


def test_the_terminal_reads_recent_months_and_lifetime_totals(
    app: AppContext, clock: Clock
) -> None:
    """Asked for the last months only, each type's and technology's trend is the tail of its
    full trend, and its lifetime answers and average are those of every month together."""
    from preppath.services import progress

    for month, (stack, overall) in enumerate(
        (("python", 40), ("python", 90), ("sql", 70), ("python", 61), ("go", 55)), start=1
    ):
        clock.now = datetime(2026, month, 10, 12, 0, tzinfo=UTC)
        made = new_interview(app, count=1, stack=(stack,))
        answer(app, made, made.questions[0].id, overall)
    full = progress.stats(app)
    recent, left_out = progress.stats_of_most_practised(app, None, recent_months=2)
    assert left_out == 0 and recent.totals == full.totals and recent.averages == full.averages
    for dimension, trends, tails in (
        ("type", full.by_type, recent.by_type),
        ("stack", full.by_technology, recent.by_technology),
    ):
        assert set(tails) == set(trends)
        for key, trend in trends.items():
            assert tails[key] == trend[-2:], key
            answers = sum(t.answers for t in trend)
            assert recent.lifetime[dimension][key].answers == answers
            total = sum(t.average * t.answers for t in trend)
            assert recent.lifetime[dimension][key].average == pytest.approx(
                total / answers, abs=0.05
            )
    assert [t.month for t in full.by_technology["python"]] == ["2026-01", "2026-02", "2026-04"]
    assert recent.lifetime["stack"]["python"].answers == 3
    assert recent.lifetime["stack"]["python"].average == round((40 + 90 + 61) / 3, 1)


def test_stats_on_an_empty_profile(run: Any) -> None:
    """`stats --json` on a fresh profile is all zeros with no averages or breakdowns."""
    stats = run("stats", "--json").json()
    assert stats["totals"]["events"] == 0 and stats["totals"]["answers"] == 0
    assert stats["averages"] == {}
    assert stats["by_type"] == {} and stats["by_technology"] == {}
    assert stats["weakest_topics"] == [] and stats["delivery"] == []


# --- the retake queue ---------------------------------------------------------------------------


def retakes(home: Path) -> list[tuple[Any, ...]]:
    return db_rows(
        home,
        "SELECT question_key, last_score, interval_days, due_day, cleared FROM retake ORDER BY id",
    )


def review_or_none(ctx: AppContext) -> InterviewView | None:
    try:
        return create_review_interview(ctx)
    except PrepPathError as exc:
        assert exc.code == ExitCode.NOT_FOUND
        return None


def test_a_low_score_schedules_a_retake_for_the_next_day(
    app: AppContext, clock: Clock, home: Path
) -> None:
    """An answer under the threshold (60) queues its question for tomorrow; 60 itself does not."""
    view = new_interview(app, count=2)
    answer(app, view, 1, 59)
    answer(app, view, 2, 60)
    assert retakes(home) == [(view.questions[0].bank_id, 59, 1, "2026-01-06", 0)]


def test_retake_threshold_is_configurable(
    home: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With retake_threshold 80, a 75 comes back."""
    monkeypatch.setenv("PREPPATH_RETAKE_THRESHOLD", "80")
    app = open_app(load_settings(), clock=clock)
    view = new_interview(app)
    answer(app, view, 1, 75)
    assert retakes(home) == [(view.questions[0].bank_id, 75, 1, "2026-01-06", 0)]
    app.engine.dispose()


def test_review_draws_only_questions_that_are_due(
    app: AppContext, clock: Clock, home: Path, run: Any
) -> None:
    """`start --review` draws the failed question on its due day; before it, exit 3."""
    empty = run("interview", "start", "--review", "--yes")
    assert empty.code == ExitCode.NOT_FOUND == 3
    assert "nothing is due" in one_line_error(empty)
    view = new_interview(app, count=2)
    answer(app, view, 1, 30)
    answer(app, view, 2, 90)
    with pytest.raises(PrepPathError) as err:
        create_review_interview(app)
    assert err.value.code == ExitCode.NOT_FOUND
    assert "2026-01-06" in err.value.message
    clock.advance(days=1)
    review = create_review_interview(app)
    assert [q.bank_id for q in review.questions] == [view.questions[0].bank_id]
    assert review.questions[0].text == view.questions[0].text
    assert review.status == "pending" and review.id != view.id


def test_retake_shows_the_previous_attempt_and_climbs_1_3_7_then_clears(
    app: AppContext, clock: Clock, home: Path
) -> None:
    """Retake passes move it to 3, then 7 days, then clear it; feedback shows the last try."""
    view = new_interview(app)
    key = view.questions[0].bank_id
    first = answer(app, view, 1, 45, text="My first, weak attempt.")
    assert first.previous is None
    attempt_time = clock.now
    ladder = [(1, 70, 3), (3, 75, 7)]
    previous_score, previous_text = 45, "My first, weak attempt."
    for wait, score, next_interval in ladder:
        clock.advance(days=wait - 1)
        if wait > 1:
            assert review_or_none(app) is None  # the day before it is due
        clock.advance(days=1)
        review = create_review_interview(app)
        result = answer(app, review, 1, score, text=f"A retake scoring {score}.")
        assert result.previous is not None
        assert (result.previous.overall, result.previous.answer) == (previous_score, previous_text)
        assert result.previous.created_at.replace(tzinfo=None) == attempt_time.replace(tzinfo=None)
        due = (clock.now.date() + timedelta(days=next_interval)).isoformat()
        assert retakes(home) == [(key, score, next_interval, due, 0)]
        previous_score, previous_text = score, f"A retake scoring {score}."
        attempt_time = clock.now
    clock.advance(days=6)
    assert review_or_none(app) is None
    clock.advance(days=1)
    review = create_review_interview(app)
    final = answer(app, review, 1, 88)
    assert final.previous is not None and final.previous.overall == 75
    assert retakes(home)[0][4] == 1  # cleared
    clock.advance(days=60)
    assert review_or_none(app) is None


def test_a_failed_retake_starts_over_at_one_day(app: AppContext, clock: Clock, home: Path) -> None:
    """Failing a retake resets its interval to 1 day, whatever step it had reached."""
    view = new_interview(app)
    key = view.questions[0].bank_id
    answer(app, view, 1, 20)
    clock.advance(days=1)
    answer(app, create_review_interview(app), 1, 65)
    assert retakes(home) == [(key, 65, 3, "2026-01-09", 0)]
    clock.advance(days=3)
    failed = answer(app, create_review_interview(app), 1, 50)
    assert failed.previous is not None and failed.previous.overall == 65
    assert retakes(home) == [(key, 50, 1, "2026-01-10", 0)]
    assert review_or_none(app) is None
    clock.advance(days=1)
    again = create_review_interview(app)
    assert [q.bank_id for q in again.questions] == [key]


# --- the command tree ---------------------------------------------------------------------------


def test_repeated_runs_register_the_progress_commands_once(run: Any) -> None:
    """Running the CLI again in the same process does not register its commands again."""
    from preppath.cli.app import app as root

    assert run("streak", "--json").code == 0
    after_one = (len(root.registered_commands), len(root.registered_groups))
    assert run("streak", "--json").code == 0
    assert (len(root.registered_commands), len(root.registered_groups)) == after_one
    names = [c.callback.__name__ for c in root.registered_commands if c.callback]
    assert len(names) == len(set(names))
    groups = [g.name for g in root.registered_groups]
    assert len(groups) == len(set(groups))
