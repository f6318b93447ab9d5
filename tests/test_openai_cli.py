"""The CLI with a cloud provider configured: `interview create` and `answer` go through the real
OpenAI SDK to a stub OpenAI-compatible server on 127.0.0.1, chosen by settings alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKEND_PYTHON
from openai_stub import OpenAIStub, chat_reply, error_reply
from test_openai_providers import CHAT, _grade, _question_json

SECRET = "sk-test-0123456789abcdefSECRET"


@pytest.fixture
def stub(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", SECRET)
        yield server


def test_create_and_answer_use_the_configured_openai_server(
    run: Any, stub: OpenAIStub, home: Path
) -> None:
    """With a key and base_url set, questions and scores come from the model, not the bank."""
    stub.script(CHAT, chat_reply({"questions": [_question_json()]}))
    created = run(
        "interview",
        "create",
        *BACKEND_PYTHON,
        "--count",
        "1",
        "--json",
    )
    assert created.code == 0, created.stderr
    body = created.json()
    assert body["provider"] == "openai"
    assert body["questions"][0]["text"].startswith("How does")
    assert stub.requests_to(CHAT)[0].headers["authorization"] == f"Bearer {SECRET}"

    stub.script(CHAT, chat_reply(_grade()))
    answered = run(
        "interview",
        "answer",
        str(body["id"]),
        "1",
        "--text",
        "Only one thread executes Python bytecode at once.",
        "--json",
    )
    assert answered.code == 0, answered.stderr
    result = answered.json()
    assert result["evaluator"] == "openai"
    assert result["scores"] == {"correctness": 8, "completeness": 5, "clarity": 10}
    db = sqlite3.connect(home / "data" / "preppath.db")
    assert db.execute("SELECT evaluator FROM interview_feedback").fetchone() == ("openai",)


def test_a_rejected_key_is_one_line_without_the_key(run: Any, stub: OpenAIStub) -> None:
    """A 401 from the server exits 6 with one line that never shows the key."""
    stub.script(CHAT, error_reply(401, f"Incorrect API key provided: {SECRET}"))
    result = run("interview", "create", "--role", "backend", "--count", "1")
    assert result.code == 6
    assert result.stderr.startswith("preppath: error:") and result.stderr.count("\n") == 1
    assert SECRET not in result.stderr + result.stdout
    assert SECRET[:12] not in result.stderr


def test_config_show_masks_the_key(run: Any, stub: OpenAIStub) -> None:
    """`config show` reports the key as set, from the environment, without printing it."""
    result = run("config", "show", "--json")
    assert result.code == 0
    entry = result.json()["openai_api_key"]
    assert entry["source"] == "env PREPPATH_OPENAI_API_KEY"
    assert SECRET not in result.stdout and "set" in entry["value"]


def test_offline_provider_never_contacts_the_server(
    run: Any, stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`provider = offline` keeps everything local even with a key configured."""
    monkeypatch.setenv("PREPPATH_PROVIDER", "offline")
    result = run("interview", "create", "--role", "backend", "--count", "2", "--json")
    assert result.code == 0 and result.json()["provider"] == "offline"
    assert stub.requests == []
