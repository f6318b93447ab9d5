"""Progress services: tracking practice, the heatmap, streaks, achievements and stats."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from preppath.domain import ActivityType
from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext

if TYPE_CHECKING:  # Unlock only in annotations: the heatmap and stats need no view classes
    from preppath.progress.heatmap import Calendar
    from preppath.progress.store import DayRow
    from preppath.progress.streaks import StreakState
    from preppath.services.views import Unlock


EARLIEST_YEAR = 2000
# One answer says little about a topic: one bad day, or one odd question. Two agreeing
# answers are the least that can call a topic weak.
WEAKEST_MIN_ANSWERS = 2
# `stats` draws this many technologies in its table (`--all` draws every one): a five-year
# history covers over a hundred, and drawing them all was most of what it grew by.
TECHNOLOGY_ROWS = 15


def today_for(ctx: AppContext) -> date:
    return ctx.clock().astimezone(ctx.tz).date()


@dataclass(frozen=True)
class TrackResult:
    type: str
    points: int
    day: str
    unlocked: list[Unlock]
    milestone: int | None


def track_activity(
    ctx: AppContext,
    kind: ActivityType,
    at: datetime | date | None = None,
    note: str | None = None,
) -> TrackResult:
    """Log practice done elsewhere (the original track endpoint).

    `at` is a moment, or a `date` alone: a day whose time is unknown, which counts for that day
    but never as a time of day (a date is not midnight, so it cannot earn Night Owl).
    """
    from preppath.domain import TRACKABLE_ACTIVITIES
    from preppath.services.activity import POINTS, local_day, record_activity
    from preppath.services.progress_hooks import settle

    if kind not in TRACKABLE_ACTIVITIES:
        raise PrepPathError(untrackable(kind), ExitCode.USAGE)
    time_known = at is None or isinstance(at, datetime)
    if isinstance(at, datetime):
        moment = _aware(at, ctx)
    elif at is not None:
        if at > today_for(ctx):
            raise PrepPathError("--at is in the future", ExitCode.USAGE)
        # Some moment inside that day is needed for ordering; noon (or now, for today) is
        # safely inside it in every zone, and the unknown hour is passed on as unknown.
        moment = min(datetime.combine(at, time(12), tzinfo=ctx.tz), ctx.clock())
    else:
        moment = ctx.clock()
    if moment > ctx.clock() + timedelta(minutes=5):
        raise PrepPathError("--at is in the future", ExitCode.USAGE)
    if moment.year < EARLIEST_YEAR:  # such dates are typos (0001-01-01), not practice history
        raise PrepPathError(f"--at must be in {EARLIEST_YEAR} or later", ExitCode.USAGE)
    if note is not None and len(note) > 2000:
        raise PrepPathError("--note is limited to 2,000 characters", ExitCode.INVALID)
    with ctx.transaction() as db:  # achievements read the totals they then unlock on
        record_activity(db, profile_id=ctx.profile_id, kind=kind, at=moment, tz=ctx.tz, note=note)
        hooks = settle(db, ctx, moment, [kind], time_known=time_known)
    day = local_day(moment, ctx.tz)[0]
    return TrackResult(kind.value, POINTS[kind], day, hooks.unlocked, hooks.milestone)


def untrackable(kind: object) -> str:
    """Why `activity track KIND` is refused for a kind PrepPath records itself."""
    return (
        f"{kind!s} is recorded by PrepPath itself when it happens; "
        "`activity track` logs practice done elsewhere: use `activity track practice`"
    )


def _aware(moment: datetime, ctx: AppContext) -> datetime:
    """A time typed without a zone is local wall-clock time in the profile's zone."""
    return moment.replace(tzinfo=ctx.tz) if moment.tzinfo is None else moment


def heatmap(ctx: AppContext, *, weeks: int | None = None, year: int | None = None) -> Calendar:
    """The practice calendar: the last year, the last `weeks` whole weeks, or one `year`."""
    from preppath.progress.heatmap import build_calendar
    from preppath.progress.store import day_rows

    if weeks is not None and year is not None:
        raise PrepPathError("give --weeks or --year, not both", ExitCode.USAGE)
    if weeks is not None and not 1 <= weeks <= 260:
        raise PrepPathError("--weeks must be between 1 and 260", ExitCode.USAGE)
    if year is not None and not 1970 <= year <= 9999:
        raise PrepPathError("--year is out of range", ExitCode.USAGE)
    today = today_for(ctx)
    # A little more than the window: build_calendar keeps exactly the days it shows.
    since = date(year, 1, 1) if year is not None else today - timedelta(weeks=(weeks or 53) + 1)
    with ctx.reader() as db:
        rows = day_rows(db, ctx.profile_id, since)
    counts = {date.fromisoformat(r.day): r.count for r in rows}
    if year is not None:
        calendar = build_calendar(counts, year=year, unit="activity", unit_plural="activities")
    else:
        calendar = build_calendar(
            counts, end=today, weeks=weeks, unit="activity", unit_plural="activities"
        )
    shown = [r for r in rows if calendar.start.isoformat() <= r.day <= calendar.end.isoformat()]
    return replace(calendar, breakdown=activity_breakdown(shown))


def activity_breakdown(rows: Sequence[DayRow]) -> tuple[tuple[str, int], ...]:
    """What a day's activity count is made of: every answer, interview started or completed,
    and practice logged counts one. `stats` counts answers alone, hence this breakdown."""
    answers = sum(r.answers for r in rows)
    practices = sum(r.practices for r in rows)
    completed = sum(r.interviews_completed for r in rows)
    started = sum(r.count for r in rows) - answers - practices - completed
    return (
        ("answers", answers),
        ("interviews_started", started),
        ("interviews_completed", completed),
        ("practices", practices),
    )


def streak(ctx: AppContext) -> StreakState:
    from preppath.progress.store import qualifying_days
    from preppath.progress.streaks import MILESTONE_EVERY, compute_streaks

    with ctx.reader() as db:
        totals = qualifying_days(db, ctx.profile_id)
    return compute_streaks(
        totals,
        today=today_for(ctx),
        daily_minimum=ctx.settings.daily_minimum,
        freezes_enabled=ctx.settings.streak_freezes,
        milestone_every=MILESTONE_EVERY,
    )


@dataclass(frozen=True)
class AchievementView:
    id: str
    name: str
    description: str
    category: str
    points: int
    hidden: bool
    unlocked: bool
    unlocked_at: datetime | None
    progress: float | None
    target: float | None


def achievements(ctx: AppContext, *, only_unlocked: bool = False) -> list[AchievementView]:
    """All 26 in catalogue order; a hidden one stays masked until earned: its name,
    description, target and even its ID (shown as hidden-1 … hidden-7) give nothing away."""
    from preppath.progress import achievements as catalogue

    with ctx.reader() as db:
        have = catalogue.unlocked_ids(db, ctx.profile_id)
        facts = catalogue.Facts(
            db,
            ctx.profile_id,
            today_for(ctx),
            ctx.settings.daily_minimum,
            ctx.settings.streak_freezes,
        )
        views = []
        hidden_seen = 0
        for d in catalogue.catalogue():
            hidden_seen += d.hidden
            unlocked = d.id in have
            if only_unlocked and not unlocked:
                continue
            masked = d.hidden and not unlocked
            measure = catalogue.PROGRESS.get(d.kind)
            views.append(
                AchievementView(
                    id=f"hidden-{hidden_seen}" if masked else d.id,
                    name="???" if masked else d.name,
                    description="A hidden achievement: keep practising to find it"
                    if masked
                    else d.description,
                    category=d.category,
                    points=d.points,
                    hidden=d.hidden,
                    unlocked=unlocked,
                    unlocked_at=have.get(d.id),
                    progress=None if masked or measure is None else float(measure(facts)),
                    target=None if masked else d.threshold,
                )
            )
    return views


def _name_key(text: str) -> str:
    """ "Night Owl", "night-owl" and " NIGHT  owl " all read as "night owl"."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def achievement(ctx: AppContext, ident: str) -> AchievementView:
    """One achievement by its ID or its name, in any case ("flawless", "perfect-answer"), or by
    the hidden-N it is listed under while masked."""
    from preppath.progress.achievements import catalogue

    wanted = _name_key(ident)
    for d, view in zip(catalogue(), achievements(ctx), strict=True):
        if wanted and wanted in {_name_key(k) for k in (d.id, d.name, view.id)}:
            return view
    raise PrepPathError(
        f"achievement {ident!r} not found: give an ID or a name from `preppath achievements list`",
        ExitCode.NOT_FOUND,
    )


@dataclass(frozen=True)
class Trend:
    month: str
    answers: int
    average: float
    wpm: float | None = None
    fillers_per_100_words: float | None = None


@dataclass(frozen=True)
class Stats:
    totals: dict[str, int]
    averages: dict[str, float]
    by_type: dict[str, list[Trend]]
    by_technology: dict[str, list[Trend]]
    weakest_topics: list[dict[str, object]]
    """The lowest-scoring topics with at least `weakest_min_answers` answers, lowest first."""
    delivery: list[Trend]
    streak: dict[str, int]
    achievements_unlocked: int
    notes: list[str] = field(default_factory=list)
    weakest_min_answers: int = 2
    unranked_topics: list[dict[str, object]] = field(default_factory=list)
    """Topics with fewer answers than that, lowest first: shown, but not ranked as weakest."""
    usage: dict[str, object] = field(default_factory=dict)
    """All cloud calls of the profile: tokens and estimated cost (`spend.usage`)."""
    lifetime: dict[str, dict[str, Lifetime]] = field(default_factory=dict)
    """Per 'type' and per 'stack' (the technologies in `by_technology`): all-time answers and
    average, whatever months the trends hold."""


@dataclass(frozen=True)
class Lifetime:
    answers: int
    average: float


def lifetime_of(answers: int, sum_overall: int) -> Lifetime:
    return Lifetime(answers, round(sum_overall / answers, 1) if answers else 0.0)


def most_practised(
    groups: dict[str, list[Trend]], limit: int | None
) -> tuple[dict[str, list[Trend]], int]:
    """The `limit` keys with the most answers (ties by name; None keeps all), in the order
    given, and how many were left out."""
    if limit is None or len(groups) <= limit:
        return groups, 0
    ranked = sorted(groups, key=lambda k: (-sum(t.answers for t in groups[k]), k))
    kept = set(ranked[:limit])
    return {k: v for k, v in groups.items() if k in kept}, len(groups) - limit


def stats(ctx: AppContext) -> Stats:
    """Every total, average and monthly trend (every technology's months included)."""
    return _stats(ctx, None)[0]


def stats_of_most_practised(
    ctx: AppContext, limit: int | None, *, recent_months: int | None = None
) -> tuple[Stats, int]:
    """`stats` with the trends of the `limit` most-practised technologies alone (None: all),
    as `most_practised` picks them, and how many it left out. What the terminal draws: after
    five years over a hundred technologies, reading every one's months was most of the time
    `stats` took, and grew with months x technologies. With `recent_months`, each type's and
    technology's trend holds only its last months (their lifetimes are in `lifetime`), which
    is all a terminal shows of them."""
    return _stats(ctx, limit, recent_months)


def _stats(ctx: AppContext, limit: int | None, recent: int | None = None) -> tuple[Stats, int]:
    from preppath.progress.store import (
        activity_totals,
        lifetime_totals,
        most_answered_stacks,
        recent_rows,
        rollup_rows,
        topic_totals,
        unlocked_count,
    )
    from preppath.spend.usage import totals_for_profile

    with ctx.reader() as db:
        totals = activity_totals(db, ctx.profile_id)
        stacks, left_out = (
            (None, 0) if limit is None else most_answered_stacks(db, ctx.profile_id, limit)
        )
        lifetime = {
            dimension: lifetime_totals(db, ctx.profile_id, dimension)
            for dimension in ("type", "stack")
        }
        if recent is None:
            rows = rollup_rows(db, ctx.profile_id, stacks)
        else:
            shown = sorted(lifetime["stack"]) if stacks is None else stacks
            rows = recent_rows(db, ctx.profile_id, [("all", "all")], None) + recent_rows(
                db,
                ctx.profile_id,
                [("type", k) for k in sorted(lifetime["type"])] + [("stack", k) for k in shown],
                recent,
            )
        per_tag = topic_totals(db, ctx.profile_id)
        unlocked = unlocked_count(db, ctx.profile_id)
        used = totals_for_profile(db, ctx.profile_id)
    # Everything else in an activity count, so stats can say what the heatmap's total holds.
    totals["interviews_started"] = (
        totals["events"] - totals["answers"] - totals["practices"] - totals["interviews_completed"]
    )
    months: dict[tuple[str, str], list[Trend]] = defaultdict(list)
    overall: dict[str, float] = {
        "answers": 0,
        "overall": 0,
        "correctness": 0,
        "completeness": 0,
        "clarity": 0,
    }
    for r in rows:
        wpm = r.sum_wpm / r.spoken if r.spoken else None
        fillers = r.sum_fillers_per_100 / r.spoken if r.spoken else None
        months[(r.dimension, r.key)].append(
            Trend(
                r.month,
                r.answers,
                round(r.sum_overall / r.answers, 1),
                round(wpm, 1) if wpm is not None else None,
                round(fillers, 2) if fillers is not None else None,
            )
        )
        if r.dimension == "all":
            overall["answers"] += r.answers
            overall["overall"] += r.sum_overall
            overall["correctness"] += r.sum_correctness
            overall["completeness"] += r.sum_completeness
            overall["clarity"] += r.sum_clarity
    n = overall.pop("answers")
    averages = {k: round(v / n, 1) for k, v in overall.items()} if n else {}
    ranked = sorted(
        ({"topic": t, "answers": a, "average": round(s / a, 1)} for t, (a, s) in per_tag.items()),
        key=lambda d: (d["average"], d["topic"]),
    )
    weakest = [d for d in ranked if per_tag[str(d["topic"])][0] >= WEAKEST_MIN_ANSWERS][:5]
    unranked = [d for d in ranked if per_tag[str(d["topic"])][0] < WEAKEST_MIN_ANSWERS][:5]
    state = streak(ctx)
    result = Stats(
        totals=totals,
        averages=averages,
        by_type={k: v for (dim, k), v in months.items() if dim == "type"},
        by_technology={k: v for (dim, k), v in months.items() if dim == "stack"},
        lifetime={
            "type": {k: lifetime_of(*v) for k, v in lifetime["type"].items()},
            "stack": {
                k: lifetime_of(*v) for k, v in lifetime["stack"].items() if ("stack", k) in months
            },
        },
        weakest_topics=weakest,
        weakest_min_answers=WEAKEST_MIN_ANSWERS,
        unranked_topics=unranked,
        delivery=[t for t in months.get(("all", "all"), []) if t.wpm is not None],
        streak={"current": state.current, "longest": state.longest, "freezes": state.freezes},
        achievements_unlocked=unlocked,
        usage=used.to_dict() | {"summary": used.summary()},
    )
    return result, left_out
