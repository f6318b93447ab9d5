"""`preppath jobs`: the background work queue (scoring now; transcription and speech later)."""

from __future__ import annotations

import typer

from preppath.cli.common import JSON_OPTION, command_group, console, open_context, print_json
from preppath.jobs.store import JobStatus

app = command_group("Background jobs: scoring answers, with retries; list, retry, cancel, resume.")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: JobStatus | None = typer.Option(None, "--status", help="Only jobs in this status."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Jobs, newest first, with their attempts and last error."""
    from preppath.services.jobs import list_jobs

    jobs = list_jobs(open_context(ctx, runs_jobs=True), status)
    if as_json:
        print_json(jobs)
        return
    if not jobs:
        console.print("No jobs.")
        return
    from rich.markup import escape

    for job in jobs:
        line = (
            f"{job.id:>5}  {job.kind:<13} {job.status:<9} "
            f"attempt {job.attempts}/{job.max_attempts}  {escape(job.subject)}"
        )
        if job.last_error and job.status != "done":
            line += f"  [dim]{escape(job.last_error)}[/]"
        console.print(line)


@app.command()
def retry(
    ctx: typer.Context,
    job_id: int | None = typer.Argument(None, metavar="[ID]"),
    all_failed: bool = typer.Option(False, "--all-failed", help="Retry every failed job."),
) -> None:
    """Queue a failed or cancelled job again with fresh attempts, and run it."""
    from preppath.errors import ExitCode, PrepPathError
    from preppath.services.jobs import resume_jobs, retry_jobs

    if (job_id is None) == (not all_failed):
        raise PrepPathError("give a job ID or --all-failed (not both)", ExitCode.USAGE)
    app_ctx = open_context(ctx, runs_jobs=True)
    queued = retry_jobs(app_ctx, job_id, all_failed=all_failed)
    if not queued:
        console.print("No failed jobs.")
        return
    _print_resumed(resume_jobs(app_ctx))


@app.command()
def cancel(ctx: typer.Context, job_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Cancel a job that has not finished; its answer stays saved, unscored."""
    from preppath.services.jobs import cancel_job

    job = cancel_job(open_context(ctx, runs_jobs=True), job_id)
    console.print(f"Cancelled job {job.id} ({job.kind}, {job.subject}).")


@app.command()
def resume(ctx: typer.Context) -> None:
    """Run what is queued, and what a process that was stopped or killed left running."""
    from preppath.services.jobs import resume_jobs

    _print_resumed(resume_jobs(open_context(ctx, runs_jobs=True)))


def _print_resumed(result: object) -> None:
    from preppath.services.jobs import ResumeResult

    assert isinstance(result, ResumeResult)
    parts = [f"{result.done} done", f"{result.failed} failed"]
    if result.waiting:
        parts.append(f"{result.waiting} still waiting")
    console.print("Jobs: " + ", ".join(parts) + ".")
    if result.failed:
        console.print("See why with `preppath jobs list --status failed`.")
