"""Private files and folders: a person's answers, voice and history are readable by them alone.

Everything PrepPath keeps about a person is created 0600 (files) inside 0700 (folders) from the
first byte, never created open and narrowed afterwards. The creation mode is masked by the
umask, which can only take permissions away, so a file is never wider than 0600 at any moment;
the explicit chmod that follows makes the result exactly 0600/0700 whatever the umask was.
Only the standard library is used: this runs on every command.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Make `path` a 0700 folder: missing parents are created 0700 too, but an existing parent
    (the home folder, ~/.local/share) is never touched. `path` itself is ours, so a wider mode
    left by an older PrepPath is narrowed."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(PRIVATE_DIR)
        except FileExistsError:  # another preppath process made it first
            continue
        folder.chmod(PRIVATE_DIR)
    if not missing:
        narrow(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> None:
    """Create `path` empty and 0600 if it does not exist; narrow it to 0600 if it does."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        narrow(path, PRIVATE_FILE)
        return
    try:
        exact_mode(fd)
    finally:
        os.close(fd)


def open_private_append(path: Path) -> int:
    """A file descriptor appending to `path`, which is created 0600 (or narrowed to it)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    try:
        exact_mode(fd)
    except OSError:
        os.close(fd)
        raise
    return fd


def write_private_text(path: Path, text: str) -> None:
    """Replace `path` with `text` atomically: a 0600 temporary file renamed over it, so a reader
    sees the old content or the new, and a crash leaves at worst a stray temporary file."""
    # os.urandom is what secrets.token_hex reads; importing secrets (hmac, hashlib, random) costs
    # every command a few milliseconds, and this module is imported by every command.
    tmp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            exact_mode(out.fileno())
            out.write(text)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def exact_mode(fd: int) -> None:
    """Set a file just created to exactly 0600, whatever the umask took away from it."""
    if hasattr(os, "fchmod"):  # not on Windows, where POSIX modes mean little anyway
        os.fchmod(fd, PRIVATE_FILE)


def narrow(path: Path, mode: int) -> None:
    """Take away permissions beyond `mode` from a file or folder of ours (never widen it).
    Symbolic links are left alone: what they point at is not ours to change."""
    with contextlib.suppress(OSError):
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return
        current = info.st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)


def narrow_contents(folder: Path) -> None:
    """Narrow every file (0600) and folder (0700) directly inside `folder`, one of ours that an
    older PrepPath filled with world-readable files."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                narrow(Path(entry.path), PRIVATE_DIR)
            elif entry.is_file(follow_symlinks=False):
                narrow(Path(entry.path), PRIVATE_FILE)
