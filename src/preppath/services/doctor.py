"""`preppath doctor`: what each capability will use, whether it works, and what to fix.

Each OpenAI-compatible server in use is asked for its model list once, and each chat model in
use gets one tiny structured call. Doctor's own calls skip the spend guards (it is run to find
out why calls fail) and are not recorded as usage. Messages never hold a key: they name where
the key came from, and server replies pass through the client's scrubbing.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from preppath.errors import PrepPathError
from preppath.providers.choice import CAPABILITIES, Choice, parse_ports, resolve

if TYPE_CHECKING:
    import openai

    from preppath.settings import Settings

# Doctor should answer in seconds even when a server hangs.
LIST_TIMEOUT_S = 10.0
CALL_TIMEOUT_S = 30.0
CONNECT_TIMEOUT_S = 3.0
PROBE_TIMEOUT_S = 0.5  # a local port either answers at once or has nothing on it

KNOWN_LOCAL = {11434: "Ollama", 1234: "LM Studio", 8080: "llama.cpp server", 8000: "vLLM"}
CHAT_CAPABILITIES = frozenset({"questions", "evaluation"})
OFFLINE_NEEDS = {"transcription": "pocketsphinx", "speech": "espeakng_loader"}

_PING_SCHEMA = {
    "name": "preppath_ping",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    },
}


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    detail: str


@dataclass
class CapabilityReport:
    choice: Choice
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        c = self.choice
        return {
            **c.to_dict(),  # the same description `config show --json` gives
            "model_setting": c.model_setting if c.provider == "openai" else None,
            "ok": self.ok,
            "checks": [{"what": k.what, "ok": k.ok, "detail": k.detail} for k in self.checks],
        }


@dataclass(frozen=True)
class LocalServer:
    name: str
    base_url: str
    models: tuple[str, ...]
    used_by: tuple[str, ...]


@dataclass
class DoctorReport:
    capabilities: dict[str, CapabilityReport]
    local_servers: list[LocalServer]
    problems: list[str]
    hints: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "capabilities": {name: r.to_dict() for name, r in self.capabilities.items()},
            "local_servers": [
                {"name": s.name, "base_url": s.base_url, "models": list(s.models)}
                | {"used_by": list(s.used_by)}
                for s in self.local_servers
            ],
            "problems": self.problems,
            "hints": self.hints,
        }


def run_doctor(settings: Settings, sources: Mapping[str, str]) -> DoctorReport:
    reports: dict[str, CapabilityReport] = {
        cap: CapabilityReport(resolve(settings, cap, sources)) for cap in CAPABILITIES
    }
    problems: list[str] = []
    listings: dict[tuple[str, str], list[str] | str] = {}  # endpoint -> models, or the failure
    pinged: dict[tuple[str, str, str], Check] = {}
    for cap, report in reports.items():
        choice = report.choice
        if choice.provider == "offline":
            _check_offline(cap, report, problems)
            continue
        try:
            from preppath.providers.choice import checked_for_use

            checked_for_use(choice)
        except PrepPathError as exc:
            report.checks.append(Check("settings", False, exc.message))
            problems.append(exc.message)
            continue
        if choice.key is None:
            line = (
                f"{cap}: no key for {choice.base_url}; run `preppath config set-key`"
                f" or set {cap}_provider = offline"
            )
            report.checks.append(Check("key", False, line))
            problems.append(line)
            continue
        endpoint = (choice.base_url, choice.key.get_secret_value())
        if endpoint not in listings:
            listings[endpoint] = _list_models(choice)
        listed = listings[endpoint]
        if isinstance(listed, str):
            report.checks.append(Check("models list", False, listed))
            problems.append(f"{cap}: {listed}")
            continue
        report.checks.append(Check("models list", True, f"{len(listed)} models listed"))
        if choice.model not in listed:
            offer = ", ".join(listed[:8]) or "none"
            line = (
                f"{cap}: {choice.model_setting} = {choice.model!r} is not among the models "
                f"{_host(choice.base_url)} lists ({offer}); set {choice.model_setting} to one"
            )
            report.checks.append(Check("model", False, line))
            problems.append(line)
            continue
        report.checks.append(Check("model", True, f"{choice.model} is listed"))
        if cap in CHAT_CAPABILITIES:
            ping_key = (*endpoint, choice.model)
            if ping_key not in pinged:
                pinged[ping_key] = _ping(choice)
            check = pinged[ping_key]
            report.checks.append(check)
            if not check.ok:
                problems.append(f"{cap}: {check.detail}")
    servers = _local_servers(settings, reports)
    return DoctorReport(reports, servers, problems, _hints(reports, servers))


def _check_offline(cap: str, report: CapabilityReport, problems: list[str]) -> None:
    needed = OFFLINE_NEEDS.get(cap)
    if needed is None:
        report.checks.append(Check("offline", True, "built in"))
    elif importlib.util.find_spec(needed) is None:
        line = f"{cap}: the offline engine needs the {needed} package; reinstall PrepPath"
        report.checks.append(Check("offline", False, line))
        problems.append(line)
    else:
        report.checks.append(Check("offline", True, f"{needed} is installed"))


def _client(choice: Choice, timeout_s: float) -> openai.OpenAI:
    import openai

    assert choice.key is not None
    return openai.OpenAI(
        api_key=choice.key.get_secret_value(),
        base_url=choice.base_url,
        timeout=openai.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
        max_retries=0,  # doctor reports the first failure rather than waiting through retries
    )


def _list_models(choice: Choice) -> list[str] | str:
    """The model ids the server lists, or one line saying why it could not list them."""
    from preppath.providers.openai_client import translate_errors

    try:
        with translate_errors():
            page = _client(choice, LIST_TIMEOUT_S).models.list()
            return sorted(str(m.id) for m in page.data)
    except PrepPathError as exc:
        return f"listing models at {_host(choice.base_url)} failed: {exc.message}"


def _ping(choice: Choice) -> Check:
    """One tiny structured-output call; a server without json_schema is tried with json_object,
    which PrepPath falls back to."""
    from preppath.providers.openai_client import translate_errors

    client = _client(choice, CALL_TIMEOUT_S)
    formats: list[Any] = [
        {"type": "json_schema", "json_schema": _PING_SCHEMA},
        {"type": "json_object"},
    ]
    failure = ""
    for response_format in formats:
        try:
            with translate_errors():
                reply = client.chat.completions.create(
                    model=choice.model,
                    messages=[{"role": "user", "content": 'Reply with the JSON {"ok": true}.'}],
                    response_format=response_format,
                    max_tokens=16,
                )
        except PrepPathError as exc:
            failure = exc.message
            continue
        content = reply.choices[0].message.content if reply.choices else None
        if _is_json_object(content):
            kind = response_format["type"]
            note = "" if kind == "json_schema" else " (json_schema refused; json_object works)"
            return Check("structured call", True, f"{choice.model} answered in JSON{note}")
        failure = "the reply was not a JSON object"
    return Check("structured call", False, f"a structured call to {choice.model} failed: {failure}")


def _is_json_object(content: object) -> bool:
    if not isinstance(content, str):
        return False
    try:
        return isinstance(json.loads(content), dict)
    except ValueError:
        return False


def _local_servers(settings: Settings, reports: dict[str, CapabilityReport]) -> list[LocalServer]:
    """OpenAI-compatible servers answering on 127.0.0.1 at the usual ports (only there)."""
    import httpx2

    found = []
    for port in parse_ports(settings.local_ports):
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            # No proxy from the environment: the question is what runs on this machine.
            reply = httpx2.get(f"{base_url}/models", timeout=PROBE_TIMEOUT_S, trust_env=False)
            data = reply.json().get("data") if reply.status_code == 200 else None
        except (httpx2.HTTPError, ValueError, AttributeError):
            continue
        if not isinstance(data, list):
            continue
        models = tuple(str(m["id"]) for m in data if isinstance(m, dict) and "id" in m)
        used_by = tuple(
            cap
            for cap, r in reports.items()
            if r.choice.provider == "openai" and r.choice.base_url.rstrip("/") == base_url
        )
        name = KNOWN_LOCAL.get(port, "an OpenAI-compatible server")
        found.append(LocalServer(name, base_url, models, used_by))
    return found


def _hints(reports: dict[str, CapabilityReport], servers: list[LocalServer]) -> list[str]:
    hints = []
    for server in servers:
        if server.used_by or not server.models:
            continue
        hints.append(
            f"{server.name} runs at {server.base_url} ({', '.join(server.models[:5])}); "
            f"to score answers with it: `preppath config set evaluation_base_url "
            f"{server.base_url}` and `preppath config set evaluation_model {server.models[0]}`"
        )
    return hints


def _host(base_url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    return parts.netloc or base_url
