"""What every service call needs: settings, paths, the database and the active profile."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from preppath.db.engine import BUSY_TIMEOUT_MS, create_engine_for, prepare_database
from preppath.errors import ExitCode, PrepPathError
from preppath.paths import Paths, resolve_paths

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from preppath.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    settings: Settings
    paths: Paths
    profile_id: int
    clock: Callable[[], datetime] = field(default=utc_now)

    @cached_property
    def engine(self) -> Engine:
        """Built on first use: SQLAlchemy and SQLModel cost ~300 ms to import, which the
        read-only progress commands (heatmap, streak, stats) never pay."""
        return create_engine_for(self.paths.database)

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection]:
        """A plain sqlite3 connection for reading the maintained aggregates."""
        with closing(connect(self.paths.database)) as db:
            yield db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction through plain sqlite3: BEGIN IMMEDIATE takes the write lock
        before the first read, so what it reads (attempt numbers, an interview's status, the
        day's totals) cannot change in another process before it writes. Commits when the
        block ends, rolls back if it raises. Keep slow work (scoring, a cloud call) out of it."""
        with closing(
            sqlite3.connect(
                self.paths.database, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None
            )
        ) as db:
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.rollback()
                raise
            db.execute("COMMIT")

    @property
    def profile(self) -> str:
        return self.settings.profile

    @property
    def tz(self) -> tzinfo:
        if self.settings.timezone:
            from zoneinfo import ZoneInfo

            return ZoneInfo(self.settings.timezone)
        local = datetime.now().astimezone().tzinfo
        return local if local is not None else UTC

    def session(self) -> Session:
        """A session for reading; its writes, if any, must not depend on what it read."""
        from sqlmodel import Session

        return Session(self.engine, expire_on_commit=False)

    def writer(self) -> Session:
        """A session whose transaction takes the database's write lock before its first read
        (BEGIN IMMEDIATE), so what it reads (attempt numbers, an interview's status) cannot
        change under it in another process before it writes. Keep slow work out of it."""
        from sqlmodel import Session

        return Session(self._write_engine, expire_on_commit=False)

    @cached_property
    def _write_engine(self) -> Engine:
        from preppath.db.engine import BEGIN_OPTION

        # Shares the engine's connection pool; only the way transactions begin differs.
        return self.engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def connect(database: Path) -> sqlite3.Connection:
    return sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)


def open_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> AppContext:
    """Open (creating or upgrading) the database and make sure the profile exists."""
    paths = resolve_paths()
    prepare_database(paths.database)
    # Timestamps are stored as SQLAlchemy stores them: naive UTC text.
    created = clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    try:
        with closing(sqlite3.connect(paths.database, timeout=BUSY_TIMEOUT_MS / 1000)) as db:
            row = db.execute(
                "SELECT id FROM profile WHERE name = ?", (settings.profile,)
            ).fetchone()
            if row is None:
                with db:
                    db.execute(
                        "INSERT OR IGNORE INTO profile (name, created_at) VALUES (?, ?)",
                        (settings.profile, created),
                    )
                row = db.execute(
                    "SELECT id FROM profile WHERE name = ?", (settings.profile,)
                ).fetchone()
    except sqlite3.OperationalError as exc:
        raise PrepPathError(
            f"cannot write to database {paths.database} ({exc}); "
            "check the data directory's permissions",
            ExitCode.DATA,
        ) from None
    if paths.recordings_dir.is_dir():  # else nothing to sweep, and no module to load for it
        from preppath.services.recordings import sweep

        sweep(paths.database, paths.recordings_dir)  # files left by a process that was killed
    return AppContext(settings, paths, int(row[0]), clock)
