"""`preppath config …`: show, set and locate settings."""

from __future__ import annotations

import typer

from preppath.cli.common import JSON_OPTION, command_group, console, print_json, settings_for

app = command_group("Show and change settings.")


@app.command()
def show(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Every setting, its value and where it came from (secrets masked)."""
    from preppath.settings import describe

    views = describe(settings_for(ctx))
    if as_json:
        print_json({v.key: {"value": v.value, "source": v.source} for v in views})
        return
    from rich.table import Table

    table = Table("Setting", "Value", "Source", "Meaning")
    for v in views:
        table.add_row(v.key, v.value, v.source, v.description)
    console.print(table)


@app.command("set")
def set_(key: str = typer.Argument(...), value: str = typer.Argument(...)) -> None:
    """Store a setting in the config file (environment variables still win)."""
    from preppath.settings import set_config_value

    view = set_config_value(key, value)
    console.print(f"{view.key} = {view.value} (in {view.source})")


@app.command()
def path() -> None:
    """Where PrepPath keeps its config, data, cache and logs."""
    from preppath.paths import resolve_paths

    paths = resolve_paths()
    for name, value in (
        ("config file", paths.config_file),
        ("question packs", paths.packs_dir),
        ("database", paths.database),
        ("recordings", paths.recordings_dir),
        ("cache", paths.cache_dir),
        ("logs", paths.log_dir),
    ):
        typer.echo(f"{name}: {value}")
