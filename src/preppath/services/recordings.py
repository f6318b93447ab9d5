"""Recording files and their rows kept in step, whatever kills the process and wherever.

A recording is first written under `recordings/.incoming/`, while this process holds an
exclusive lock on it (flock: the kernel drops it when the process dies, however it dies). It is
renamed into `recordings/<interview>/` inside the write transaction that stores its row, just
before that transaction commits, so the file is published in the same step as its row: a crash
before the rename leaves an unlocked incoming file, one between rename and commit a file no row
names. `sweep` removes both on the next open. Stored copies are named with a random token, so
two recordings can never share a name, however quickly they follow each other.

Standard library only: `sweep` runs on every command.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Iterable
from contextlib import closing
from datetime import datetime
from pathlib import Path

from preppath.storage import PRIVATE_FILE, exact_mode, narrow, narrow_contents, private_dir
from preppath.storage.local import LocalRecordingStore

try:
    import fcntl
except ImportError:  # Windows: no flock; leftovers are then recognised by age alone
    fcntl = None  # type: ignore[assignment]

INCOMING = ".incoming"
# A file is created under this prefix, locked, and only then renamed to its incoming name, so
# the sweep never sees an incoming file in the instant between its creation and its lock.
_NEW_PREFIX = ".new-"
_STALE_NEW_S = 3600.0  # a ".new-" file this old was abandoned mid-creation
_STALE_UNLOCKABLE_S = 86400.0  # without flock, an incoming file this old is a leftover
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")

_held: dict[Path, int] = {}
"""Incoming files this process is writing, with the descriptor that holds each one's lock."""


def new_incoming(recordings_dir: Path, suffix: str) -> Path:
    """A new, empty, private (0600) file for a recording in progress, locked by this process
    until `publish` or `discard`."""
    folder = private_dir(recordings_dir / INCOMING)
    suffix = suffix.lower() if _SUFFIX.fullmatch(suffix.lower()) else ""
    token = os.urandom(8).hex()  # as secrets.token_hex(8), without importing secrets
    fresh = folder / f"{_NEW_PREFIX}{token}{suffix}"
    fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        exact_mode(fd)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        path = folder / f"{token}{suffix}"
        fresh.rename(path)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            fresh.unlink()
        raise
    _held[path] = fd
    return path


def local_store(data_dir: Path) -> LocalRecordingStore:
    """The store of this machine's recordings; its keys are relative to the data folder."""
    return LocalRecordingStore(data_dir)


def stored_key(interview_id: int, position: int, at: datetime, suffix: str) -> str:
    """The key of a stored recording: its interview's folder, then question, time, and a token
    that makes it unique."""
    name = f"q{position}-{at:%Y%m%dT%H%M%S}-{os.urandom(6).hex()}{suffix.lower()}"
    return f"recordings/{interview_id}/{name}"


def publish(incoming: Path, store: LocalRecordingStore, key: str) -> Path:
    """Move an incoming recording to its stored place. Call it inside the write transaction
    that stores the row naming `key`, right before the commit."""
    store.put(incoming, key)
    _release(incoming)
    return store.path(key)


def discard(path: Path) -> None:
    """Remove a recording that will not be kept (incoming, or published but not committed)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _release(path)


def _release(path: Path) -> None:
    fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)


def remove_interview_files(
    store: LocalRecordingStore, interview_id: int, keys: Iterable[str]
) -> int:
    """After an interview's rows are gone: remove its recordings, its folder and anything else
    left in it (a recording from an older PrepPath interrupted mid-way); returns files removed."""
    removed = sum(store.delete(key) for key in set(keys))
    folder = store.root / "recordings" / str(interview_id)
    with contextlib.suppress(FileNotFoundError):
        for leftover in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
    with contextlib.suppress(OSError):
        folder.rmdir()
    return removed


def sweep(database: Path, recordings_dir: Path, *, timeout_s: float = 5.0) -> int:
    """Remove recording files that no row names and no live process is writing; returns how
    many. A housekeeping step: any failure leaves things as they were for the next open."""
    try:
        return _sweep(database, recordings_dir, timeout_s)
    except (OSError, sqlite3.Error):
        return 0


def _sweep(database: Path, recordings_dir: Path, timeout_s: float) -> int:
    if not recordings_dir.is_dir():
        return 0
    narrow_contents(recordings_dir)  # folders an older PrepPath made 0755
    removed = _sweep_incoming(recordings_dir / INCOMING)
    stored, folders = _stored_files(recordings_dir)
    if not stored and not folders:
        return removed
    with closing(sqlite3.connect(database, timeout=timeout_s, isolation_level=None)) as db:
        files, gone = _strays(db, stored, folders)
        if not files and not gone:  # the usual case: nothing to do, and no lock taken
            return removed
        # Under the write lock nobody is between publishing a file and committing its row, so
        # what no committed row names now is a leftover.
        db.execute("BEGIN IMMEDIATE")
        try:
            files, gone = _strays(db, stored, folders)
            for path in files:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
            for interview_id in gone:
                with contextlib.suppress(OSError):
                    (recordings_dir / str(interview_id)).rmdir()
                _keep_id_retired(db, interview_id)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return removed


def _sweep_incoming(folder: Path) -> int:
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    now = time.time()
    for entry in entries:
        path = Path(entry.path)
        if path in _held or not entry.is_file(follow_symlinks=False):
            continue
        if entry.name.startswith(_NEW_PREFIX):
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > _STALE_NEW_S:
                    path.unlink()
                    removed += 1
            continue
        removed += _remove_if_abandoned(path, now)
    return removed


def _remove_if_abandoned(path: Path, now: float) -> int:
    """Remove an incoming file whose writer is gone: its lock can be taken."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        if fcntl is None:
            if now - os.fstat(fd).st_mtime <= _STALE_UNLOCKABLE_S:
                return 0
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return 0  # a live process is writing it
        # The lock was free: the writer died, or just published or discarded it. Only the
        # first case leaves the same file at this name.
        if os.fstat(fd).st_ino != path.stat().st_ino:
            return 0
        path.unlink()
        return 1
    except OSError:
        return 0
    finally:
        os.close(fd)


def _stored_files(recordings_dir: Path) -> tuple[dict[tuple[str, str], Path], set[int]]:
    """Files in the per-interview folders, keyed by (folder, name); and those folders' IDs.

    Rows are matched on these two last parts of their path, not the whole path, so a data
    folder that was moved or reached through another path still matches its rows."""
    files: dict[tuple[str, str], Path] = {}
    folders: set[int] = set()
    for entry in os.scandir(recordings_dir):
        if not (entry.name.isascii() and entry.name.isdigit()):
            continue  # not ours (.incoming is handled apart)
        if not entry.is_dir(follow_symlinks=False):
            continue
        folders.add(int(entry.name))
        with contextlib.suppress(FileNotFoundError):
            for item in os.scandir(entry.path):
                if item.is_file(follow_symlinks=False):
                    files[(entry.name, item.name)] = Path(item.path)
                    narrow(Path(item.path), PRIVATE_FILE)  # stored by an older PrepPath
    return files, folders


def _strays(
    db: sqlite3.Connection, stored: dict[tuple[str, str], Path], folders: set[int]
) -> tuple[list[Path], list[int]]:
    named = {(Path(p).parent.name, Path(p).name) for (p,) in db.execute(
        "SELECT path FROM interview_recording"
    )}  # fmt: skip
    live = {int(i) for (i,) in db.execute("SELECT id FROM interview")}
    files = [path for key, path in stored.items() if key not in named]
    gone = sorted(folders - live)
    return files, gone


def _keep_id_retired(db: sqlite3.Connection, interview_id: int) -> None:
    """A folder left by a deleted interview proves its ID was used: never hand it out again
    (databases upgraded from before IDs were kept unique start from their highest live ID)."""
    updated = db.execute(
        "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'interview'", (interview_id,)
    ).rowcount
    if not updated:
        db.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('interview', ?)", (interview_id,)
        )
