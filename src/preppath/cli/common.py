"""Helpers every command uses: the console, JSON output, and opening the app context."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from preppath.services.context import AppContext

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JSON_OPTION = typer.Option(False, "--json", help="Print machine-readable JSON.")


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
