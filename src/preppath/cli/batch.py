"""`preppath batch …`: run a plan of interviews and answers without prompts, or check one."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from preppath.cli.common import (
    FORCE_OPTION,
    JSON_OPTION,
    command_group,
    console,
    err_console,
    notice,
    open_context,
    print_json,
)
from preppath.errors import ExitCode, PrepPathError
from preppath.messages import plural

if TYPE_CHECKING:
    from preppath.batch.plan import Plan
    from preppath.services.batch import BatchItem

app = command_group("Run a plan of interviews and answers from a YAML file, or check one.")

PLAN_ARG = typer.Argument(..., metavar="PLAN.yaml", help="The plan file (see docs/batch.md).")


@app.command()
def validate(ctx: typer.Context, plan_file: Path = PLAN_ARG, as_json: bool = JSON_OPTION) -> None:
    """Check a plan: every problem as FILE:LINE: message, nothing run."""
    from preppath.batch.plan import PlanInvalid

    try:
        plan = _checked(plan_file)
    except PlanInvalid as invalid:
        if as_json:
            print_json({"plan": str(plan_file), "valid": False, "problems": invalid.problems})
            raise typer.Exit(ExitCode.INVALID) from None
        raise
    if as_json:
        print_json(
            {
                "plan": str(plan_file),
                "valid": True,
                "problems": [],
                "interviews": len(plan.interviews),
                "answers": plan.answer_count,
            }
        )
        return
    console.print(
        f"{plan_file}: valid, {plural(len(plan.interviews), 'interview')},"
        f" {plural(plan.answer_count, 'answer')}"
    )


@app.command()
def run(
    ctx: typer.Context,
    plan_file: Path = PLAN_ARG,
    as_json: bool = typer.Option(
        False, "--json", help="Print the results as JSON (and nothing else) on standard output."
    ),
    csv_file: Path | None = typer.Option(
        None, "--csv", metavar="FILE", help="Also write the results to this CSV file."
    ),
    force: bool = FORCE_OPTION,
    workers: int = typer.Option(
        2,
        "--workers",
        min=1,
        max=8,
        metavar="N",
        help="Answers scored at once (1-8; 1 runs them in order).",
    ),
    restart: bool = typer.Option(
        False, "--restart", help="Run the plan again from the start, in new interviews."
    ),
) -> None:
    """Run a plan: create its interviews, answer every question it answers, and print a
    summary. A re-run of the same plan resumes where an interrupted one stopped.

    Exits 0 when every item succeeded, otherwise with the code of the first failed item
    (5 for a bad answer or audio file, 6 for a provider that cannot be reached)."""
    from preppath.services.batch import run_plan

    plan = _checked(plan_file)  # before the database is touched
    if csv_file is not None and not force and (csv_file.exists() or csv_file.is_symlink()):
        raise PrepPathError(f"{csv_file} already exists; add --force to replace it", ExitCode.USAGE)
    app_ctx = open_context(ctx)
    with _progress(plan) as on_item:
        result = run_plan(app_ctx, plan, workers=workers, restart=restart, on_item=on_item)
    for message in result.notices:
        notice(message)
    if csv_file is not None:
        from preppath.cli.batch_output import results_csv
        from preppath.files import write_output

        write_output(csv_file, results_csv(result).encode(), force=force, private=True)
    if as_json:
        print_json(result)
    else:
        from preppath.cli.batch_output import print_summary

        print_summary(result)
        if csv_file is not None:
            console.print(f"Results written to {csv_file}")
    if result.failed:
        raise typer.Exit(result.exit_code)


def _checked(plan_file: Path) -> Plan:
    """The plan, or every problem in it on standard error and exit 5."""
    from preppath.batch.plan import PlanInvalid
    from preppath.paths import resolve_paths
    from preppath.services.batch import check_plan

    try:
        return check_plan(resolve_paths().packs_dir, plan_file)
    except PlanInvalid as invalid:
        for problem in invalid.problems:
            typer.echo(problem, err=True)
        raise


@contextmanager
def _progress(plan: Plan) -> Iterator[Callable[[BatchItem], None]]:
    """A progress bar on a terminal; elsewhere one plain line per item on standard error,
    which a log or a watching script can read."""
    from preppath.cli.batch_output import item_line

    total = plan.answer_count
    if not err_console.is_terminal:
        done = 0

        def line(item: BatchItem) -> None:
            nonlocal done
            done += 1
            typer.echo(f"[{done}/{total}] {item_line(item)}", err=True)

        yield line
        return
    from rich.progress import Progress

    with Progress(console=err_console.real, transient=True) as bar:  # type: ignore[attr-defined]
        task = bar.add_task("answering", total=total)
        yield lambda item: bar.update(task, advance=1, description=item_line(item))
