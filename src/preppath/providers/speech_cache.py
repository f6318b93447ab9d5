"""Synthesised speech kept on disk, so a question spoken before costs no request and no wait.

One file per (text, voice, model, format) under the cache dir, named by a hash of the four: the
text of a question is a person's interview, so files are 0600 in a 0700 folder. A file is
written under a temporary name and renamed into place only when the whole audio has arrived,
so an interrupted download is never replayed as if complete.

The folder is bounded (`speech_cache_max_mb`, 200 MB): after each write the least recently
used files go until the rest fit. Playing a file marks it used (its modification time is set
to now, since access times are often not kept), so the questions being practised stay.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from preppath.storage import exact_mode, private_dir

PRIVATE_FILE = 0o600
MB = 1024 * 1024
STALE_TMP_S = 3600.0  # a download takes seconds; a temporary file this old was abandoned


def limit_bytes(max_mb: int) -> int | None:
    """The setting in bytes; 0 means no limit."""
    return max_mb * MB if max_mb > 0 else None


class SpeechCache:
    def __init__(self, folder: Path, *, max_bytes: int | None = None) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def path(self, text: str, voice: str, model: str, fmt: str) -> Path:
        key = json.dumps([text, voice, model, fmt], ensure_ascii=False).encode()
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}.{fmt}"

    def read(self, path: Path) -> bytes | None:
        try:
            data = path.read_bytes() or None
        except OSError:  # not cached yet, or unreadable: fetch it again
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used just now: the last to be evicted
        return data

    def writer(self, path: Path) -> CacheWriter:
        return CacheWriter(self.folder, path, on_commit=self.evict)

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Remove least recently used files until the folder fits the limit; `keep` (the file
        just written) stays even if it alone is over. Returns what was removed."""
        if self.max_bytes is None:
            return []
        files = []
        stale = time.time() - STALE_TMP_S
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder):
                if not entry.is_file(follow_symlinks=False):
                    continue
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    if not entry.name.startswith("."):
                        files.append((info.st_mtime, info.st_size, Path(entry.path)))
                    elif entry.name.endswith(".tmp") and info.st_mtime < stale:
                        Path(entry.path).unlink()  # left by a process killed mid-download
        total = sum(size for _, size, _ in files)
        removed = []
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            if keep is not None and path == keep:
                continue
            with contextlib.suppress(FileNotFoundError):  # another process evicted it first
                path.unlink()
                removed.append(path)
            total -= size
        return removed


class CacheWriter:
    """Appends audio as it streams in; `commit()` publishes it, `discard()` drops it."""

    def __init__(
        self, folder: Path, path: Path, on_commit: Callable[[Path], object] | None = None
    ) -> None:
        self._path = path
        self._on_commit = on_commit
        self._fd: int | None = None
        try:
            private_dir(folder)
            self._tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
            self._fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
            exact_mode(self._fd)
        except OSError:
            self._fd = None  # a cache that cannot be written must not stop the speech

    def write(self, data: bytes) -> None:
        if self._fd is not None:
            try:
                os.write(self._fd, data)
            except OSError:
                self.discard()

    def commit(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        try:
            self._tmp.replace(self._path)
        except OSError:
            return
        if self._on_commit is not None:
            self._on_commit(self._path)

    def discard(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        with contextlib.suppress(OSError):
            self._tmp.unlink()
