"""`preppath sync push|pull|status`: keep this profile in step with an S3 bucket."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from preppath.cli.common import JSON_OPTION, command_group, console, open_context, print_json
from preppath.messages import plural

if TYPE_CHECKING:
    from preppath.services.sync import Progress, SyncReport

app = command_group("Sync this profile's records and recordings with an S3 bucket.")

DRY_RUN = typer.Option(False, "--dry-run", "-n", help="Say what would change; change nothing.")


@app.command()
def push(ctx: typer.Context, dry_run: bool = DRY_RUN, as_json: bool = JSON_OPTION) -> None:
    """Merge the bucket's records here, then send what it lacks (records and recordings)."""
    from preppath.services.sync import push as run_push

    _show(run_push(open_context(ctx), dry_run=dry_run, progress=_progress(as_json)), as_json)


@app.command()
def pull(ctx: typer.Context, dry_run: bool = DRY_RUN, as_json: bool = JSON_OPTION) -> None:
    """Merge the bucket's records and recordings here; send nothing."""
    from preppath.services.sync import pull as run_pull

    _show(run_pull(open_context(ctx), dry_run=dry_run, progress=_progress(as_json)), as_json)


@app.command()
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """What a push would change, each way; changes nothing."""
    from preppath.services.sync import status as run_status

    _show(run_status(open_context(ctx)), as_json)


def _progress(as_json: bool) -> Progress | None:
    """A progress bar for transfers, only when a person watches a terminal."""
    if as_json or not sys.stderr.isatty():
        return None
    from preppath.cli.sync_progress import BarProgress

    return BarProgress()


def _show(report: SyncReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    lead = "Would" if report.dry_run else ""
    if report.pending or report.action == "status":
        p = report.pending
        console.print(
            f"{report.remote}: {p.get('records_to_push', 0)} record(s) to push, "
            f"{p.get('records_to_pull', 0)} to pull, {p.get('records_differing', 0)} differing; "
            f"{p.get('recordings_to_upload', 0)} recording(s) to upload "
            f"({_mb(p.get('bytes_to_upload', 0))}), {p.get('recordings_to_download', 0)} to "
            f"download ({_mb(p.get('bytes_to_download', 0))})."
            + (" Up to date." if report.up_to_date else "")
        )
        return
    if report.up_to_date and not (report.records_added or report.uploads):
        console.print(f"{report.remote}: up to date; nothing was transferred.")
        return
    parts = [
        *([f"{plural(report.records_sent, 'record')} sent"] if report.action == "push" else []),
        f"{plural(report.records_added, 'record')} added here",
        f"{report.records_updated} updated",
        f"{report.records_deleted} deleted",
        f"{plural(report.uploads, 'recording')} uploaded ({_mb(report.bytes_sent)} sent)",
        f"{report.downloads} downloaded ({_mb(report.bytes_received)} received)",
    ]
    if report.remote_deleted:
        parts.append(f"{plural(report.remote_deleted, 'remote object')} deleted")
    console.print(f"{lead}{report.remote}: " + ", ".join(parts) + ".")


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n:,} bytes"
