"""Recordings in this machine's data folder, private (0600 files in 0700 folders).

Rows store keys relative to the data folder, so a moved data folder (or one reached through
another path) still finds its files. Standard library only: every answer uses it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import BinaryIO

from preppath.storage.base import check_key
from preppath.storage.files import private_dir


class LocalRecordingStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).parts)

    def key_for(self, path: Path) -> str:
        """The key of a file under the root (ValueError for one outside it)."""
        return path.relative_to(self.root).as_posix()

    def put(self, source: Path, key: str) -> None:
        """Move `source` into place: a rename, so the stored file appears whole or not at all
        (`source` is a private incoming file on the same file system)."""
        target = self.path(key)
        private_dir(target.parent)
        source.rename(target)

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> bool:
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        folder = self.path(key).parent
        if folder != self.root:
            with contextlib.suppress(OSError):  # still holds other files
                folder.rmdir()
        return True

    def share_url(self, key: str, expires_s: int) -> str:
        """A file: URL, which only this machine can open; it does not expire."""
        return self.path(key).resolve().as_uri()
