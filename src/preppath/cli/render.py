"""Rich rendering of interviews, feedback and reports for people (JSON goes elsewhere)."""

from __future__ import annotations

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from preppath.cli.common import console
from preppath.messages import plural
from preppath.services.views import AnswerResult, FeedbackView, InterviewView, Report, Unlock


def score_style(overall: float) -> str:
    return "green" if overall >= 75 else "yellow" if overall >= 50 else "red"


def print_interview(view: InterviewView, *, with_feedback: bool = False) -> None:
    stack = ", ".join(view.stack) or "any stack"
    console.print(
        f"[bold]Interview {view.id}[/] — {view.type.replace('_', ' ')}, "
        f"{escape(view.role)} ({view.level}), {escape(stack)} — {view.status}"
    )
    for q in view.questions:
        mark = {"answered": "✔", "skipped": "↷"}.get(q.status, "·")
        line = f" {mark} {q.id}. {escape(q.text)} [dim]({q.type}, {q.difficulty})[/]"
        if with_feedback and q.feedback:
            line += f" [{score_style(q.feedback.overall)}]{q.feedback.overall}/100[/]"
        console.print(line)


def _scores_line(scores: dict[str, float], overall: int) -> str:
    parts = "  ".join(f"{k} {v:.1f}/10" for k, v in scores.items())
    return f"[bold {score_style(overall)}]{overall}/100[/]  {parts}"


def print_answer_result(result: AnswerResult) -> None:
    lines = [_scores_line(result.scores, result.overall)]
    if result.previous is not None:
        lines.append(_previous_line(result.previous, result.overall))
    lines += [f"[green]✔[/] {escape(s)}" for s in result.strengths]
    lines += [f"[yellow]✘[/] {escape(s)}" for s in result.improvements]
    if result.delivery:
        lines.append(delivery_line(result.delivery))
    console.print(
        Panel("\n".join(lines), title=f"Feedback on question {result.question_id}", expand=False)
    )
    print_unlocks(result.unlocked)
    print_milestone(result.milestone)


def print_unlocks(unlocked: list[Unlock]) -> None:
    """Celebrate achievements the moment they unlock."""
    for unlock in unlocked:
        console.print(
            f"🏆 Achievement unlocked: [bold]{escape(unlock.name)}[/] — "
            f"{escape(unlock.description)} (+{plural(unlock.points, 'point')})"
        )


def print_milestone(days: int | None) -> None:
    if days:
        console.print(f"🔥 {days}-day streak! Keep it going.")


def _previous_line(previous: FeedbackView, overall: int) -> str:
    change = overall - previous.overall
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    return (
        f"Previous attempt ({previous.created_at:%Y-%m-%d}): {previous.overall}/100 → "
        f"now {overall}/100 ({arrow} {abs(change)})"
    )


def delivery_line(delivery: dict[str, object]) -> str:
    """What was observed in the spoken answer, with its bands (green / amber / red)."""
    notes = delivery.get("notes")
    if isinstance(notes, list) and notes:
        return "Delivery: " + "; ".join(str(n) for n in notes)
    return "Delivery: no timing data"


def print_report(report: Report) -> None:
    console.rule(f"Interview {report.interview.id} report")
    console.print(escape(report.summary))
    if report.averages:
        table = Table("Score", "Average")
        for name, value in report.averages.items():
            table.add_row(name, f"{value:.1f}/10")
        table.add_row("overall", f"{report.overall:.0f}/100" if report.overall is not None else "–")
        console.print(table)
    for q in report.interview.questions:
        result = f"{q.feedback.overall}/100" if q.feedback else q.status
        console.print(f" {q.id}. {escape(q.text)} — {result}")
    if report.strengths:
        console.print("\n[bold]Strengths[/]")
        for s in report.strengths:
            console.print(f" [green]✔[/] {escape(s)}")
    console.print("\n[bold]Recommendations[/]")
    for r in report.recommendations:
        console.print(f" • {escape(r)}")
