"""The one seam every recording passes through: a store that puts, opens, deletes and shares
files by key. Keys are relative, '/'-separated names ("recordings/12/q1-….wav" locally,
"blobs/<sha256>" in S3), never absolute paths: a data folder can move and a row stays valid."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol


class RecordingStore(Protocol):
    def put(self, source: Path, key: str) -> None:
        """Store the file at `source` under `key` (a local store moves it; a remote one copies)."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored bytes for reading; FileNotFoundError when nothing is stored under `key`."""
        ...

    def delete(self, key: str) -> bool:
        """Remove what is stored under `key`; False when there was nothing."""
        ...

    def share_url(self, key: str, expires_s: int) -> str:
        """A URL that reads the stored bytes, for at most `expires_s` seconds where it can."""
        ...


def check_key(key: str) -> PurePosixPath:
    """A key as a relative path inside the store; anything that could leave it is refused."""
    path = PurePosixPath(key)
    escapes = any(part in ("", ".", "..") for part in key.split("/"))
    if not key or path.is_absolute() or "\\" in key or escapes:
        raise ValueError(f"not a store key: {key!r}")
    return path
