"""`preppath questions …`: browse the question bank and check question packs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from preppath.cli.common import JSON_OPTION, command_group, console, print_json, settings_for
from preppath.domain import ExperienceLevel, QuestionType
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural

if TYPE_CHECKING:
    from preppath.providers.base import Question

app = command_group("Browse the offline question bank and validate question packs.")


@app.command("list")
def list_(
    ctx: typer.Context,
    type_: QuestionType | None = typer.Option(None, "--type", "-t", help="Only this type."),
    stack: str | None = typer.Option(None, "--stack", "-s", help="Only this technology."),
    level: ExperienceLevel | None = typer.Option(None, "--level", "-l", help="Only this level."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List the bank's questions (built-in packs plus your own)."""
    from preppath.bank.loader import load_bank
    from preppath.paths import resolve_paths

    settings_for(ctx)  # a broken config file is reported here too
    bank = load_bank(resolve_paths().packs_dir)
    rows = [
        q
        for q in bank.questions
        if (type_ is None or q.type == type_.value)
        and (stack is None or stack.lower() in q.stack)
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
    from rich.table import Table

    table = Table("ID", "Type", "Difficulty", "Levels", "Stack", "Question")
    for q in rows:
        table.add_row(q.id, q.type, q.difficulty, ",".join(q.levels), ",".join(q.stack), q.text)
    console.print(table)
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
    console.print(f"{file}: {plural(len(pack.questions), 'question')}, valid")


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
