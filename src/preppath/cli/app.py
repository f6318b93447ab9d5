"""The root command: global options and the command groups."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import typer

from preppath import __version__

if TYPE_CHECKING:
    from typer._click import Command

app = typer.Typer(
    name="preppath",
    help="PrepPath: practise job interviews out loud, offline, and track your progress.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # see cli.common.command_group
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    from preppath.cli import (
        audio,
        batch,
        config,
        doctor,
        interview,
        jobs,
        progress,
        questions,
        sync,
    )

    app.add_typer(interview.app, name="interview")
    app.add_typer(questions.app, name="questions")
    app.add_typer(config.app, name="config")
    app.add_typer(audio.app, name="audio")
    app.add_typer(jobs.app, name="jobs")
    app.add_typer(sync.app, name="sync")
    app.add_typer(batch.app, name="batch")  # batch practice from plan files
    progress.register(app)
    app.command()(doctor.doctor)
    # Listed last; `preppath version` itself is answered in __main__ before any of this loads.
    app.command("version")(version_command)

    return typer.main.get_command(app)
