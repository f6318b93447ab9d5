"""The root command: global options and the command groups."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import typer

from preppath import __version__
from preppath.cli import lightparams
from preppath.cli.lazy import LazyGroup, command, group, make_lazy

if TYPE_CHECKING:
    from typer._click import Command

lightparams.install()  # before any command runs: typer's pydantic adapters only on demand

app = typer.Typer(
    name="preppath",
    cls=LazyGroup,
    help="PrepPath: practise job interviews out loud, offline, and track your progress.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # see cli.common.command_group
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each is imported and built only when run (or listed by `--help`): see cli/lazy.py. A group
# added with app.add_typer in build_command works too, at the cost of importing it every run.
# Listed in this order, single commands first, as typer lists them.
COMMANDS = {
    "heatmap": command("preppath.cli.progress", "heatmap"),
    "stats": command("preppath.cli.progress", "stats"),
    "streak": command("preppath.cli.progress", "streak"),
    # `preppath version` itself is answered in __main__ before any of this loads.
    "version": command("preppath.cli.app", "version_command"),
    "interview": group("preppath.cli.interview"),
    "questions": group("preppath.cli.questions"),
    "config": group("preppath.cli.config"),
    "audio": group("preppath.cli.audio"),
    "achievements": group("preppath.cli.progress", "achievements_app"),
    "activity": group("preppath.cli.progress", "activity_app"),
    "jobs": group("preppath.cli.jobs"),
    "sync": group("preppath.cli.sync"),
    "batch": group("preppath.cli.batch"),
    "doctor": command("preppath.cli.doctor", "doctor"),
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"preppath {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    profile: str = typer.Option(
        "", "--profile", "-p", help="Profile to use (default: PREPPATH_PROFILE or 'default')."
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    ctx.obj = {"profile": profile or None}


def version_command() -> None:
    """Show the version (as `preppath --version` does)."""
    typer.echo(f"preppath {__version__}")


@cache
def build_command() -> Command:
    """The command tree, built once per process (groups must not be added twice)."""
    return make_lazy(typer.main.get_command(app), COMMANDS)
