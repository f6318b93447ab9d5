"""`preppath interview …`: the original interview endpoints as commands."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from preppath.cli.common import (
    FORCE_OPTION,
    JSON_OPTION,
    LEVELS_HELP,
    STACK_HELP,
    STACK_METAVAR,
    TYPES_HELP,
    command_group,
    console,
    interview_type_parser,
    level_parser,
    notice,
    open_context,
    print_json,
)
from preppath.domain import (
    AnswerSource,
    ExperienceLevel,
    InterviewStatus,
    InterviewType,
    split_stacks,
)
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural

if TYPE_CHECKING:
    from preppath.services.views import AnswerResult, InterviewView

app = command_group("Create, run, answer, report on and delete interviews.")

TYPE_OPT = typer.Option(
    InterviewType.TECHNICAL,
    "--type",
    "-t",
    parser=interview_type_parser,
    help=f"Interview type: {TYPES_HELP}.",
)
LEVEL_OPT = typer.Option(
    ExperienceLevel.MID, "--level", "-l", parser=level_parser, help=f"Level: {LEVELS_HELP}."
)
STACK_OPT = typer.Option([], "--stack", "-s", metavar=STACK_METAVAR, help=STACK_HELP)


@app.command()
def create(
    ctx: typer.Context,
    type_: InterviewType | None = typer.Option(
        None,
        "--type",
        "-t",
        parser=interview_type_parser,
        help=f"Interview type: {TYPES_HELP} (default technical; with --question, the"
        " questions' own).",
    ),
    role: str | None = typer.Option(
        None, "--role", "-r", help='Role, e.g. "Backend Engineer" (optional with --question).'
    ),
    level: ExperienceLevel = LEVEL_OPT,
    stack: list[str] = STACK_OPT,
    count: int | None = typer.Option(
        None, "--count", "-n", help="Number of questions (1-20, default 5)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed for a reproducible draw."),
    question: list[str] = typer.Option(
        [],
        "--question",
        "-q",
        metavar="ID",
        help="A bank question to ask (repeatable), instead of drawing them; see"
        " `preppath questions list`.",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an interview with questions fitted to the type, role, level and stack, or with
    the bank questions named by --question."""
    app_ctx = open_context(ctx)
    if question:
        from preppath.services.drills import PickedQuestions, create_from_questions

        given = {"--count": count is not None, "--stack": bool(stack), "--seed": seed is not None}
        drawn = [name for name, present in given.items() if present]
        if drawn:
            raise PrepPathError(
                f"--question names the questions; drop {', '.join(drawn)}", ExitCode.USAGE
            )
        view = create_from_questions(app_ctx, PickedQuestions(tuple(question), role, level, type_))
    else:
        from preppath.services.interviews import InterviewOptions, create_interview

        if role is None:
            raise PrepPathError("give --role (or --question ID)", ExitCode.USAGE)
        view = create_interview(
            app_ctx,
            InterviewOptions(
                type_ or InterviewType.TECHNICAL,
                role,
                level,
                split_stacks(stack),
                5 if count is None else count,
                seed,
            ),
        )
    for message in view.notices:
        notice(message)
    if as_json:
        print_json(
            {
                "id": view.id,
                "seed": view.seed,
                "provider": view.provider,
                "questions": [
                    {
                        "id": q.id,
                        "text": q.text,
                        "type": q.type,
                        "difficulty": q.difficulty,
                        "bank_id": q.bank_id,
                    }
                    for q in view.questions
                ],
            }
        )
        return
    _print_interview(view)
    console.print(f"\nRun it with [bold]preppath interview start {view.id}[/]")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: InterviewStatus | None = typer.Option(None, "--status", help="Only this status."),
    type_: InterviewType | None = typer.Option(
        None, "--type", "-t", parser=interview_type_parser, help=f"Only this type: {TYPES_HELP}."
    ),
    since: datetime | None = typer.Option(None, "--since", help="Created on or after (date)."),
    until: datetime | None = typer.Option(None, "--until", help="Created before (date)."),
    page: int = typer.Option(1, "--page", help="Page number, from 1."),
    per_page: int = typer.Option(20, "--per-page", help="Interviews per page."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List interviews, newest first."""
    from preppath.services.listing import ListFilters, list_interviews

    app_ctx = open_context(ctx)
    result = list_interviews(
        app_ctx,
        ListFilters(status, type_, _utc(since, app_ctx), _utc(until, app_ctx), page, per_page),
    )
    if as_json:
        print_json(result)
        return
    if not result.items:
        console.print("No interviews yet. Start one with [bold]preppath interview start[/].")
        return
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    # Five columns, only one of them free text, so the table fits 60 columns with every
    # value whole: the fixed ones never wrap and the interview's description wraps at words.
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("ID", justify="right", no_wrap=True)
    table.add_column("Created", no_wrap=True)
    table.add_column("Interview", min_width=12)
    table.add_column("Status")
    table.add_column("Score", justify="right", no_wrap=True)
    for item in result.items:
        score = f"{item.overall:.0f}" if item.overall is not None else "–"
        table.add_row(
            str(item.id),
            item.created_at.astimezone(app_ctx.tz).strftime("%Y-%m-%d %H:%M"),
            escape(f"{item.type.replace('_', ' ')} · {item.level} · {item.role}"),
            f"{item.status} {item.answered}/{item.question_count}",
            score,
        )
    console.print(table)
    pages = max(1, -(-result.total // result.per_page))
    console.print(f"Page {result.page} of {pages} ({plural(result.total, 'interview')})")


def _utc(value: datetime | None, app_ctx: object) -> datetime | None:
    """A date typed on the command line means local midnight of that day."""
    if value is None:
        return None
    from preppath.services.context import AppContext

    assert isinstance(app_ctx, AppContext)
    if value.tzinfo is None:
        value = value.replace(tzinfo=app_ctx.tz)
    from datetime import UTC

    return value.astimezone(UTC)


@app.command()
def show(
    ctx: typer.Context,
    interview_id: int = typer.Argument(..., metavar="ID"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show an interview with its questions and latest feedback."""
    from preppath.services.reading import get_interview

    view = get_interview(open_context(ctx), interview_id)
    if as_json:
        print_json(view)
        return
    _print_interview(view, with_feedback=True)


@app.command()
def start(
    ctx: typer.Context,
    interview_id: int | None = typer.Argument(None, metavar="[ID]"),
    type_: InterviewType | None = typer.Option(
        None,
        "--type",
        "-t",
        parser=interview_type_parser,
        help=f"Interview type: {TYPES_HELP}. Asked for when not given.",
    ),
    role: str | None = typer.Option(None, "--role", "-r", help="Role; asked for when not given."),
    level: ExperienceLevel | None = typer.Option(
        None,
        "--level",
        "-l",
        parser=level_parser,
        help=f"Level: {LEVELS_HELP}. Asked for when not given.",
    ),
    stack: list[str] = STACK_OPT,
    count: int | None = typer.Option(
        None, "--count", "-n", help="Number of questions (1-20); asked for when not given."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Seed for a reproducible draw."),
    review: bool = typer.Option(False, "--review", help="Practise the questions due for retake."),
    voice: bool | None = typer.Option(None, "--voice/--no-voice", help="Speak and record."),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Ask nothing: what is not given comes from your last choices."
    ),
) -> None:
    """Run a guided interview: questions, your answers, feedback, and a closing report.

    In a terminal it asks for the options not given on the command line (or offers to resume
    an unfinished interview). Without one it takes them from the command line and reads the
    answers from standard input, each ended by an empty line; for scripts, `interview create`
    and `interview answer` are simpler."""
    from preppath.cli.session import SessionOptions, run_session

    run_session(
        open_context(ctx, runs_jobs=True),
        SessionOptions(
            interview_id=interview_id,
            type=type_,
            role=role,
            level=level,
            stack=split_stacks(stack),
            count=count,
            seed=seed,
            review=review,
            voice=voice,
            ask=not yes,
        ),
    )


@app.command()
def answer(
    ctx: typer.Context,
    interview_id: int = typer.Argument(..., metavar="ID"),
    question_id: int = typer.Argument(..., metavar="QUESTION_ID"),
    text: str | None = typer.Option(None, "--text", help="The answer text."),
    file: Path | None = typer.Option(
        None, "--file", help="Read the answer from a file ('-' = stdin)."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Answer one question (text, a file, or piped standard input) and get its feedback."""
    from preppath.services.answers import answer_question

    body, source = _answer_text(text, file)
    result = answer_question(
        open_context(ctx, runs_jobs=True), interview_id, question_id, body, source=source
    )
    if as_json:
        print_json(result)
        return
    print_feedback(result)
    if result.interview_completed:
        console.print(f"\nInterview complete: [bold]preppath interview report {interview_id}[/]")


def _answer_text(text: str | None, file: Path | None) -> tuple[str, AnswerSource]:
    from preppath.services.answers import read_answer

    if text is not None and file is not None:
        raise PrepPathError("give --text or --file, not both", ExitCode.USAGE)
    if text is not None:
        return text, AnswerSource.TYPED
    if file is not None and str(file) != "-":
        try:
            with file.open(encoding="utf-8") as fh:
                return read_answer(fh), AnswerSource.FILE
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise PrepPathError(f"cannot read {file}: {reason}", ExitCode.INVALID) from None
    if file is None and sys.stdin.isatty():
        raise PrepPathError("give --text, --file, or pipe the answer in", ExitCode.USAGE)
    return read_answer(sys.stdin), AnswerSource.TYPED


@app.command()
def skip(
    ctx: typer.Context,
    interview_id: int = typer.Argument(..., metavar="ID"),
    question_id: int = typer.Argument(..., metavar="QUESTION_ID"),
) -> None:
    """Skip a question."""
    from preppath.cli.render import print_unlocks
    from preppath.services.answers import skip_question

    result = skip_question(open_context(ctx), interview_id, question_id)
    if not result.skipped:
        console.print(f"Question {question_id} was already answered or skipped; nothing changed.")
        return
    closed = {
        "completed": " Interview complete.",
        "abandoned": " Every question was skipped, so the interview is abandoned.",
    }
    console.print(f"Skipped question {question_id}.{closed.get(result.status, '')}")
    print_unlocks(result.unlocked)


@app.command()
def report(
    ctx: typer.Context,
    interview_id: int = typer.Argument(..., metavar="ID"),
    fmt: str | None = typer.Option(None, "--format", "-f", help="markdown, json or html."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
    force: bool = FORCE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """The interview report: summary, scores, feedback, recommendations."""
    from preppath.services.reports import build_report, render, write_report

    result = build_report(open_context(ctx), interview_id)
    if as_json:
        fmt = "json"
    if output is not None:
        written = write_report(result, fmt or _format_for(output), output, force=force)
        console.print(f"Report written to {written}")
    elif fmt:
        sys.stdout.write(render(result, fmt))
    else:
        from preppath.cli.render import print_report

        print_report(result)


def _format_for(path: Path) -> str:
    return {".md": "markdown", ".html": "html", ".htm": "html", ".json": "json"}.get(
        path.suffix.lower(), "markdown"
    )


@app.command()
def delete(
    ctx: typer.Context,
    interview_id: int = typer.Argument(..., metavar="ID"),
    yes: bool = typer.Option(False, "--yes", "-y", help="Don't ask for confirmation."),
) -> None:
    """Delete an interview with its answers and recordings."""
    from preppath.services.interviews import delete_interview, get_interview

    app_ctx = open_context(ctx)
    view = get_interview(app_ctx, interview_id)  # "not found" before asking anything
    if not yes:
        if not sys.stdin.isatty():
            raise PrepPathError(
                "refusing to delete without --yes when not interactive", ExitCode.USAGE
            )
        if not typer.confirm(
            f"Delete interview {view.id} ({view.role}, "
            f"{plural(len(view.questions), 'question')}) and its recordings?"
        ):
            console.print("Not deleted.")
            return
    removed = delete_interview(app_ctx, interview_id)
    console.print(
        f"Deleted interview {interview_id}"
        + (f" and {plural(removed, 'recording')}." if removed else ".")
    )


@app.command()
def share(
    ctx: typer.Context,
    interview_id: int = typer.Argument(..., metavar="ID"),
    audio: bool = typer.Option(False, "--audio", help="Share the recordings too."),
    expires: str = typer.Option(
        "7d", "--expires", metavar="DURATION", help="Link lifetime, e.g. 12h or 3d; at most 7d."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Upload the report to the S3 bucket and print links to it that expire."""
    from preppath.services.share import parse_duration, share_interview

    expires_s = parse_duration(expires)  # a bad duration fails before any upload
    result = share_interview(open_context(ctx), interview_id, audio=audio, expires_s=expires_s)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(f"Links valid until {result.expires_at:%Y-%m-%d %H:%M} UTC:", soft_wrap=True)
    for link in result.links:
        # Printed whole (no wrapping) so the link can be copied; it is the only copy.
        console.print(f"{link.what}: {link.url}", soft_wrap=True, markup=False, highlight=False)


def _print_interview(view: InterviewView, with_feedback: bool = False) -> None:
    from preppath.cli.render import print_interview

    print_interview(view, with_feedback=with_feedback)


def print_feedback(result: AnswerResult) -> None:
    from preppath.cli.render import print_answer_result

    print_answer_result(result)
