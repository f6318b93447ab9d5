"""What `config show` and `doctor` list for every setting: its value, the source it came from and
what it means, without importing pydantic when the light settings decided every value.

The names, meanings and defaults come from the Settings model, read once and cached under the
cache dir (keyed by PrepPath's version and settings.py's size and modification time, as the
question bank is): a setting added to the model appears here on the next run with nothing to
update. The values come from `light_settings`, which sends the whole run through the model when
any source sets something it does not decide; then this module asks the model too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preppath.paths import Paths
    from preppath.settings import Settings

SETTINGS_SOURCE = Path(__file__).with_name("settings.py")


@dataclass(frozen=True)
class SettingView:
    key: str
    value: str
    source: str
    description: str


@dataclass(frozen=True)
class Entry:
    key: str
    description: str
    default: str
    """The default as `config show` prints it."""
    secret: bool


@dataclass(frozen=True)
class Catalogue:
    env_prefix: str
    entries: tuple[Entry, ...]


def shown(value: object, secret: bool) -> str:
    """A value as `config show` prints it: a key only as set or not, never itself."""
    if secret:
        return "(not set)" if value is None else "****** (set)"
    return str(value)


def sources(
    keys: list[str], env_prefix: str, paths: Paths, file_values: dict[str, Any]
) -> dict[str, str]:
    """Where each setting's value came from, highest first as the model reads them."""
    in_dotenv = dotenv_keys(Path(".env"))
    found = {}
    for key in keys:
        env_name = env_prefix + key.upper()
        if env_name in os.environ:
            found[key] = f"env {env_name}"
        elif env_name in in_dotenv:
            found[key] = ".env"
        elif key in file_values:
            found[key] = str(paths.config_file)
        else:
            found[key] = "default"
    return found


def dotenv_keys(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    keys = set()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        name, sep, _ = line.partition("=")
        if sep:
            keys.add(name.strip().removeprefix("export ").strip().upper())
    return keys


def catalogue() -> Catalogue:
    from preppath.buildcache import cached

    return cached("settings-catalogue", [SETTINGS_SOURCE], _from_model)


def _from_model() -> Catalogue:
    from preppath.settings import ENV_PREFIX, SECRET_KEYS, Settings

    return Catalogue(
        ENV_PREFIX,
        tuple(
            Entry(
                key,
                info.description or "",
                shown(info.get_default(call_default_factory=True), key in SECRET_KEYS),
                key in SECRET_KEYS,
            )
            for key, info in Settings.model_fields.items()
        ),
    )


def describe(settings: Settings) -> list[SettingView]:
    """Every setting with its value (secrets masked), its source and its meaning."""
    from preppath import light_settings
    from preppath.paths import resolve_paths

    decided = light_settings.decided(settings)
    if decided is None:
        from preppath.settings import describe as from_model

        return from_model(settings)
    values, read = decided
    book = catalogue()
    found = sources(
        [e.key for e in book.entries], book.env_prefix, resolve_paths(), read.config_file
    )
    views = []
    for entry in book.entries:
        if entry.key in values:
            value = shown(values[entry.key], entry.secret)
        elif entry.key in read.keys:  # a key some source sets: only the model holds its value
            value = shown(True, secret=True)
        else:  # at its default: a source that set it would have sent the run to the model
            value = entry.default
        views.append(SettingView(entry.key, value, found[entry.key], entry.description))
    return views
