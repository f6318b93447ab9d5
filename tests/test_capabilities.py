"""Provider per capability: settings decide each capability's provider, server and key, `config
show` and `doctor` say why, and doctor checks the servers in use with the real SDK against two
stub servers on 127.0.0.1 (one local, one standing in for the cloud)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from openai_stub import OpenAIStub, chat_reply, error_reply, models_reply
from preppath.providers import factory
from preppath.providers.choice import LOCAL_PLACEHOLDER_KEY, resolve
from preppath.settings import Settings

CLOUD_KEY = "sk-cloud-0123456789abcdefSECRET"
CHAT = "/v1/chat/completions"
MODELS = "/v1/models"


def _port(base_url: str) -> str:
    return base_url.rsplit(":", 1)[1].split("/")[0]


@pytest.fixture
def servers(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[OpenAIStub, OpenAIStub]]:
    """A "cloud" server for every capability, and a local one for evaluation only."""
    with OpenAIStub() as cloud, OpenAIStub() as local:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", cloud.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", CLOUD_KEY)
        monkeypatch.setenv("PREPPATH_EVALUATION_BASE_URL", local.base_url)
        monkeypatch.setenv("PREPPATH_EVALUATION_MODEL", "llama3.1:8b")
        monkeypatch.setenv("PREPPATH_LOCAL_PORTS", _port(local.base_url))
        cloud.script(MODELS, models_reply("gpt-4o-mini", "whisper-1", "tts-1"))
        cloud.script(CHAT, chat_reply({"ok": True}))
        local.script(MODELS, models_reply("llama3.1:8b", "qwen2.5:7b"))
        local.script(CHAT, chat_reply({"ok": True}))
        yield cloud, local


def _everything_written(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_a_capability_setting_overrides_provider() -> None:
    """`provider` sets all four capabilities; `evaluation_provider` overrides it for one."""
    settings = Settings(
        provider="offline", evaluation_provider="openai", openai_api_key=SecretStr("sk-x")
    )
    names = {c: factory.provider_name(settings, c) for c in ("questions", "evaluation")}
    assert names == {"questions": "offline", "evaluation": "openai"}
    assert "evaluation_provider = openai" in resolve(settings, "evaluation").reason


def test_openai_variables_are_the_fallback(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OPENAI_API_KEY and OPENAI_BASE_URL are used when no PrepPath setting gives them, and a
    PrepPath setting wins when both are set."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    fallback = resolve(Settings(), "questions")
    assert (fallback.provider, fallback.key_from, fallback.base_url_from) == (
        "openai",
        "env OPENAI_API_KEY",
        "env OPENAI_BASE_URL",
    )
    own = resolve(Settings(openai_api_key=SecretStr("sk-own")), "questions")
    assert own.key is not None and own.key.get_secret_value() == "sk-own"


def test_a_capability_with_its_own_server_never_gets_the_shared_key() -> None:
    """The cloud key is not sent to a capability's own (local) server: it gets a placeholder."""
    settings = Settings(
        openai_api_key=SecretStr(CLOUD_KEY), evaluation_base_url="http://127.0.0.1:1234/v1"
    )
    local = resolve(settings, "evaluation")
    assert local.key is not None and local.key.get_secret_value() == LOCAL_PLACEHOLDER_KEY
    assert resolve(settings, "questions").key == SecretStr(CLOUD_KEY)


def test_a_base_url_without_a_scheme_is_refused_at_config_set(run: Any) -> None:
    """`config set evaluation_base_url localhost:11434/v1` exits 2 with one line saying how."""
    result = run("config", "set", "evaluation_base_url", "localhost:11434/v1")
    assert result.code == 2
    assert result.stderr.startswith("preppath: error: invalid setting evaluation_base_url")
    assert "http://" in result.stderr and result.stderr.count("\n") == 1


def test_a_key_with_a_space_is_refused_at_set_key(run: Any, home: Path) -> None:
    """A piped key with a space inside is refused in one line, and nothing is stored."""
    result = run("config", "set-key", "--for", "evaluation", input="sk-abc def\n")
    assert result.code == 2
    assert "no spaces or line breaks" in result.stderr and result.stderr.count("\n") == 1
    assert "sk-abc" not in result.stderr
    assert not (home / "config" / "config.toml").exists()


def test_bad_openai_variables_are_one_line_at_use(
    run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scheme-less OPENAI_BASE_URL, or an OPENAI_API_KEY with a line break inside, is named
    in one line when a capability is about to use it, and the key is not echoed."""
    monkeypatch.setenv("PREPPATH_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "localhost:11434/v1")
    result = run("interview", "create", "--role", "backend", "--count", "1")
    assert result.code == 2
    assert "OPENAI_BASE_URL (used for questions)" in result.stderr
    assert result.stderr.count("\n") == 1
    monkeypatch.delenv("OPENAI_BASE_URL")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-first\nsk-second")
    result = run("interview", "create", "--role", "backend", "--count", "1")
    assert result.code == 2 and "OPENAI_API_KEY" in result.stderr
    assert "sk-first" not in result.stderr and result.stderr.count("\n") == 1


def test_config_show_says_what_each_capability_uses_and_why(
    run: Any, servers: tuple[OpenAIStub, OpenAIStub]
) -> None:
    """`config show --json` names per capability the provider, server and where each came from,
    and the key only by its source."""
    _cloud, local = servers
    shown = run("config", "show", "--json")
    assert shown.code == 0
    caps = shown.json()["capabilities"]
    assert caps["evaluation"]["base_url"] == local.base_url
    assert "PREPPATH_EVALUATION_BASE_URL" in caps["evaluation"]["why"]
    assert caps["questions"]["key_from"] == "openai_api_key (env PREPPATH_OPENAI_API_KEY)"
    assert CLOUD_KEY not in shown.stdout
    text = run("config", "show")
    assert "evaluation: openai, evaluation_model = llama3.1:8b at " + local.base_url in text.stdout


def test_doctor_checks_a_local_and_a_cloud_server(
    run: Any, home: Path, servers: tuple[OpenAIStub, OpenAIStub]
) -> None:
    """Doctor lists each server's models once, makes one structured call per chat model, finds
    the local server on its port, exits 0, and the cloud key reaches only the cloud server and
    appears in no output and no file."""
    cloud, local = servers
    result = run("doctor", "--json")
    assert result.code == 0, result.stdout
    report = result.json()
    assert report["ok"] and report["problems"] == []
    assert report["capabilities"]["evaluation"]["model"] == "llama3.1:8b"
    assert [s["base_url"] for s in report["local_servers"]] == [local.base_url]
    assert report["local_servers"][0]["used_by"] == ["evaluation"]
    assert len(cloud.requests_to(MODELS)) == 1  # shared by questions, transcription, speech
    assert len(cloud.requests_to(CHAT)) == 1 and len(local.requests_to(CHAT)) == 1
    schema = local.requests_to(CHAT)[0].json()["response_format"]
    assert schema["type"] == "json_schema"
    assert all(CLOUD_KEY not in str(r.headers) for r in local.requests)
    assert all(r.headers["authorization"] == f"Bearer {CLOUD_KEY}" for r in cloud.requests)
    text = run("doctor")
    assert text.code == 0 and "every capability in use works" in text.stdout
    assert CLOUD_KEY not in result.stdout + result.stderr + text.stdout + text.stderr
    assert CLOUD_KEY.encode() not in _everything_written(home)


def test_doctor_says_what_to_fix_and_exits_6(
    run: Any, servers: tuple[OpenAIStub, OpenAIStub], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model the server does not list, a server that is not there and a server that refuses
    the key each give one problem line naming the setting to change, and doctor exits 6."""
    cloud, _ = servers
    cloud.script(MODELS, models_reply("gpt-4o", "whisper-1", "tts-1"))
    with socket.socket() as closed:  # a port with nothing listening
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
    monkeypatch.setenv("PREPPATH_TRANSCRIPTION_BASE_URL", f"http://127.0.0.1:{dead}/v1")
    result = run("doctor")
    assert result.code == 6
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 2, result.stdout
    assert "question_model = 'gpt-4o-mini' is not among the models" in problems[0]
    assert "set question_model to one" in problems[0]
    assert problems[1].startswith("problem: transcription: listing models at 127.0.0.1:")
    assert "cannot reach" in problems[1]

    cloud.script(MODELS, error_reply(401, f"Incorrect API key provided: {CLOUD_KEY}"))
    refused = run("doctor", "--json")
    assert refused.code == 6
    assert any("key was rejected" in p for p in refused.json()["problems"])
    assert CLOUD_KEY not in refused.stdout + refused.stderr
