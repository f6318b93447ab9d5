"""Rich rendering of interviews, feedback and reports for people (JSON goes elsewhere)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from preppath.cli.common import console
from preppath.messages import plural

if TYPE_CHECKING:  # only annotations here: the report's classes load with a report
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
        if q.scoring:
            from preppath.services.reports import scoring_note

            console.print(f"    [yellow]{escape(scoring_note(q) or '')}[/]")


def _scores_line(scores: dict[str, float], overall: int) -> str:
    parts = "  ".join(f"{k} {v:.1f}/10" for k, v in scores.items())
    return f"[bold {score_style(overall)}]{overall}/100[/]  {parts}"


def print_answer_result(result: AnswerResult, *, heard: bool = False) -> None:
    """The feedback panel; `heard` starts it with the transcript that was scored (for a
    recording, whose words the person has not seen yet)."""
    from rich.panel import Panel  # here: `create`, `show` and `start` draw lines, not panels

    from preppath.services.wording import answer_label, describe_delivery

    lines = []
    if heard:
        lines += [
            f"[bold]Heard[/] ({answer_label(result.source, result.attempt)}): "
            + rich_inline(result.answer),
            "",
        ]
    lines.append(_scores_line(result.scores, result.overall))
    if result.previous is not None:
        lines.append(_previous_line(result.previous, result.overall))
    lines += [f"[green]✔[/] {rich_inline(s)}" for s in result.strengths]
    lines += [f"[yellow]✘[/] {rich_inline(s)}" for s in result.improvements]
    delivery = describe_delivery(result.delivery)
    if delivery:
        lines.append("[bold]Delivery[/]")
        lines += [f"[dim]•[/] {escape(d)}" for d in delivery]
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


_MARK_STYLE = {"good": "green", "bad": "yellow", "partial": "cyan", "info": "dim"}


def rich_inline(text: str) -> str:
    """Rich markup for report text: `code` keeps its backticks and is shown bold."""
    from preppath.services.inline_code import inline_spans

    return "".join(
        f"[bold]`{escape(piece)}`[/]" if code else escape(piece)
        for piece, code in inline_spans(text)
    )


def print_report(report: Report) -> None:
    """The report in the terminal: the same document the Markdown and HTML files hold."""
    from preppath.services.report_formats import build_document

    doc = build_document(report)
    console.rule(escape(doc.title))
    for block in doc.intro:
        _print_block(block)
    for section in doc.sections:
        console.print()
        console.print(f"[bold]{rich_inline(section.title)}[/]")
        for block in section.blocks:
            _print_block(block)


def _print_block(block: object) -> None:
    from rich.padding import Padding
    from rich.table import Table  # here, not at the top: the answer panel needs no table

    from preppath.services.report_formats import MARKS, Items, Paragraph, Quote, Scores

    if isinstance(block, Paragraph):
        text = rich_inline(block.text)
        console.print(f"[dim]{text}[/]" if block.style == "meta" else text)
    elif isinstance(block, Quote):
        detail = f" ({rich_inline(block.detail)})" if block.detail else ""
        console.print(f"[bold]{escape(block.label)}[/]{detail}:")
        console.print(Padding(rich_inline(block.text), (0, 0, 0, 3), expand=False))
    elif isinstance(block, Items):
        if block.title:
            console.print(f"[bold]{rich_inline(block.title)}[/]")
        # A grid gives each item a hanging indent: wrapped lines start under the text.
        grid = Table.grid(padding=(0, 1), pad_edge=True)
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in block.items:
            grid.add_row(f"[{_MARK_STYLE[item.mark]}]{MARKS[item.mark]}[/]", rich_inline(item.text))
        console.print(grid)
    elif isinstance(block, Scores):
        # One line, not a table per question: the same figures, easier to scan.
        parts = "  ".join(f"{row.name} {row.shown}" for row in block.rows)
        console.print(f"[bold]{escape(block.title)}[/]  {parts}")
