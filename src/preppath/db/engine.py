"""Opening the database: checks, migrations, pragmas, and one engine per process."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preppath.db import migrations
from preppath.errors import ExitCode, PrepPathError
from preppath.storage import narrow_contents, private_dir, private_file

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 5000


def prepare_database(path: Path) -> None:
    """Create or upgrade the schema, refusing files that are not ours or are from the future."""
    try:
        private_dir(path.parent)
    except OSError as exc:
        raise PrepPathError(
            f"cannot create data directory {path.parent}: {exc.strerror}", ExitCode.DATA
        ) from None
    existed = path.exists() and path.stat().st_size > 0
    try:
        # SQLite would create the file 0644; made 0600 first, it stays so, and SQLite gives the
        # -wal and -shm files the database file's own mode.
        private_file(path)
    except OSError as exc:
        raise PrepPathError(
            f"cannot write to database {path} ({exc.strerror}); "
            "check the data directory's permissions",
            ExitCode.DATA,
        ) from None
    # What an older PrepPath left world-readable here (the -wal and -shm files, backups,
    # remembered choices, the recordings folder) is narrowed too.
    narrow_contents(path.parent)
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise PrepPathError(f"cannot open database {path}: {exc}", ExitCode.DATA) from None
    try:
        version = _read_version(db, path)
        if version > migrations.LATEST:
            raise PrepPathError(
                f"database {path} was written by a newer PrepPath (schema {version}; this one "
                f"knows up to {migrations.LATEST}); upgrade PrepPath, the file was left untouched",
                ExitCode.DATA,
            )
        if version < migrations.LATEST:
            if existed and version > 0:
                _backup(db, path, version)
            _configure(db)
            migrations.apply(db, version)
    except sqlite3.OperationalError as exc:
        raise PrepPathError(_explain(exc, path), ExitCode.DATA) from None
    finally:
        db.close()


def _read_version(db: sqlite3.Connection, path: Path) -> int:
    try:
        # Reading the schema makes SQLite parse the header: a corrupt or foreign file fails here.
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        row = db.execute("PRAGMA user_version").fetchone()
    except sqlite3.OperationalError as exc:  # permissions or locks, not a damaged file
        raise PrepPathError(_explain(exc, path), ExitCode.DATA) from None
    except sqlite3.DatabaseError as exc:
        raise PrepPathError(
            f"database {path} is unreadable ({exc}); move it aside to start afresh, "
            "or restore it from a backup",
            ExitCode.DATA,
        ) from None
    return int(row[0])


def _backup(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Keep a copy of the pre-upgrade file, so an upgrade can never lose a user's history."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    if not target.exists():
        private_file(target)  # a copy of the person's history: private before the first byte
        with closing(sqlite3.connect(target)) as copy:
            db.backup(copy)


def _configure(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA journal_mode = WAL")


def _explain(exc: sqlite3.OperationalError, path: Path) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return f"cannot write to database {path} ({text}); check the data directory's permissions"
    if "locked" in text:
        return f"database {path} is busy in another preppath process; try again"
    return f"database {path}: {text}"


BEGIN_OPTION = "preppath_begin"
"""Execution option naming how a transaction begins: "IMMEDIATE" for one that writes."""


def create_engine_for(path: Path) -> Engine:
    """The engine for `path`. Its transactions begin as SQLite's DEFERRED (reads) unless the
    engine was given `execution_options(preppath_begin="IMMEDIATE")`: a transaction that reads
    rows and then writes what it read (an attempt number, an interview's status) takes the write
    lock before its first read, so another process cannot slip a write in between."""
    from sqlalchemy import event
    from sqlmodel import create_engine

    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver would issue a DEFERRED BEGIN at the first write; SQLAlchemy's "begin"
        # event below issues the BEGIN itself, at the start of the transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        if mode not in ("DEFERRED", "IMMEDIATE"):
            raise ValueError(f"unknown transaction mode {mode!r}")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
