"""Writing files the person asked for, and private files, without the usual traps.

Every write goes to a temporary file in the destination's own folder and is renamed into place,
so a crash or a full disk never leaves half a report where the old one was, and the temporary
file is created with its final permissions (never world-readable first and fixed afterwards).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from preppath.errors import ExitCode, PrepPathError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_SHARED_FILE = 0o666  # narrowed by the umask, as any new file is


def write_output(path: Path, data: bytes, *, force: bool = False, private: bool = False) -> Path:
    """Write `data` to `path`, an output the person named (`--output`, `--export`).

    An existing file is refused unless `force`; a symbolic link is always refused, so a link
    planted at that name (in /tmp, say) can never redirect the write to another file. Missing
    parent folders are created. `private` files (reports hold the person's answers) get 0600.
    """
    target = Path(path)
    if target.name in ("", ".", ".."):
        raise PrepPathError(f"{path} is not a file name", ExitCode.USAGE)
    _refuse_existing(target, _lstat(target), force=force)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR if private else 0o777)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    tmp = _write_temp(folder, target.name, data, PRIVATE_FILE if private else _SHARED_FILE)
    try:
        if force:
            # rename() replaces a link itself, never the file it points to.
            tmp.replace(target)
        else:
            _publish_exclusive(tmp, target)
    except PrepPathError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(target, exc) from None
    return target


def write_private(path: Path, data: bytes) -> Path:
    """Replace `path` (a file of PrepPath's own, such as the config file) with `data`, mode 0600
    from creation, in a folder created 0700. A config file that is a symlink into a dotfiles
    folder stays one: the file it points to is replaced."""
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    tmp = _write_temp(target.parent, target.name, data, PRIVATE_FILE)
    try:
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(target, exc) from None
    return target


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _refuse_existing(target: Path, info: os.stat_result | None, *, force: bool) -> None:
    """Raise unless `info` (the lstat of `target`, None if nothing is there) allows writing."""
    if info is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise PrepPathError(
            f"{target} is a symbolic link; PrepPath does not write through links "
            "(give the path of the file itself)",
            ExitCode.USAGE,
        )
    if stat.S_ISDIR(info.st_mode):
        raise PrepPathError(f"{target} is a folder; give a file name", ExitCode.USAGE)
    if not stat.S_ISREG(info.st_mode):
        raise PrepPathError(f"{target} is not a regular file", ExitCode.USAGE)
    if not force:
        raise _exists(target)


def _exists(target: Path) -> PrepPathError:
    return PrepPathError(f"{target} already exists; add --force to replace it", ExitCode.USAGE)


def _write_temp(folder: Path, name: str, data: bytes, mode: int) -> Path:
    """A new file next to the destination, holding `data` and flushed to disk."""
    tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags | getattr(os, "O_CLOEXEC", 0), mode)
    except OSError as exc:
        raise _cannot_write(folder / name, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(folder / name, exc) from None
    return tmp


def _publish_exclusive(tmp: Path, target: Path) -> None:
    """Give `tmp` the name `target` only if nothing holds that name, even a file created since
    we looked: link() fails on an existing name where rename() would silently replace it."""
    try:
        os.link(tmp, target, follow_symlinks=False)
    except FileExistsError:
        _refuse_existing(target, _lstat(target), force=False)
        raise _exists(target) from None  # it vanished again since: still not ours to take
    except OSError:
        # Some file systems (FAT, some network mounts) have no hard links: check, then rename.
        _refuse_existing(target, _lstat(target), force=False)
        tmp.replace(target)
        return
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()


def _cannot_write(path: Path, exc: OSError) -> PrepPathError:
    return PrepPathError(f"cannot write {path}: {exc.strerror or exc}", ExitCode.ERROR)
