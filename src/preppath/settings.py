"""Settings from (highest first) PREPPATH_* environment variables, a `.env` file, the TOML config
file in the config dir, and the defaults below. `preppath config show` reports which one won."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from preppath.errors import ExitCode, PrepPathError
from preppath.paths import Paths, resolve_paths
from preppath.settings_catalogue import SettingView, dotenv_keys, shown, sources

ENV_PREFIX = "PREPPATH_"
SECRET_KEYS = frozenset(
    {"openai_api_key", "question_api_key", "evaluation_api_key"}
    | {"transcription_api_key", "speech_api_key"}
)
CapabilityProvider = Literal["", "auto", "offline", "openai"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", extra="ignore", validate_default=True
    )

    profile: str = Field("default", description="Profile whose records commands use")
    timezone: str = Field("", description="IANA time zone for daily activity; empty = system")
    provider: Literal["auto", "offline", "openai"] = Field(
        "auto", description="auto uses OpenAI when a key or base_url is set, else offline"
    )
    openai_api_key: SecretStr | None = Field(None, description="Key for OpenAI (never printed)")
    openai_base_url: str = Field("", description="Any OpenAI-compatible server, e.g. a local one")
    question_model: str = Field("gpt-4o-mini", description="Model that writes questions")
    evaluation_model: str = Field("gpt-4o-mini", description="Model that scores answers")
    transcription_model: str = Field("whisper-1", description="Speech-to-text model")
    tts_model: str = Field("tts-1", description="Text-to-speech model (tts-1-hd for HD)")
    tts_voice: Literal["alloy", "echo", "fable", "onyx", "nova", "shimmer"] = Field(
        "alloy", description="OpenAI voice"
    )
    voice: bool = Field(True, description="Speak questions and record spoken answers")
    espeak_voice: str = Field("en-us", description="Offline eSpeak NG voice")
    speech_rate: int = Field(165, ge=80, le=450, description="Offline speech rate, words/min")
    input_device: str = Field("", description="Microphone (name or index); empty = default")
    silence_stop_s: float = Field(3.0, ge=0, description="Stop recording after this much silence")
    max_answer_s: int = Field(300, ge=5, le=3600, description="Longest recording, seconds")
    daily_minimum: int = Field(
        1, ge=1, le=1000, description="Answers or practices a streak day needs"
    )
    streak_freezes: bool = Field(True, description="Earn freezes that cover a missed day")
    retake_threshold: int = Field(60, ge=0, le=100, description="Scores under this come back")

    # S3 sync and share links (issue 9). Credentials come only from the standard AWS chain
    # (environment, ~/.aws, an instance role): PrepPath never stores them.
    s3_bucket: str = Field("", description="S3 bucket for `preppath sync` and share links")
    s3_prefix: str = Field("preppath", description="Key prefix for PrepPath's objects")
    s3_endpoint_url: str = Field("", description="S3-compatible endpoint; empty = AWS")
    s3_region: str = Field("", description="The bucket's region; empty = the AWS chain's")
    s3_transfers: int = Field(4, ge=1, le=32, description="Uploads or downloads at once")

    # Job pool (preppath/jobs/): how many jobs of each kind run at once and start per minute
    # (the original queue workers' numbers), and how failed attempts are retried.
    jobs_transcription_concurrency: int = Field(
        2, ge=1, le=64, description="Transcriptions at once"
    )
    jobs_transcription_per_minute: int = Field(5, ge=1, description="Cloud transcriptions a minute")
    jobs_speech_concurrency: int = Field(3, ge=1, le=64, description="Speech jobs at once")
    jobs_speech_per_minute: int = Field(10, ge=1, description="Cloud speech jobs a minute")
    jobs_evaluation_concurrency: int = Field(5, ge=1, le=64, description="Scorings at once")
    jobs_evaluation_per_minute: int = Field(20, ge=1, description="Cloud scorings a minute")
    jobs_max_attempts: int = Field(5, ge=1, le=100, description="Attempts before a job fails")
    jobs_backoff_s: float = Field(1.0, ge=0, description="First retry's back-off ceiling, seconds")
    jobs_backoff_max_s: float = Field(60.0, ge=0, description="Longest back-off, seconds")
    jobs_lease_s: float = Field(
        60.0, gt=0, description="A running job's lease, renewed while alive"
    )

    # Provider per capability and spend guards (docs/models.md). An empty per-capability value
    # follows `provider`, `openai_base_url` and `openai_api_key`.
    question_provider: CapabilityProvider = Field("", description="Questions; empty = provider")
    evaluation_provider: CapabilityProvider = Field("", description="Scoring; empty = provider")
    transcription_provider: CapabilityProvider = Field(
        "", description="Speech-to-text; empty = provider"
    )
    speech_provider: CapabilityProvider = Field("", description="Text-to-speech; empty = provider")
    question_base_url: str = Field("", description="Server for questions; empty = openai_base_url")
    evaluation_base_url: str = Field("", description="Server for scoring; empty = openai_base_url")
    transcription_base_url: str = Field(
        "", description="Server for speech-to-text; empty = openai_base_url"
    )
    speech_base_url: str = Field("", description="Server for speech; empty = openai_base_url")
    question_api_key: SecretStr | None = Field(None, description="Key for question_base_url")
    evaluation_api_key: SecretStr | None = Field(None, description="Key for evaluation_base_url")
    transcription_api_key: SecretStr | None = Field(
        None, description="Key for transcription_base_url"
    )
    speech_api_key: SecretStr | None = Field(None, description="Key for speech_base_url")
    limit_create_per_min: int = Field(5, ge=0, description="Question sets a minute; 0 = no limit")
    limit_answer_per_min: int = Field(20, ge=0, description="Cloud scorings a minute; 0 = none")
    limit_transcription_per_min: int = Field(10, ge=0, description="Transcriptions a minute")
    limit_speech_per_min: int = Field(10, ge=0, description="Spoken questions a minute")
    limit_all_per_min: int = Field(100, ge=0, description="All cloud calls a minute; 0 = none")
    limit_wait_s: float = Field(
        10.0, ge=0, le=60, description="In a terminal, wait up to this for a limit to free up"
    )
    local_ports: str = Field(
        "11434,1234,8080,8000", description="Ports `doctor` probes on 127.0.0.1 for a local server"
    )
    # Media jobs (issue 8, item 7): how long Ctrl-C lets running jobs finish before parking.
    jobs_interrupt_grace_s: float = Field(
        10.0, ge=0, le=60, description="After Ctrl-C, seconds running jobs get before parking"
    )
    # Speech jobs (issue 8): the speech cache's size; least recently played files go first.
    speech_cache_max_mb: int = Field(
        200, ge=0, description="Speech cache limit in MB (least recently used go first); 0 = none"
    )

    @field_validator(
        "openai_base_url",
        "question_base_url",
        "evaluation_base_url",
        "transcription_base_url",
        "speech_base_url",
    )
    @classmethod
    def _url_with_scheme(cls, value: str) -> str:
        from preppath.providers.choice import check_base_url

        return check_base_url(value)

    @field_validator("local_ports")
    @classmethod
    def _ports(cls, value: str) -> str:
        from preppath.providers.choice import parse_ports

        parse_ports(value)
        return value

    @field_validator(*SECRET_KEYS, mode="before")
    @classmethod
    def _key_or_none(cls, value: object) -> object:
        """An empty key means no key (offline), not a key the server will reject."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str):
            raw = raw.strip()
            if not raw:
                return None
            if not raw.isascii() or not raw.isprintable() or any(c.isspace() for c in raw):
                raise ValueError(
                    "must be one word of printable ASCII, as API keys are "
                    "(no spaces or line breaks inside it)"
                )
        return raw

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=resolve_paths().config_file)
        return (init_settings, env_settings, dotenv_settings, toml)

    @property
    def uses_openai(self) -> bool:
        """Whether any capability uses an OpenAI-compatible server (`providers.choice`)."""
        from preppath.providers.choice import CAPABILITIES, resolve

        return any(resolve(self, c).provider == "openai" for c in CAPABILITIES)


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise PrepPathError(_one_line(exc), ExitCode.USAGE) from None
    except ValueError as exc:  # a malformed config.toml or .env, as a decode error
        read_config_file(resolve_paths().config_file)  # names the config file if it is to blame
        raise PrepPathError(f"cannot read .env in {Path.cwd()}: {exc}", ExitCode.USAGE) from None


def _one_line(exc: ValidationError) -> str:
    from preppath.messages import validation_message

    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "settings"
    return f"invalid setting {key}: {validation_message(err)}"


def describe(settings: Settings, paths: Paths | None = None) -> list[SettingView]:
    """Every setting with its value (secrets masked) and the source it came from, read from
    the model (`settings_catalogue.describe` answers from the light settings when it can)."""
    paths = paths or resolve_paths()
    keys = list(Settings.model_fields)
    found = sources(keys, ENV_PREFIX, paths, read_config_file(paths.config_file))
    return [
        SettingView(
            key,
            shown(getattr(settings, key), key in SECRET_KEYS),
            found[key],
            Settings.model_fields[key].description or "",
        )
        for key in keys
    ]


def read_config_file(path: Path) -> dict[str, Any]:
    import tomllib

    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PrepPathError(f"config file {path}: {exc}", ExitCode.USAGE) from None


def set_config_value(key: str, raw: str, paths: Paths | None = None) -> SettingView:
    """Validate `raw` as the setting `key` and store it in the TOML config file.

    Secrets are refused here: a value on the command line is visible to every local user (`ps`)
    and kept in shell history. `store_secret` takes them from a prompt or standard input."""
    _check_known(key)
    if key in SECRET_KEYS:
        raise PrepPathError(
            f"{key} is not taken on the command line, where other users can see it; "
            "run `preppath config set-key` and type or pipe the key instead",
            ExitCode.USAGE,
        )
    return _store(key, raw, paths or resolve_paths())


def store_secret(key: str, raw: str, paths: Paths | None = None) -> SettingView:
    """Store a secret setting (the API key) read from a hidden prompt or standard input."""
    _check_known(key)
    if not raw.strip():
        raise PrepPathError(
            f"no value for {key} was given; to remove it, run `preppath config unset {key}`",
            ExitCode.INVALID,
        )
    return _store(key, raw, paths or resolve_paths())


def unset_config_value(key: str, paths: Paths | None = None) -> SettingView:
    """Remove `key` from the config file, so the next source down (usually the default) wins."""
    _check_known(key)
    paths = paths or resolve_paths()
    document = _config_document(paths.config_file)
    if key in document:
        document.remove(key)
        _write_document(paths, document)
    return SettingView(
        key, shown(Settings.model_fields[key].default, key in SECRET_KEYS), "default", ""
    )


def _check_known(key: str) -> None:
    if key not in Settings.model_fields:
        from preppath.messages import choices

        raise PrepPathError(
            f"unknown setting {key!r}; the settings are {choices(Settings.model_fields)}",
            ExitCode.USAGE,
        )


def _store(key: str, raw: str, paths: Paths) -> SettingView:
    try:
        checked = Settings.model_validate({key: raw}).__getattribute__(key)
    except ValidationError as exc:
        raise PrepPathError(_one_line(exc), ExitCode.USAGE) from None
    stored: Any = checked.get_secret_value() if isinstance(checked, SecretStr) else checked
    document = _config_document(paths.config_file)
    if stored is None:  # e.g. an empty base URL: unset it rather than store a null
        if key in document:
            document.remove(key)
    else:
        document[key] = stored
    _write_document(paths, document)
    return SettingView(key, shown(checked, key in SECRET_KEYS), str(paths.config_file), "")


def _config_document(path: Path) -> Any:
    """The config file as a tomlkit document, which keeps the person's comments and layout."""
    import tomlkit

    read_config_file(path)  # a malformed file is reported, with its name, before any change
    if not path.is_file():
        return tomlkit.document()
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def _write_document(paths: Paths, document: Any) -> None:
    import tomlkit

    from preppath.files import write_private

    # Private from creation: the file may hold the API key.
    write_private(paths.config_file, tomlkit.dumps(document).encode("utf-8"))


def overridden_by(key: str) -> str | None:
    """The environment variable or .env entry that wins over the config file for `key`."""
    env_name = ENV_PREFIX + key.upper()
    if env_name in os.environ:
        return f"the environment variable {env_name}"
    if env_name in dotenv_keys(Path(".env")):
        return f"{env_name} in {Path.cwd() / '.env'}"
    return None
