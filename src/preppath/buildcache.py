"""Things built from data files once, then loaded from a pickle in milliseconds.

Parsing and validating the question packs, the scorer's vocabulary table and the concept lexicon
cost a few hundred milliseconds, every command that scores or selects questions needed them,
and they change only when a pack or lexicon file does. Each build is cached under the cache dir,
keyed by PrepPath's version and every source file's path, size and modification time, so editing
a user pack rebuilds it on the next command. A cache that cannot be read or written is only
slower, never an error.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from preppath import __version__

try:  # the C module hashlib wraps: BLAKE2 without hashlib's OpenSSL start-up (~3 ms a command)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover (an interpreter built without it)
    from hashlib import blake2b

T = TypeVar("T")


def _cache_dir() -> Path | None:
    if os.environ.get("PREPPATH_NO_BUILD_CACHE"):
        return None
    from preppath.paths import resolve_paths

    return resolve_paths().cache_dir / "build"


def source_key(name: str, sources: Iterable[Path]) -> str:
    digest = blake2b(f"{name}\0{__version__}".encode(), digest_size=12)
    for path in sorted(sources):
        try:
            stat = path.stat()
        except OSError:
            digest.update(f"\0{path}\0missing".encode())
            continue
        digest.update(f"\0{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def cached(name: str, sources: Iterable[Path], build: Callable[[], T]) -> T:
    """`build()`, or what an earlier call with the same sources built."""
    folder = _cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{source_key(name, sources)}.pickle"
    try:
        return pickle.loads(path.read_bytes())  # type: ignore[no-any-return]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
        pass
    value = build()
    _store(folder, name, path, [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)])
    return value


class Entries(Mapping[str, bytes]):
    """A stored mapping of keys to bytes, read one entry at a time: the file starts with the
    length of a pickled index of (offset, size) by key, then the entries themselves, so a
    command that needs one entry of a large build reads the index and that entry alone."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as fh:
            size = int.from_bytes(fh.read(8), "little")
            self._index: dict[str, tuple[int, int]] = pickle.loads(fh.read(size))
        self._start = 8 + size

    def __getitem__(self, key: str) -> bytes:
        offset, size = self._index[key]
        try:
            with self.path.open("rb") as fh:
                fh.seek(self._start + offset)
                data = fh.read(size)
        except OSError:  # removed by a rebuild since: as if never built (the caller builds it)
            raise KeyError(key) from None
        if len(data) != size:  # cut short, the same
            raise KeyError(key)
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def cached_entries(
    name: str, sources: Iterable[Path], build: Callable[[], Mapping[str, bytes]]
) -> Mapping[str, bytes]:
    """Like `cached`, for a build of many entries of which a command reads one or two."""
    folder = _cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{source_key(name, sources)}.entries"
    try:
        return Entries(path)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError):
        pass
    entries = build()
    index: dict[str, tuple[int, int]] = {}
    offset = 0
    for key, data in entries.items():
        index[key] = (offset, len(data))
        offset += len(data)
    head = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    _store(folder, name, path, [len(head).to_bytes(8, "little"), head, *entries.values()])
    return entries


def _store(folder: Path, name: str, path: Path, chunks: Iterable[bytes]) -> None:
    """Write `chunks` to `path` (privately, renamed into place) and remove earlier versions
    of the same build."""
    try:
        import tempfile  # only on a rebuild: with random and shutil, ~10 ms a hit never needs

        from preppath.storage import private_dir

        private_dir(folder)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=folder)  # created 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.writelines(chunks)
            Path(tmp).replace(path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        for old in folder.glob(f"{name}-{'?' * 24}{path.suffix}"):  # earlier versions of it
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return
