"""`preppath questions …`: browse the question bank and check question packs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from preppath.cli.common import (
    JSON_OPTION,
    LEVELS_HELP,
    STACK_METAVAR,
    command_group,
    console,
    level_parser,
    print_indented,
    print_json,
    question_type_parser,
    settings_for,
)
from preppath.domain import ExperienceLevel, QuestionType, split_stacks
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural

if TYPE_CHECKING:
    from preppath.values import Question

app = command_group("Browse the offline question bank and validate question packs.")


@app.command("list")
def list_(
    ctx: typer.Context,
    type_: QuestionType | None = typer.Option(
        None,
        "--type",
        "-t",
        parser=question_type_parser,
        help="Only this type: technical, behavioral or system_design (behavioural, sd … too).",
    ),
    stack: list[str] = typer.Option(
        [],
        "--stack",
        "-s",
        metavar=STACK_METAVAR,
        help="Only these technologies; comma-separated or repeated (-s python,sql).",
    ),
    level: ExperienceLevel | None = typer.Option(
        None, "--level", "-l", parser=level_parser, help=f"Only this level: {LEVELS_HELP}."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the bank's questions (built-in packs plus your own)."""
    from preppath.bank.loader import load_bank
    from preppath.paths import resolve_paths

    settings_for(ctx)  # a broken config file is reported here too
    bank = load_bank(resolve_paths().packs_dir)
    stacks = set(split_stacks(stack))
    rows = [
        q
        for q in bank.questions
        if (type_ is None or q.type == type_.value)
        and (not stacks or stacks & set(q.stack))
        and (level is None or level.value in q.levels)
    ]
    if as_json:
        print_json(
            [
                {
                    "id": q.id,
                    "type": q.type,
                    "difficulty": q.difficulty,
                    "levels": list(q.levels),
                    "stack": list(q.stack),
                    "tags": list(q.tags),
                    "text": q.text,
                }
                for q in rows
            ]
        )
        return
    from rich.markup import escape

    # One entry per question, its text on an indented line of its own: a six-column table
    # cut the IDs short ("go-goroutin…") at 80 columns and left the text a word per line.
    for q in rows:
        facts = " · ".join((q.type, q.difficulty, ", ".join(q.levels), ", ".join(q.stack) or "—"))
        console.print(f"[bold]{escape(q.id)}[/]  [dim]{escape(facts)}[/]")
        print_indented(q.text)
    console.print(plural(len(rows), "question"))
    for error in bank.errors:
        console.print(f"[yellow]skipped:[/] {error}")


@app.command()
def validate(file: Path = typer.Argument(..., help="A question pack (.toml) to check.")) -> None:
    """Check a question pack; errors are printed as FILE:LINE: message."""
    from preppath.bank.loader import load_pack

    if not file.is_file():
        raise PrepPathError(f"{file} is not a file", ExitCode.NOT_FOUND)
    pack = load_pack(file)
    errors = [str(e) for e in pack.errors] + _clashes_with_builtin(file, pack.questions)
    for error in errors:
        typer.echo(error, err=True)
    if errors:
        raise PrepPathError(f"{file}: {plural(len(errors), 'error')}", ExitCode.INVALID)
    warnings = _scoring_warnings(file, pack.questions)
    for warning in warnings:
        typer.echo(warning, err=True)
    note = f", {plural(len(warnings), 'warning')}" if warnings else ""
    console.print(f"{file}: {plural(len(pack.questions), 'question')}, valid{note}")


def _scoring_warnings(file: Path, questions: tuple[Question, ...]) -> list[str]:
    """Data the scorer cannot use well: a model answer that misses its own key points, a claim
    that fires on the model answer, a phrasing that cannot match. Warnings, not errors."""
    from preppath.evaluation.bankcheck import question_findings

    lines = file.read_text(encoding="utf-8").splitlines()
    found = []
    for q in questions:
        line = next((n for n, text in enumerate(lines, 1) if f'"{q.id}"' in text), 0)
        found += [f"{file}:{line}: warning: {q.id}: {f}" for f in question_findings(q)]
    return found


def _clashes_with_builtin(file: Path, questions: tuple[Question, ...]) -> list[str]:
    """A user pack's IDs must not repeat the shipped bank's: such questions would be skipped."""
    from preppath.bank.loader import BUILTIN_DIR, load_bank

    if not questions or file.resolve().parent == BUILTIN_DIR.resolve():
        return []  # nothing loaded (an unreadable or oversized file is not read again)
    builtin = load_bank(None).by_id()
    lines = file.read_text(encoding="utf-8").splitlines()

    def line_of(ident: str) -> int:
        return next((n for n, text in enumerate(lines, 1) if f'"{ident}"' in text), 0)

    return [
        f"{file}:{line_of(q.id)}: question {q.id!r} repeats a built-in question; choose another id"
        for q in questions
        if q.id in builtin
    ]
