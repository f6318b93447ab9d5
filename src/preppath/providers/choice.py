"""Which provider, server, key and model each capability uses, and why.

Pure and light (no SDK import): `factory` decides with it, `make_client` builds from it, and
`config show` and `doctor` explain it. A per-capability setting wins over the shared one;
environment variables the OpenAI SDK documents (OPENAI_API_KEY, OPENAI_BASE_URL) come last.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from preppath.errors import ExitCode, PrepPathError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from preppath.settings import Settings

Capability = Literal["questions", "evaluation", "transcription", "speech"]
CAPABILITIES: tuple[Capability, ...] = ("questions", "evaluation", "transcription", "speech")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local OpenAI-compatible servers ignore the key, but the SDK refuses to start without one.
LOCAL_PLACEHOLDER_KEY = "preppath-local"

# The prefix of each capability's own settings (question_provider, question_base_url, ...).
PREFIX: dict[Capability, str] = {
    "questions": "question",
    "evaluation": "evaluation",
    "transcription": "transcription",
    "speech": "speech",
}
MODEL_SETTING: dict[Capability, str] = {
    "questions": "question_model",
    "evaluation": "evaluation_model",
    "transcription": "transcription_model",
    "speech": "tts_model",
}
FALLBACK_KEY_ENV = "OPENAI_API_KEY"
FALLBACK_URL_ENV = "OPENAI_BASE_URL"


@dataclass(frozen=True)
class Choice:
    """What one capability will use. `key` is never printed; `key_from` names its source."""

    capability: Capability
    provider: str  # "offline" or "openai"
    reason: str
    base_url: str
    base_url_from: str
    key: SecretStr | None
    key_from: str
    model: str
    model_setting: str

    def summary(self) -> str:
        if self.provider == "offline":
            return f"offline, because {self.reason}"
        return (
            f"openai, {self.model_setting} = {self.model} at {self.base_url} "
            f"(server from {self.base_url_from}, key from {self.key_from}), because {self.reason}"
        )

    def to_dict(self) -> dict[str, object]:
        served = self.provider == "openai"
        return {
            "provider": self.provider,
            "why": self.reason,
            "base_url": self.base_url if served else None,
            "base_url_from": self.base_url_from if served else None,
            "key_from": self.key_from if served else None,
            "model": self.model if served else None,
        }

    @property
    def is_local(self) -> bool:
        host = urlsplit(self.base_url).hostname or ""
        return host in {"127.0.0.1", "localhost", "::1"} or host.startswith("127.")


def check_base_url(value: str) -> str:
    """A base URL must name its scheme: `localhost:11434/v1` would be read as a path."""
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(
            f"{value!r} is not a URL: start it with http:// or https://, "
            "for example http://127.0.0.1:11434/v1"
        )
    return value


def check_key_text(raw: str) -> str:
    raw = raw.strip()
    if not raw.isascii() or not raw.isprintable() or any(c.isspace() for c in raw):
        raise ValueError(
            "must be one word of printable ASCII, as API keys are "
            "(no spaces or line breaks inside it)"
        )
    return raw


def parse_ports(value: str) -> tuple[int, ...]:
    try:
        ports = tuple(int(p) for p in value.replace(" ", "").split(",") if p)
    except ValueError:
        raise ValueError(f"{value!r} is not a comma-separated list of ports") from None
    if any(not 0 < p < 65536 for p in ports):
        raise ValueError(f"{value!r} has a port outside 1-65535")
    return ports


def resolve(
    settings: Settings, capability: Capability, sources: Mapping[str, str] | None = None
) -> Choice:
    """The choice for `capability`; `sources` (setting -> where it came from) adds the "why"."""

    def origin(key: str) -> str:
        return f"{key} ({sources[key]})" if sources and key in sources else key

    def said(key: str) -> str:
        where = f" ({sources[key]})" if sources and key in sources else ""
        return f"{key} = {getattr(settings, key)}{where}"

    prefix = PREFIX[capability]
    own_url = getattr(settings, f"{prefix}_base_url")
    own_key: SecretStr | None = getattr(settings, f"{prefix}_api_key")
    if own_url:
        # A capability with its own server gets only its own key: the shared (cloud) key is
        # never sent to a server it was not set for.
        base_url, url_from = own_url, origin(f"{prefix}_base_url")
        key, key_from = own_key, origin(f"{prefix}_api_key") if own_key else "none"
    else:
        base_url, url_from = _shared_url(settings)
        key, key_from = (own_key, f"{prefix}_api_key") if own_key else _shared_key(settings)
        url_from, key_from = origin(url_from), origin(key_from)
    configured = key is not None or bool(base_url)

    mode_key = f"{prefix}_provider" if getattr(settings, f"{prefix}_provider") else "provider"
    mode = getattr(settings, mode_key)
    if mode == "auto":
        found = key_from if key is not None else url_from
        why = f"a key ({found}) is set" if key is not None else f"{found} is set"
        provider = "openai" if configured else "offline"
        reason = f"{said(mode_key)}: " + (why if configured else "no key or base URL is set")
    else:
        provider, reason = mode, said(mode_key)
    if provider == "openai" and key is None and base_url:
        from pydantic import SecretStr  # here, not above: offline choices never import pydantic

        key, key_from = SecretStr(LOCAL_PLACEHOLDER_KEY), "placeholder (servers without keys)"
    model_setting = MODEL_SETTING[capability]
    return Choice(
        capability=capability,
        provider=provider,
        reason=reason,
        base_url=base_url or DEFAULT_BASE_URL,
        base_url_from=url_from if base_url else "default",
        key=key,
        key_from=key_from,
        model=str(getattr(settings, model_setting)),
        model_setting=model_setting,
    )


def _shared_url(settings: Settings) -> tuple[str, str]:
    if settings.openai_base_url:
        return settings.openai_base_url, "openai_base_url"
    env = os.environ.get(FALLBACK_URL_ENV, "").strip()
    return (env, f"env {FALLBACK_URL_ENV}") if env else ("", "default")


def _shared_key(settings: Settings) -> tuple[SecretStr | None, str]:
    if settings.openai_api_key is not None:
        return settings.openai_api_key, "openai_api_key"
    env = os.environ.get(FALLBACK_KEY_ENV, "").strip()
    if not env:
        return None, "none"
    from pydantic import SecretStr

    return SecretStr(env), f"env {FALLBACK_KEY_ENV}"


def checked_for_use(choice: Choice) -> Choice:
    """Values from OPENAI_* variables are checked here, when a capability is about to use them
    (settings are checked when they load): one line naming the variable, never a traceback."""
    checks: list[tuple[str, Callable[[str], str], str]] = [
        (choice.base_url_from, check_base_url, choice.base_url)
    ]
    if choice.key is not None:
        checks.append((choice.key_from, check_key_text, choice.key.get_secret_value()))
    for source, check, value in checks:
        if not source.startswith("env "):
            continue
        try:
            check(value)
        except ValueError as exc:
            raise PrepPathError(
                f"{source.removeprefix('env ')} (used for {choice.capability}) {exc}",
                ExitCode.USAGE,
            ) from None
    return choice


def shared_choice(settings: Settings) -> Choice:
    """The shared `openai_*` server and key, for a client not tied to one capability."""
    from pydantic import SecretStr

    base_url, url_from = _shared_url(settings)
    key, key_from = _shared_key(settings)
    if key is None and base_url:
        key, key_from = SecretStr(LOCAL_PLACEHOLDER_KEY), "placeholder (servers without keys)"
    return Choice(
        capability="questions",
        provider="openai",
        reason="the shared openai_* settings",
        base_url=base_url or DEFAULT_BASE_URL,
        base_url_from=url_from,
        key=key,
        key_from=key_from,
        model=settings.question_model,
        model_setting="question_model",
    )


def explain(settings: Settings, sources: Mapping[str, str]) -> list[Choice]:
    """Every capability's choice, with the source of each setting that decided it."""
    return [resolve(settings, capability, sources) for capability in CAPABILITIES]
