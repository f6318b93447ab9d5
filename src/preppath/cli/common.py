"""Helpers every command uses: the console, JSON output, and opening the app context."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

from preppath.domain import parse_interview_type, parse_level, parse_question_type

if TYPE_CHECKING:
    from rich.console import Console

    from preppath.services.context import AppContext


class _LazyConsole:
    """A rich Console built on first use: importing rich.console costs ~16 ms that `--help`
    and JSON output never need."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        """The Console itself, for rich objects that use it as a context manager (Live)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr, highlight=False)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """Console.print, except that output for a pipe or file is never cut to a width: a
        pipe has no width, and `interview list | cat` must not read "2026-12-…" or
        "in_progr…". There, tables take their natural width and plain text is not wrapped;
        a terminal keeps rich's own fitting."""
        real = self.real
        if real.is_terminal or not _unbounded_for_pipe(real, objects, kwargs):
            real.print(*objects, **kwargs)
            return
        # Console.print never draws wider than the console, so the console is made wide
        # for this call: a pipe's width is fixed, so restoring the number it had is exact.
        before = real.width
        real.width = UNBOUNDED
        try:
            real.print(*objects, **kwargs)
        finally:
            real.width = before


def _unbounded_for_pipe(real: Console, objects: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Set `kwargs` so the objects print whole in a pipe; True when they are tables alone that
    do not expand, which print at their natural width once the console is unbounded: the
    width at which no cell wraps, found in the one measuring pass that drawing makes anyway,
    instead of a measure to learn that width and a second to draw at it (the cost of tables
    in a pipe grows with their rows)."""
    # No Table can exist unless rich.table was imported: looked up, not imported, so that
    # printing a line or a panel does not load the table code (and fractions, decimal).
    table_module = sys.modules.get("rich.table")
    tables = [
        o
        for o in objects
        if table_module is not None and isinstance(o, table_module.Table) and o.width is None
    ]
    if tables:
        kwargs.setdefault("crop", False)
        if len(tables) == len(objects) and not any(t.expand for t in tables):
            return True
        from rich.measure import Measurement

        for table in tables:
            natural = Measurement.get(real, real.options.update(width=UNBOUNDED), table).maximum
            if natural > real.width:
                table.width = natural
    elif all(isinstance(o, str) for o in objects):
        kwargs.setdefault("soft_wrap", True)
    return False


UNBOUNDED = 1 << 20  # columns: wider than any table, so "no limit" to rich's layout


console: Console = _LazyConsole()  # type: ignore[assignment]
err_console: Console = _LazyConsole(stderr=True)  # type: ignore[assignment]


def real_console() -> Console:
    return console.real  # type: ignore[attr-defined, no-any-return]


def command_group(help: str) -> typer.Typer:
    """A Typer group with plain help: Typer's rich help pulls in a Markdown parser and costs
    ~40 ms on every `--help`, more than the rest of start-up together."""
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)


JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")
FORCE_OPTION = typer.Option(False, "--force", help="Replace the output file if it exists.")


def settings_for(ctx: typer.Context) -> Any:
    from preppath.light_settings import load

    overrides = {"profile": ctx.obj["profile"]} if ctx.obj and ctx.obj.get("profile") else {}
    return load(**overrides)


def open_context(ctx: typer.Context, *, runs_jobs: bool = False) -> AppContext:
    """The app context; says in one line when earlier runs left jobs unfinished, unless the
    command (`jobs …`, `interview answer`/`start`) is about to run them itself."""
    from preppath.services.context import open_app

    app_ctx = open_app(settings_for(ctx))
    if not runs_jobs:
        from preppath.services.leftover_jobs import unfinished_count

        left = unfinished_count(app_ctx)
        if left:
            from preppath.messages import plural

            notice(
                f"{plural(left, 'job')} left unfinished by an earlier run; "
                "`preppath jobs resume` runs them"
            )
    return app_ctx


def print_json(value: Any) -> None:
    from preppath.services.views import jsonable

    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def print_indented(text: str, indent: int = 2) -> None:
    """Text (taken literally) under an entry: in a terminal it wraps at words and keeps its
    indent; for a pipe it is one line."""
    from rich.markup import escape

    if not console.is_terminal:
        console.print(" " * indent + escape(text))
        return
    from rich.padding import Padding

    console.print(Padding(escape(text), (0, 0, 0, indent)))


def notice(message: str) -> None:
    """A `note:` on standard error, its text taken literally (a role may contain brackets).
    In a terminal it wraps at word boundaries under its own indent: a long note breaking
    mid-word at 60 columns is hard to read. Elsewhere it stays one line, as logs expect."""
    from rich.markup import escape

    if not err_console.is_terminal:
        err_console.print(f"[yellow]note:[/] {escape(message)}", soft_wrap=True)
        return
    import textwrap

    # Long words (paths) stay whole: the terminal may fold them, but no word is split here.
    lines = textwrap.wrap(
        message,
        width=max(20, err_console.width - len("note: ")),
        break_long_words=False,
        break_on_hyphens=False,
    )
    body = "\n      ".join(escape(line) for line in lines)
    err_console.print(f"[yellow]note:[/] {body}", soft_wrap=True)


def _parser(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """A typer `parser` from one of the domain's parsers: its ValueError becomes a usage
    error worded by the domain ("'quiz' is not an interview type; use …")."""

    def parser(value: Any) -> Any:
        if not isinstance(value, str) or isinstance(value, Enum):  # a default, already parsed
            return value
        try:
            return parse(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parser


interview_type_parser = _parser(parse_interview_type)
question_type_parser = _parser(parse_question_type)
level_parser = _parser(parse_level)

TYPES_HELP = "technical, behavioral, system_design or mixed (behavioural, sd … work too)"
LEVELS_HELP = "junior, mid, senior or lead"
STACK_HELP = (
    "Technology to focus on; comma-separated or repeated for several (-s python,sql or "
    "-s python -s sql)."
)
STACK_METAVAR = "TECH[,TECH…]"
