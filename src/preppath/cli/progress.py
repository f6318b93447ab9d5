"""`preppath heatmap | stats | streak | achievements | activity`: practice made visible."""

from __future__ import annotations

import math
import os
from datetime import date, datetime
from pathlib import Path

import typer

from preppath.cli.common import (
    FORCE_OPTION,
    JSON_OPTION,
    command_group,
    console,
    open_context,
    print_json,
)
from preppath.domain import ActivityType
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import agree, plural

achievements_app = command_group("The 26 achievements: all, yours, or one.")
activity_app = command_group("Log practice done outside PrepPath.")


def heatmap(
    ctx: typer.Context,
    weeks: int | None = typer.Option(
        None,
        "--weeks",
        "-w",
        help="Show this many whole weeks, this one included (1-260); default: the last year.",
    ),
    year: int | None = typer.Option(None, "--year", help="Show one calendar year instead."),
    export: Path | None = typer.Option(None, "--export", help="Write an .svg or .html file."),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A GitHub-style calendar of your practice over the last year."""
    from preppath.progress.heatmap import render_terminal, to_json
    from preppath.services.progress import heatmap as build

    calendar = build(open_context(ctx), weeks=weeks, year=year)
    if export is not None:
        from preppath.progress.heatmap_export import export as write

        try:
            written = write(calendar, export, force=force)
        except ValueError as exc:
            raise PrepPathError(str(exc), ExitCode.USAGE) from None
        console.print(f"Heatmap written to {written}")
        return
    if as_json:
        print_json(to_json(calendar))
        return
    color = console.is_terminal and not os.environ.get("NO_COLOR")
    console.print(render_terminal(calendar, color=color, width=console.width))


RECENT_MONTHS = 3  # the months of each type's and technology's trend a terminal shows


def stats(
    ctx: typer.Context,
    as_json: bool = JSON_OPTION,
    show_all: bool = typer.Option(
        False, "--all", help="List every technology, not only the 15 most practised."
    ),
) -> None:
    """Totals, average scores by type and technology over time, weakest topics, delivery."""
    from preppath.services.progress import TECHNOLOGY_ROWS, stats_of_most_practised
    from preppath.services.progress import stats as build

    app_ctx = open_context(ctx)
    if as_json:
        print_json(build(app_ctx))
        return
    result, hidden = stats_of_most_practised(
        app_ctx, None if show_all else TECHNOLOGY_ROWS, recent_months=RECENT_MONTHS
    )
    from rich.markup import escape

    t = result.totals
    console.print(
        f"[bold]{plural(t['answers'], 'answer')}[/] scored, "
        f"[bold]{plural(t['interviews_completed'], 'interview')}[/] completed, "
        f"{plural(t['practices'], 'practice session')}, "
        f"{plural(t['points'], 'point')} over {plural(t['active_days'], 'active day')}"
    )
    if t["events"] != t["answers"]:
        console.print(
            f"[dim]The heatmap counts {plural(t['events'], 'activity', 'activities')}: each "
            "answer, interview started, interview completed and practice session is one.[/]"
        )
    console.print(
        f"Streak: {plural(result.streak['current'], 'day')} (longest {result.streak['longest']}),"
        f" {result.achievements_unlocked}/26 achievements"
    )
    if result.usage.get("calls"):
        console.print(f"Cloud usage: {escape(str(result.usage['summary']))}", soft_wrap=True)
    if result.averages:
        console.print(
            "Averages: "
            + ", ".join(
                f"{k} {v:.1f}" + ("/100" if k == "overall" else "/10")
                for k, v in result.averages.items()
            )
        )
    from rich.table import Table

    for title, dimension, groups in (
        ("By interview type", "type", result.by_type),
        ("By technology", "stack", result.by_technology),
    ):
        if not groups:
            continue
        table = Table("Key", "Answers", "Average", f"Last {RECENT_MONTHS} months", title=title)
        for key, trend in sorted(groups.items()):
            lifetime = result.lifetime[dimension][key]
            recent = " → ".join(f"{x.average:.0f}" for x in trend[-RECENT_MONTHS:])
            table.add_row(escape(key), str(lifetime.answers), f"{lifetime.average:.1f}", recent)
        console.print(table)
    if hidden:
        console.print(
            f"… and {plural(hidden, 'more technology', 'more technologies')} "
            "([bold]preppath stats --all[/] lists every one)"
        )
    least = result.weakest_min_answers
    if result.weakest_topics:
        ranked = ", ".join(
            f"{escape(str(w['topic']))} {w['average']} ({plural(int(str(w['answers'])), 'answer')})"
            for w in result.weakest_topics
        )
        console.print(f"Lowest-scoring topics (at least {plural(least, 'answer')} each): {ranked}")
    elif result.unranked_topics:
        console.print(
            f"Lowest-scoring topics: none yet (a topic needs {plural(least, 'answer')} to rank)"
        )
    if result.unranked_topics:
        unranked = ", ".join(
            f"{escape(str(w['topic']))} {w['average']}" for w in result.unranked_topics
        )
        console.print(f"Not ranked yet (fewer than {plural(least, 'answer')}): {unranked}")
    if result.delivery:
        console.print(
            "Delivery by month: "
            + "; ".join(
                f"{d.month} {d.wpm:.0f} wpm, {d.fillers_per_100_words or 0:.1f} fillers/100 words"
                for d in result.delivery[-6:]
            )
        )
    if not t["events"]:
        console.print("No practice yet: [bold]preppath interview start[/] begins one.")


def streak(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Current and longest streak, freezes held, and what today still needs."""
    from preppath.services.progress import streak as build

    state = build(open_context(ctx))
    if as_json:
        print_json(
            {
                "current": state.current,
                "longest": state.longest,
                "freezes": state.freezes,
                "today_met": state.today_met,
                "today_needs": state.today_needs,
                "next_milestone": state.next_milestone,
                "frozen_days": state.frozen_days,
            }
        )
        return
    flame = "🔥 " if state.current else ""
    console.print(
        f"{flame}Current streak: [bold]{state.current}[/] {agree(state.current, 'day')} · longest "
        f"{state.longest} · freezes held {state.freezes}"
    )
    if state.today_met:
        console.print(f"Today counts. Next milestone: {plural(state.next_milestone, 'day')}.")
    else:
        needs = state.today_needs
        console.print(
            f"Today still needs {plural(needs, 'answer')} or {agree(needs, 'practice')} to count."
        )


def _print_achievements(views: list[object]) -> None:
    from rich.markup import escape

    from preppath.services.progress import AchievementView

    for v in views:
        assert isinstance(v, AchievementView)
        mark = "🏆" if v.unlocked else "🔒"
        detail = (
            f"unlocked {v.unlocked_at:%Y-%m-%d}"
            if v.unlocked and v.unlocked_at
            # Whole numbers, rounded down, so a locked one never reads as reached (79.6/80).
            else f"{math.floor(v.progress)}/{math.floor(v.target)}"
            if v.progress is not None and v.target is not None
            else "locked"
        )
        console.print(
            f"{mark} [bold]{escape(v.name)}[/] ({v.id}, {v.category}, {v.points} pts)"
            f" — {escape(v.description)} [dim]{detail}[/]"
        )


@achievements_app.command("list")
def achievements_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """All 26 achievements with your progress; hidden ones stay masked until earned."""
    from preppath.services.progress import achievements

    views = achievements(open_context(ctx))
    if as_json:
        print_json(views)
        return
    _print_achievements(list(views))


@achievements_app.command("mine")
def achievements_mine(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The achievements you have unlocked."""
    from preppath.services.progress import achievements

    views = achievements(open_context(ctx), only_unlocked=True)
    if as_json:
        print_json(views)
        return
    if not views:
        console.print("None yet: answer a question to unlock your first.")
    _print_achievements(list(views))


@achievements_app.command("show")
def achievements_show(
    ctx: typer.Context,
    ident: str = typer.Argument(..., metavar="ID_OR_NAME"),
    as_json: bool = JSON_OPTION,
) -> None:
    """One achievement, by its ID or its name (`achievements show flawless`)."""
    from preppath.services.progress import achievement

    view = achievement(open_context(ctx), ident)
    if as_json:
        print_json(view)
        return
    _print_achievements([view])


@activity_app.command("track")
def track(
    ctx: typer.Context,
    kind: str = typer.Argument("practice", metavar="[TYPE]", help="What to log: practice."),
    at: str | None = typer.Option(
        None,
        "--at",
        help="A day (2026-11-20) or a time (2026-11-20T18:30, local unless zoned).",
    ),
    note: str | None = typer.Option(None, "--note", help="What you practised."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Log practice done elsewhere: `preppath activity track practice --at 2026-11-20T12:00`."""
    from preppath.services.progress import track_activity

    result = track_activity(open_context(ctx), _trackable(kind), _when(at), note)
    if as_json:
        print_json(result)
        return
    console.print(f"Logged {result.type} on {result.day} (+{plural(result.points, 'point')}).")
    from preppath.cli.render import print_milestone, print_unlocks

    print_unlocks(result.unlocked)
    print_milestone(result.milestone)


def _trackable(text: str) -> ActivityType:
    from preppath.domain import TRACKABLE_ACTIVITIES
    from preppath.messages import not_one_of
    from preppath.services.progress import untrackable

    value = text.strip().lower()
    if value in TRACKABLE_ACTIVITIES:
        return ActivityType(value)
    if value in set(ActivityType):
        raise PrepPathError(untrackable(value), ExitCode.USAGE)
    raise PrepPathError(
        f"invalid value for 'TYPE': {not_one_of(text, TRACKABLE_ACTIVITIES)}", ExitCode.USAGE
    )


def _when(text: str | None) -> date | datetime | None:
    """`--at`: a date alone stays a date (a day, not its midnight); otherwise an ISO time."""
    import re

    if text is None:
        return None
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        raise PrepPathError(
            f"invalid value for '--at': {text!r} is not a date or time; "
            "use YYYY-MM-DD or YYYY-MM-DDTHH:MM",
            ExitCode.USAGE,
        ) from None
