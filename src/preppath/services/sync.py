"""`preppath sync push|pull|status`: a profile's records and recordings kept in step with a
bucket, so several machines (each with its own PREPPATH_HOME) share one history.

One round: read the remote manifest (conditionally: an unchanged one costs a 304 and no
bytes), download the recordings it names that are missing here (each checked against its
sha256), merge it into the local records in one write transaction, then (push only) upload
the recordings the bucket lacks and replace the manifest with the merged records, on the
condition that nobody replaced it meanwhile (If-Match; If-None-Match for the first). A refused
write starts the round again from a fresh read. A killed push resumes where it stopped:
recordings already in the bucket are listed, not sent again. What the previous manifest
named and the new one does not (a deleted interview's recordings, its share links) is deleted.
Versioning on the bucket is not needed: recordings never change under a key, and the
manifest is replaced only by a conditional write.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from preppath.errors import ExitCode, PrepPathError
from preppath.services import recordings, sync_records
from preppath.services.context import AppContext
from preppath.storage import write_private_text
from preppath.storage.files import private_dir

if TYPE_CHECKING:
    from preppath.storage.s3 import Bucket

MAX_ROUNDS = 5  # refused manifest writes in a row before giving up


class Progress(Protocol):
    def start(self, label: str, total_bytes: int) -> None: ...
    def advance(self, nbytes: int) -> None: ...
    def stop(self) -> None: ...


class _Silent:
    def start(self, label: str, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass
class SyncReport:
    action: str
    dry_run: bool
    remote: str
    up_to_date: bool = False
    records_added: int = 0
    records_updated: int = 0
    records_deleted: int = 0
    records_sent: int = 0
    """Records (and tombstones) the written manifest holds that the replaced one did not."""
    uploads: int = 0
    downloads: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    remote_deleted: int = 0
    manifest_written: bool = False
    refused_writes: int = 0
    pending: dict[str, int] = field(default_factory=dict)
    """Dry run and status: what a push would change (records and recordings each way)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _State:
    etag: str | None
    sha256: str | None


def open_bucket(ctx: AppContext) -> Bucket:
    from preppath.storage.s3 import connect

    s = ctx.settings
    return connect(
        bucket=s.s3_bucket,
        prefix=s.s3_prefix,
        endpoint_url=s.s3_endpoint_url,
        region=s.s3_region,
        profile=ctx.profile,
        transfers=s.s3_transfers,
    )


def push(ctx: AppContext, *, dry_run: bool = False, progress: Progress | None = None) -> SyncReport:
    return _sync(ctx, "push", dry_run, progress or _Silent())


def pull(ctx: AppContext, *, dry_run: bool = False, progress: Progress | None = None) -> SyncReport:
    return _sync(ctx, "pull", dry_run, progress or _Silent())


def status(ctx: AppContext) -> SyncReport:
    """What a push would do now, changing nothing here or there."""
    report = _sync(ctx, "push", True, _Silent())
    report.action = "status"
    return report


def _sync(ctx: AppContext, action: str, dry_run: bool, progress: Progress) -> SyncReport:
    from preppath.storage.s3 import ManifestConflict

    bucket = open_bucket(ctx)
    report = SyncReport(action, dry_run, bucket.where)
    state = _load_state(ctx)
    fresh = False
    for _round in range(MAX_ROUNDS):
        use_copy = state.etag is not None and not fresh and _state_file(ctx).is_file()
        body, etag = bucket.get_manifest(state.etag if use_copy else None)
        if body is not None:
            report.bytes_received += len(body)
            base = _parse(body, bucket.where)
        elif etag is not None:  # HTTP 304: the bucket holds what we merged last
            if not dry_run and _sha(_export(ctx)) == state.sha256:
                report.up_to_date = True  # the usual case: nothing to read, merge or send
                return report
            copy = _load_copy(ctx, state.sha256)
            if copy is None:  # the private copy is gone or damaged: read the manifest whole
                fresh = True
                continue
            base = copy
        else:
            base = sync_records.empty(ctx.profile)
        base_sha = _sha(base) if etag else None
        if dry_run:
            _plan(ctx, bucket, base, report, listing=action == "push")
            return report
        if body is not None:
            _download_and_merge(ctx, bucket, base, report, progress)
        local = _export(ctx)
        local_sha = _sha(local)
        if action == "pull" or local_sha == base_sha:
            report.up_to_date = local_sha == base_sha
            if body is not None:
                _save_state(ctx, etag, base_sha, base)
            return report
        _upload_missing(ctx, bucket, local, report, progress)
        payload = sync_records.canonical(local)
        try:
            new_etag = bucket.put_manifest(payload, etag)
        except ManifestConflict:
            report.refused_writes += 1
            fresh = True
            continue
        report.manifest_written = True
        report.bytes_sent += len(payload)
        sent = sync_records.differences(local, base)
        report.records_sent = sent["local_only"] + sent["changed"] + sent["tombstones_to_send"]
        report.remote_deleted += _collect_garbage(bucket, base, local)
        _save_state(ctx, new_etag, local_sha, local)
        return report
    raise PrepPathError(
        f"the manifest in {bucket.where} kept changing while pushing ({MAX_ROUNDS} refused "
        "writes); nothing was lost, run the push again",
        ExitCode.UNAVAILABLE,
    )


def _parse(body: bytes, where: str) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("records"), dict):
        raise PrepPathError(
            f"the manifest in {where} is not readable (damaged?); nothing here was changed",
            ExitCode.DATA,
        )
    return manifest


def _sha(manifest: dict[str, Any]) -> str:
    return hashlib.sha256(sync_records.canonical(manifest)).hexdigest()


def _export(ctx: AppContext) -> dict[str, Any]:
    with ctx.reader() as db:
        return sync_records.export(db, ctx.profile_id)


# --- downloading and merging ------------------------------------------------------------


def _download_and_merge(
    ctx: AppContext, bucket: Bucket, base: dict[str, Any], report: SyncReport, progress: Progress
) -> None:
    have = _local_files(ctx)
    wanted = _wanted_blobs(ctx, base)
    incoming: dict[str, Path] = {}
    used: set[str] = set()
    store = recordings.local_store(ctx.paths.data_dir)
    try:
        for sha in wanted:
            incoming[sha] = recordings.new_incoming(ctx.paths.recordings_dir, ".blob")
        to_fetch = {sha: size for sha, size in wanted.items() if sha not in have}
        for sha in wanted.keys() & have.keys():  # the same bytes are here already
            with have[sha].open("rb") as src, incoming[sha].open("r+b") as dst:
                shutil.copyfileobj(src, dst)
        progress.start("pulling recordings", sum(to_fetch.values()))

        def fetch(sha: str) -> int:
            with incoming[sha].open("r+b") as out:
                return bucket.download_blob(sha, out, progress.advance)

        for size in _in_pool(ctx, fetch, to_fetch):
            report.downloads += 1
            report.bytes_received += size
        progress.stop()

        first_key: dict[str, str] = {}

        def place(sha: str, interview_id: int, name: str) -> str:
            key = f"recordings/{interview_id}/{_safe_name(name)}"
            if store.path(key).exists():  # never replace a file another row names
                key = recordings.stored_key(interview_id, 0, ctx.clock(), Path(name).suffix)
            source = incoming[sha]
            if sha in used:  # two recordings of identical bytes: each gets its own file
                source = recordings.new_incoming(ctx.paths.recordings_dir, ".blob")
                shutil.copyfile(store.path(first_key[sha]), source)
            used.add(sha)
            first_key.setdefault(sha, key)
            recordings.publish(source, store, key)
            return key

        with ctx.transaction() as db:
            result = sync_records.merge(db, ctx.profile_id, base, ctx.tz, place)
        report.records_added += result.added
        report.records_updated += result.updated
        report.records_deleted += result.deleted
        for interview_id, keys in result.removed_files:
            if interview_id < 0:
                for key in keys:
                    store.delete(key)
            else:
                recordings.remove_interview_files(store, interview_id, keys)
    finally:
        progress.stop()
        for sha, path in incoming.items():
            if sha not in used:
                recordings.discard(path)


def _safe_name(name: str) -> str:
    """A remote file name as a local one: no folder parts, nothing hidden."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lstrip(".")
    return base or "recording"


def _local_files(ctx: AppContext) -> dict[str, Path]:
    store = recordings.local_store(ctx.paths.data_dir)
    with ctx.reader() as db:
        rows = db.execute("SELECT sha256, path FROM interview_recording").fetchall()
    return {sha: store.path(key) for sha, key in rows if store.path(key).is_file()}


def _wanted_blobs(ctx: AppContext, base: dict[str, Any]) -> dict[str, int]:
    """Recordings the manifest names that this machine lacks and will keep."""
    with ctx.reader() as db:
        known = {g for (g,) in db.execute("SELECT global_id FROM interview_recording")}
        dead = {g for (g,) in db.execute("SELECT global_id FROM sync_tombstone")}
    dead |= {g for stones in base.get("tombstones", {}).values() for g in stones}
    out: dict[str, int] = {}
    for gid, rec in base.get("records", {}).get("interview_recording", {}).items():
        if gid not in known and gid not in dead and rec.get("parent") not in dead:
            out[str(rec["sha256"])] = int(rec["size_bytes"])
    return out


# --- uploading -----------------------------------------------------------------------------


def _upload_missing(
    ctx: AppContext,
    bucket: Bucket,
    local: dict[str, Any],
    report: SyncReport,
    progress: Progress,
) -> None:
    present = _remote_blobs(bucket)
    needed = {s: n for s, n in sync_records.blobs_of(local).items() if present.get(s) != n}
    if not needed:
        return
    files = _local_files(ctx)
    missing = sorted(needed.keys() - files.keys())
    if missing:
        raise PrepPathError(
            f"{len(missing)} recording(s) named by the database are missing from "
            f"{ctx.paths.recordings_dir}; nothing was pushed",
            ExitCode.DATA,
        )
    progress.start("pushing recordings", sum(needed.values()))

    def send(sha: str) -> int:
        size = bucket.upload(files[sha], bucket.key("blobs", sha), "application/octet-stream")
        progress.advance(size)
        return size

    try:
        for size in _in_pool(ctx, send, needed):
            report.uploads += 1
            report.bytes_sent += size
    finally:
        progress.stop()


def _remote_blobs(bucket: Bucket) -> dict[str, int]:
    prefix = bucket.key("blobs", "")
    return {k[len(prefix) :]: n for k, n in bucket.list_sizes("blobs", "").items()}


def _in_pool(ctx: AppContext, work: Callable[[str], int], items: Iterable[str]) -> list[int]:
    """Run transfers in a bounded pool of their own; the first failure stops the rest."""
    todo = sorted(items)
    if not todo:
        return []
    pool = ThreadPoolExecutor(
        max_workers=ctx.settings.s3_transfers, thread_name_prefix="preppath-sync"
    )
    try:
        futures = [pool.submit(work, item) for item in todo]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                for other in futures:
                    other.cancel()
                wait(futures)
                raise future.exception()  # type: ignore[misc]
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect_garbage(bucket: Bucket, before: dict[str, Any], after: dict[str, Any]) -> int:
    """Delete what the replaced manifest named and the new one does not: recordings no
    record uses any more, and the share links of interviews deleted since."""
    gone_blobs = sync_records.blobs_of(before).keys() - sync_records.blobs_of(after).keys()
    keys = [bucket.key("blobs", sha) for sha in sorted(gone_blobs)]
    was = set(before.get("tombstones", {}).get("interview", {}))
    for gid in sorted(set(after.get("tombstones", {}).get("interview", {})) - was):
        keys += sorted(bucket.list_sizes("shares", gid, ""))
    if keys:
        bucket.delete(keys)
    return len(keys)


# --- dry runs --------------------------------------------------------------------------


def _plan(
    ctx: AppContext, bucket: Bucket, base: dict[str, Any], report: SyncReport, *, listing: bool
) -> None:
    local = _export(ctx)
    diff = sync_records.differences(local, base)
    wanted = _wanted_blobs(ctx, base)
    have = _local_files(ctx)
    pending = {
        "records_to_pull": diff["remote_only"],
        "records_to_push": diff["local_only"] + diff["tombstones_to_send"],
        "records_differing": diff["changed"],
        "recordings_to_download": len(wanted.keys() - have.keys()),
        "bytes_to_download": sum(n for s, n in wanted.items() if s not in have),
    }
    if listing:
        present = _remote_blobs(bucket)
        up = {s: n for s, n in sync_records.blobs_of(local).items() if present.get(s) != n}
        pending["recordings_to_upload"] = len(up)
        pending["bytes_to_upload"] = sum(up.values())
    report.pending = pending
    report.up_to_date = not any(pending.values())


# --- local state -----------------------------------------------------------------------


def _state_file(ctx: AppContext) -> Path:
    return ctx.paths.data_dir / "sync" / f"manifest-{ctx.profile_id}.json"


def _load_state(ctx: AppContext) -> _State:
    with ctx.reader() as db:
        row = db.execute(
            "SELECT manifest_etag, manifest_sha256 FROM sync_state WHERE profile_id = ?",
            (ctx.profile_id,),
        ).fetchone()
    return _State(None, None) if row is None else _State(row[0], row[1])


def _load_copy(ctx: AppContext, sha: str | None) -> dict[str, Any] | None:
    """The private copy of the manifest merged last, if it is exactly that one."""
    with contextlib.suppress(OSError, ValueError):
        loaded = json.loads(_state_file(ctx).read_text(encoding="utf-8"))
        if isinstance(loaded, dict) and _sha(loaded) == sha:
            return loaded
    return None


def _save_state(
    ctx: AppContext, etag: str | None, sha: str | None, manifest: dict[str, Any] | None
) -> None:
    """Remember the manifest merged last: the next round asks for it with If-None-Match and
    needs its content to know what a push drops. The copy holds answers: private."""
    if manifest is not None:
        private_dir(_state_file(ctx).parent)
        write_private_text(_state_file(ctx), sync_records.canonical(manifest).decode())
    with ctx.transaction() as db:
        db.execute(
            "INSERT INTO sync_state (profile_id, manifest_etag, manifest_sha256, synced_at)"
            " VALUES (?, ?, ?, strftime('%Y-%m-%d %H:%M:%f000', 'now'))"
            " ON CONFLICT (profile_id) DO UPDATE SET manifest_etag = excluded.manifest_etag,"
            " manifest_sha256 = excluded.manifest_sha256, synced_at = excluded.synced_at",
            (ctx.profile_id, etag, sha),
        )
