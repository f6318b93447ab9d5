"""`preppath config …`: show, set and locate settings."""

from __future__ import annotations

import sys

import typer

from preppath.cli.common import (
    JSON_OPTION,
    command_group,
    console,
    notice,
    print_json,
    settings_for,
)
from preppath.errors import ExitCode, PrepPathError

app = command_group("Show and change settings.")

# Longer than any API key; a bound so that piping a large file in cannot exhaust memory.
MAX_KEY_CHARS = 4096


@app.command()
def show(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every setting, its value and where it came from (secrets masked)."""
    from preppath.providers.choice import explain
    from preppath.settings_catalogue import describe

    settings = settings_for(ctx)
    views = describe(settings)
    used = explain(settings, {v.key: v.source for v in views})
    if as_json:
        shown: dict[str, object] = {v.key: {"value": v.value, "source": v.source} for v in views}
        print_json(shown | {"capabilities": {u.capability: u.to_dict() for u in used}})
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table("Setting", "Value", "Source", "Meaning")
    for v in views:
        table.add_row(v.key, v.value, v.source, v.description)
    console.print(table)
    for u in used:  # what each capability uses, and the setting that decided it
        console.print(f"{u.capability}: {escape(u.summary())}", soft_wrap=True)


# A value such as -1 is a value here, not an unknown option.
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(key: str = typer.Argument(...), value: str = typer.Argument(...)) -> None:
    """Store a setting in the config file, keeping its comments (environment variables still
    win). The API key is set with `preppath config set-key`, never on the command line."""
    from preppath.settings import set_config_value

    view = set_config_value(key, value)
    console.print(f"{view.key} = {view.value} (in {view.source})", soft_wrap=True)
    _note_override(key)


@app.command("set-key")
def set_key(
    capability: str = typer.Option(
        "",
        "--for",
        help="Store the key of one capability's own server (questions, evaluation, "
        "transcription or speech) instead of the shared openai_api_key.",
    ),
) -> None:
    """Store the OpenAI API key: typed at a hidden prompt, or piped on standard input
    (`pass show openai | preppath config set-key`)."""
    from preppath.providers.choice import PREFIX
    from preppath.settings import store_secret

    setting = "openai_api_key"
    if capability:
        if capability not in PREFIX:
            from preppath.messages import choices

            raise PrepPathError(
                f"--for must be one of {choices(PREFIX)}, not {capability!r}", ExitCode.USAGE
            )
        setting = f"{PREFIX[capability]}_api_key"

    if sys.stdin.isatty():
        key = typer.prompt(
            "OpenAI API key (hidden)", hide_input=True, default="", show_default=False
        )
    else:
        key = sys.stdin.readline(MAX_KEY_CHARS + 1)
        if len(key.rstrip("\r\n")) > MAX_KEY_CHARS:
            raise PrepPathError(
                f"the key on standard input is over {MAX_KEY_CHARS:,} characters; "
                "pipe in the key alone",
                ExitCode.INVALID,
            )
    view = store_secret(setting, key)
    console.print(f"{view.key} = {view.value} (in {view.source})", soft_wrap=True)
    _note_override(setting)


@app.command()
def unset(key: str = typer.Argument(...)) -> None:
    """Remove a setting from the config file, so its default applies again."""
    from preppath.settings import unset_config_value

    view = unset_config_value(key)
    console.print(f"{view.key} removed from the config file; now {view.value}", soft_wrap=True)
    _note_override(key)


def _note_override(key: str) -> None:
    from preppath.settings import overridden_by

    winner = overridden_by(key)
    if winner:
        notice(f"{winner} is set and takes precedence over the config file")


@app.command()
def path(as_json: bool = JSON_OPTION) -> None:
    """Where PrepPath keeps its config, data, cache and logs."""
    from preppath.paths import resolve_paths

    paths = resolve_paths()
    places = {
        "config_file": paths.config_file,
        "question_packs": paths.packs_dir,
        "database": paths.database,
        "recordings": paths.recordings_dir,
        "cache": paths.cache_dir,
        "logs": paths.log_dir,
    }
    if as_json:
        print_json({name: str(value) for name, value in places.items()})
        return
    for name, value in places.items():
        typer.echo(f"{name.replace('_', ' ')}: {value}")
