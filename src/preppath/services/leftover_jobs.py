"""Whether earlier runs left jobs unfinished: asked by every command that opens the database.

Almost always there are none, and one indexed count says so; only when a job is queued or
running does it load the job store to judge which of them are really left behind.
"""

from __future__ import annotations

from preppath.services.context import AppContext


def unfinished_count(ctx: AppContext) -> int:
    """As `services.jobs.unfinished_count`, without importing the job modules when no job is
    queued or running (the common case)."""
    with ctx.reader() as db:
        (active,) = db.execute(
            "SELECT count(*) FROM job WHERE profile_id = ? AND status IN ('queued', 'running')",
            (ctx.profile_id,),
        ).fetchone()
    if not active:
        return 0
    from preppath.services.jobs import unfinished_count as judged

    return judged(ctx)
