"""`preppath interview share ID`: the report (and with --audio the recordings) uploaded to
the bucket under `shares/<interview global id>/`, and presigned GET links to them.

A presigned SigV4 link lives 7 days at most; shorter on request. The links are the only
place a signature appears: they are returned to be printed, never logged. The shared copies
go at the first push after the interview is deleted (see services/sync.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from preppath.errors import ExitCode, PrepPathError
from preppath.services.context import AppContext

MAX_EXPIRES_S = 7 * 24 * 3600
_DURATION = re.compile(r"(\d+)\s*(s|m|h|d|w)?")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> int:
    """'7d', '12h', '30m', '90s' or bare seconds, as seconds: between 1 s and 7 days."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise PrepPathError(
            f"invalid --expires {text!r}: give a duration like 7d, 12h, 30m or 90s",
            ExitCode.USAGE,
        )
    seconds = int(match.group(1)) * _UNIT_S[match.group(2) or "s"]
    if not 0 < seconds <= MAX_EXPIRES_S:
        raise PrepPathError(
            f"invalid --expires {text!r}: a share link lives at most 7 days (the S3 "
            "signature limit) and at least 1 second",
            ExitCode.USAGE,
        )
    return seconds


@dataclass(frozen=True)
class SharedFile:
    what: str
    url: str


@dataclass(frozen=True)
class ShareResult:
    interview_id: int
    expires_at: datetime
    links: list[SharedFile]

    def to_dict(self) -> dict[str, object]:
        return {
            "interview_id": self.interview_id,
            "expires_at": self.expires_at.isoformat(),
            "links": [{"what": f.what, "url": f.url} for f in self.links],
        }


def share_interview(
    ctx: AppContext, interview_id: int, *, audio: bool, expires_s: int = MAX_EXPIRES_S
) -> ShareResult:
    from preppath.services import recordings
    from preppath.services.reports import build_report, render
    from preppath.services.sync import open_bucket

    if not 0 < expires_s <= MAX_EXPIRES_S:
        raise PrepPathError("a share link lives at most 7 days", ExitCode.USAGE)
    report = build_report(ctx, interview_id)  # "not found" before any network
    with ctx.reader() as db:
        (gid,) = db.execute(
            "SELECT global_id FROM interview WHERE id = ?", (interview_id,)
        ).fetchone()
        files = db.execute(
            "SELECT q.position, r.path, r.format FROM interview_recording r"
            " JOIN interview_question q ON q.id = r.question_id WHERE q.interview_id = ?"
            " ORDER BY q.position, r.id",
            (interview_id,),
        ).fetchall()
    bucket = open_bucket(ctx)
    key = bucket.key("shares", gid, "report.html")
    bucket.upload_bytes(render(report, "html").encode(), key, "text/html; charset=utf-8")
    links = [SharedFile("report", bucket.presign(key, expires_s))]
    if audio:
        store = recordings.local_store(ctx.paths.data_dir)
        for n, (position, stored, fmt) in enumerate(files, start=1):
            name = f"q{position}-{n}.{fmt}"
            target = bucket.key("shares", gid, name)
            bucket.upload(store.path(stored), target, f"audio/{fmt}")
            links.append(
                SharedFile(f"question {position} recording", bucket.presign(target, expires_s))
            )
    expires_at = ctx.clock() + timedelta(seconds=expires_s)
    return ShareResult(interview_id, expires_at, links)
