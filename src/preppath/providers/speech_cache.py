"""Synthesised speech kept on disk, so a question spoken before costs no request and no wait.

One file per (text, voice, model, format) under the cache dir, named by a hash of the four: the
text of a question is a person's interview, so files are 0600 in a 0700 folder. A file is
written under a temporary name and renamed into place only when the whole audio has arrived,
so an interrupted download is never replayed as if complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from pathlib import Path

from preppath.storage import exact_mode, private_dir

PRIVATE_FILE = 0o600


class SpeechCache:
    def __init__(self, folder: Path, *, max_bytes: int | None = None) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def path(self, text: str, voice: str, model: str, fmt: str) -> Path:
        key = json.dumps([text, voice, model, fmt], ensure_ascii=False).encode()
        return self.folder / f"{hashlib.sha256(key).hexdigest()[:32]}.{fmt}"

    def read(self, path: Path) -> bytes | None:
        try:
            return path.read_bytes() or None
        except OSError:  # not cached yet, or unreadable: fetch it again
            return None

    def writer(self, path: Path) -> CacheWriter:
        return CacheWriter(self.folder, path)


class CacheWriter:
    """Appends audio as it streams in; `commit()` publishes it, `discard()` drops it."""

    def __init__(self, folder: Path, path: Path) -> None:
        self._path = path
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
        with contextlib.suppress(OSError):
            self._tmp.replace(self._path)

    def discard(self) -> None:
        if self._fd is None:
            return
        os.close(self._fd)
        self._fd = None
        with contextlib.suppress(OSError):
            self._tmp.unlink()
