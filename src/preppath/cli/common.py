"""Helpers every command uses: the console, JSON output, and opening the app context."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

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
    from preppath.settings import load_settings

    overrides = {"profile": ctx.obj["profile"]} if ctx.obj and ctx.obj.get("profile") else {}
    return load_settings(**overrides)


def open_context(ctx: typer.Context) -> AppContext:
    from preppath.services.context import open_app

    return open_app(settings_for(ctx))


def print_json(value: Any) -> None:
    from preppath.services.views import jsonable

    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def notice(message: str) -> None:
    err_console.print(f"[yellow]note:[/] {message}", soft_wrap=True)
