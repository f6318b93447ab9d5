"""Settings without pydantic for the commands that read a few plain values.

Importing pydantic-settings and building the Settings model costs about a fifth of a read
command's start-up, while `heatmap` needs only the profile, the time zone and the streak rules.
`load()` reads the same sources in the same order (overrides > PREPPATH_* environment > `.env` >
the TOML config file > defaults) for the settings in FIELDS, and returns an object that answers
those from what it read. It builds the real Settings model, and answers from it:

- at once, when any source holds something it does not decide with certainty: a key it does not
  know (another feature's setting), a value it would not accept as it stands (so the error is
  the model's own), a `.env` line beyond plain `KEY=value`, a config file that does not parse;
- later, when a command asks for anything FIELDS leaves out (the API key, a newer setting).

tests/test_light_settings.py checks that both paths agree on every field for the same inputs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

if TYPE_CHECKING:
    from preppath.settings import Settings

PREFIX = "preppath_"
# PREPPATH_* variables that choose where state lives or steer tests; they are not settings.
NOT_SETTINGS = frozenset({"home", "no_build_cache", "update_snapshots"})
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?")
_DOTENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z0-9_./:@+,-]*)")


class _NeedsModel(Exception):
    """Something the light path does not decide; the Settings model will."""


@dataclass(frozen=True)
class Field:
    kind: str  # str, int, float, bool, choice, zone, secret, unset
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()


FIELDS: dict[str, Field] = {
    "profile": Field("str", "default"),
    "timezone": Field("zone", ""),
    "provider": Field("choice", "auto", choices=("auto", "offline", "openai")),
    "openai_api_key": Field("secret", None),
    "openai_base_url": Field("str", ""),
    "question_model": Field("str", "gpt-4o-mini"),
    "evaluation_model": Field("str", "gpt-4o-mini"),
    "transcription_model": Field("str", "whisper-1"),
    "tts_model": Field("str", "tts-1"),
    "tts_voice": Field(
        "choice", "alloy", choices=("alloy", "echo", "fable", "onyx", "nova", "shimmer")
    ),
    "voice": Field("bool", True),
    "espeak_voice": Field("str", "en-us"),
    "speech_rate": Field("int", 165, 80, 450),
    "input_device": Field("str", ""),
    "silence_stop_s": Field("float", 3.0, 0),
    "max_answer_s": Field("int", 300, 5, 3600),
    "daily_minimum": Field("int", 1, 1, 1000),
    "streak_freezes": Field("bool", True),
    "retake_threshold": Field("int", 60, 0, 100),
    # Answer speed (issue 11): what every `interview answer` reads to build its job pool and
    # evaluator, so an offline answer does not import pydantic-settings for its defaults.
    "jobs_transcription_concurrency": Field("int", 2, 1, 64),
    "jobs_transcription_per_minute": Field("int", 5, 1),
    "jobs_speech_concurrency": Field("int", 3, 1, 64),
    "jobs_speech_per_minute": Field("int", 10, 1),
    "jobs_evaluation_concurrency": Field("int", 5, 1, 64),
    "jobs_evaluation_per_minute": Field("int", 20, 1),
    "jobs_max_attempts": Field("int", 5, 1, 100),
    "jobs_backoff_s": Field("float", 1.0, 0),
    "jobs_backoff_max_s": Field("float", 60.0, 0),
    # "unset": held only while no source sets it (the model's default is then certain); a
    # value of any kind goes to the model, which validates it and answers `uses_openai`.
    "jobs_lease_s": Field("unset", 60.0),
    **{
        f"{capability}_{suffix}": Field("unset", default)
        for capability in ("question", "evaluation", "transcription", "speech")
        for suffix, default in (("provider", ""), ("base_url", ""), ("api_key", None))
    },
}


class LightSettings:
    """Answers FIELDS from the values read; anything else from the Settings model, built once."""

    def __init__(self, values: dict[str, Any], overrides: dict[str, Any], read: Read) -> None:
        self._values = values
        self._overrides = overrides
        self._read = read
        self._has_key = "openai_api_key" in read.keys
        self._model: Settings | None = None

    def __getattr__(self, name: str) -> Any:
        # Only called for names not found the normal way: settings, and the model's own API.
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.model(), name)

    def model(self) -> Settings:
        if self._model is None:
            from preppath.settings import load_settings

            self._model = load_settings(**self._overrides)
        return self._model

    @property
    def uses_openai(self) -> bool:
        if any(os.environ.get(name) for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL")):
            # The model's fallbacks to the SDK's own variables decide this (providers.choice).
            return bool(self.model().uses_openai)
        provider = self._values["provider"]
        if provider != "auto":
            return bool(provider == "openai")
        return self._has_key or bool(self._values["openai_base_url"])


def load(**overrides: Any) -> Settings:
    """Settings as `preppath.settings.load_settings` gives them, light when it can be."""
    try:
        values, read = _resolve(overrides)
    except _NeedsModel:
        from preppath.settings import load_settings

        return load_settings(**overrides)
    return cast("Settings", LightSettings(values, overrides, read))


class Read(NamedTuple):
    """What the light path read besides the values: for `config show`'s sources and masks."""

    keys: frozenset[str]
    """The secrets that some source sets to a key (the model holds those, not this path)."""
    config_file: dict[str, Any]
    """The config file's settings as parsed."""


def decided(settings: Settings) -> tuple[dict[str, Any], Read] | None:
    """The values the light path decided for `settings` and what it read, or None when they
    come from the model. A setting in neither is at its default: a source that set it would
    have sent the run to the model."""
    if not isinstance(settings, LightSettings) or settings._model is not None:
        return None
    return settings._values, settings._read


def _resolve(overrides: dict[str, Any]) -> tuple[dict[str, Any], Read]:
    layers = [overrides, _environment(), _dotenv(Path(".env")), _config_file()]
    for layer in layers:
        if any(key not in FIELDS for key in layer):
            raise _NeedsModel
    values: dict[str, Any] = {}
    keys = set()
    for key, spec in FIELDS.items():
        given = [layer[key] for layer in layers if key in layer]
        if spec.kind == "secret":
            if given and _key_present(given[0]):
                keys.add(key)
            if not given:  # no source names a key: the model holds None, so answer that here
                values[key] = None
        elif spec.kind == "unset":
            if given:
                raise _NeedsModel
            values[key] = spec.default
        else:
            values[key] = _checked(spec, given[0]) if given else spec.default
    return values, Read(frozenset(keys), layers[3])


def _environment() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in os.environ.items():
        lower = name.lower()
        if lower.startswith(PREFIX) and lower[len(PREFIX) :] not in NOT_SETTINGS:
            key = lower[len(PREFIX) :]
            if key in found:  # two spellings of one variable: let the model pick
                raise _NeedsModel
            found[key] = value
    return found


def _dotenv(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeError):
        raise _NeedsModel from None
    found: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _DOTENV_LINE.fullmatch(stripped)
        if not match:  # quotes, spaces, comments after a value, ${…}: python-dotenv's rules
            raise _NeedsModel
        lower = match[1].lower()
        if lower.startswith(PREFIX) and lower[len(PREFIX) :] not in NOT_SETTINGS:
            key = lower[len(PREFIX) :]
            if key in found:
                raise _NeedsModel
            found[key] = match[2]
    return found


def _config_file() -> dict[str, Any]:
    from preppath.paths import resolve_paths

    path = resolve_paths().config_file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeError):
        raise _NeedsModel from None
    import tomllib  # only when there is a file: its parser is ~5 ms to import

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise _NeedsModel from None


def _checked(spec: Field, raw: Any) -> Any:
    """`raw` as the model would hold it, or _NeedsModel when that is not certain."""
    if spec.kind in ("str", "choice", "zone"):
        if not isinstance(raw, str):
            raise _NeedsModel
        if spec.kind == "choice" and raw not in spec.choices:
            raise _NeedsModel
        if spec.kind == "zone" and raw:
            _check_zone(raw)
        return raw
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise _NeedsModel
    number: int | float
    if isinstance(raw, str):
        pattern = _INTEGER if spec.kind == "int" else _DECIMAL
        if not pattern.fullmatch(raw):
            raise _NeedsModel
        number = int(raw) if spec.kind == "int" else float(raw)
    elif type(raw) is (int if spec.kind == "int" else float):
        number = raw
    else:
        raise _NeedsModel
    if (spec.low is not None and number < spec.low) or (
        spec.high is not None and number > spec.high
    ):
        raise _NeedsModel
    return number


def _check_zone(name: str) -> None:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(name)
    except Exception:
        raise _NeedsModel from None


def _key_present(raw: Any) -> bool:
    """Whether the model would hold a key: an empty one is none; an unusual one it judges."""
    if not isinstance(raw, str):
        raise _NeedsModel
    key = raw.strip()
    if key and not (key.isascii() and key.isprintable()):
        raise _NeedsModel
    return bool(key)
