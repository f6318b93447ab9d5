"""`preppath doctor`: per capability, what will be used and why, and whether it works."""

from __future__ import annotations

import typer

from preppath.cli.common import JSON_OPTION, console, print_json, settings_for
from preppath.errors import ExitCode


def doctor(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check each capability's provider, server, key and model, and find local servers.
    Exits 0 when every capability in use works, 6 (unavailable) otherwise."""
    from rich.markup import escape

    from preppath.services.doctor import run_doctor
    from preppath.settings_catalogue import describe

    settings = settings_for(ctx)
    sources = {v.key: v.source for v in describe(settings)}
    report = run_doctor(settings, sources)
    if as_json:
        print_json(report.to_dict())
    else:
        for name, cap in report.capabilities.items():
            c = cap.choice
            mark = "[green]ok[/]" if cap.ok else "[red]failing[/]"
            if c.provider == "openai":
                where = f"{c.model} at {c.base_url}, key from {c.key_from}"
            else:
                where = "built-in engine"
            console.print(f"[bold]{name}[/]: {c.provider} ({escape(where)}) {mark}")
            console.print(f"  why: {escape(c.reason)}", soft_wrap=True)
            for check in cap.checks:
                sign = "ok" if check.ok else "FAILED"
                console.print(f"  {check.what}: {sign}: {escape(check.detail)}", soft_wrap=True)
        for server in report.local_servers:
            used = f"; used by {', '.join(server.used_by)}" if server.used_by else ""
            models = ", ".join(server.models[:5]) or "no models"
            console.print(
                f"local server: {server.name} at {server.base_url} ({escape(models)}){used}",
                soft_wrap=True,
            )
        for hint in report.hints:
            console.print(f"hint: {escape(hint)}", soft_wrap=True)
        for problem in report.problems:
            console.print(f"problem: {escape(problem)}", soft_wrap=True)
        if report.ok:
            console.print("every capability in use works")
    if not report.ok:
        raise typer.Exit(int(ExitCode.UNAVAILABLE))
