"""What every service call needs: settings, paths, the database and the active profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from preppath.db.engine import create_engine_for, prepare_database
from preppath.paths import Paths, resolve_paths
from preppath.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppContext:
    settings: Settings
    paths: Paths
    engine: Engine
    profile_id: int
    clock: Callable[[], datetime] = field(default=utc_now)

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
        from sqlmodel import Session

        return Session(self.engine, expire_on_commit=False)


def open_app(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> AppContext:
    """Open (creating or upgrading) the database and make sure the profile exists."""
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session, select

    from preppath.db.models import Profile
    from preppath.errors import ExitCode, PrepPathError

    paths = resolve_paths()
    prepare_database(paths.database)
    engine = create_engine_for(paths.database)
    try:
        with Session(engine) as session:
            profile = session.exec(select(Profile).where(Profile.name == settings.profile)).first()
            if profile is None:
                profile = Profile(name=settings.profile, created_at=clock())
                session.add(profile)
                session.commit()
                session.refresh(profile)
    except OperationalError as exc:
        raise PrepPathError(
            f"cannot write to database {paths.database} ({exc.orig}); "
            "check the data directory's permissions",
            ExitCode.DATA,
        ) from None
    assert profile.id is not None
    return AppContext(settings, paths, engine, profile.id, clock)
