"""Questions from a chat model: strict json_schema, the json_object fallback for local servers,
one retry quoting the validation error, then the offline bank (real SDK, stub on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
from pydantic import SecretStr

from conftest import BACKEND_PYTHON
from openai_stub import OpenAIStub, chat_reply
from preppath.providers.errors import UnusableModelOutput
from preppath.providers.openai_client import make_client
from preppath.providers.openai_questions import OpenAIQuestionProvider
from preppath.settings import Settings
from preppath.values import Misconception
from test_openai_providers import CHAT, KEY, _question_json, _request


def _client(stub: OpenAIStub) -> openai.OpenAI:
    settings = Settings(openai_api_key=SecretStr(KEY), openai_base_url=stub.base_url)
    return make_client(settings, max_retries=0)


@pytest.fixture
def cloud(home: Path) -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def local(home: Path) -> Iterator[OpenAIStub]:
    with OpenAIStub(json_schema=False) as server:
        yield server


RICH_POINT = {
    "point": "Tuples cannot change after creation",
    "phrasings": ["immutable", "cannot change"],
    "explain": "  A tuple's items are fixed once it is built;\n a list can grow. ",
    "misconceptions": [
        {"claim": "tuples are mutable", "correction": "tuples are immutable; lists are not"},
        {"claim": "", "correction": "an empty claim is dropped"},
    ],
}


def test_key_points_carry_explanations_and_misconceptions(cloud: OpenAIStub) -> None:
    """A key point's explanation and misconceptions become the bank's own KeyPoint fields."""
    cloud.script(CHAT, chat_reply({"questions": [_question_json(key_points=[RICH_POINT])]}))
    (question,) = OpenAIQuestionProvider(_client(cloud), "m").questions(_request(count=1))
    point = question.key_points[0]
    assert point.explain == "A tuple's items are fixed once it is built; a list can grow."
    assert point.misconceptions == (
        Misconception("tuples are mutable", "tuples are immutable; lists are not"),
    )
    schema = cloud.requests_to(CHAT)[0].json()["response_format"]["json_schema"]["schema"]
    key_point = schema["$defs"]["_KeyPoint"]
    assert set(key_point["required"]) == {"point", "phrasings", "explain", "misconceptions"}


def test_a_server_without_json_schema_gets_json_object_with_the_schema(local: OpenAIStub) -> None:
    """After a 400 naming response_format, the request is repeated as json_object with the
    schema in the system prompt, and later requests, in this command and the next, skip
    json_schema altogether."""
    local.script(CHAT, chat_reply({"questions": [_question_json()]}))
    provider = OpenAIQuestionProvider(_client(local), "llama")
    assert len(provider.questions(_request(count=1))) == 1

    first, second = (r.json() for r in local.requests_to(CHAT))
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object"}
    system = second["messages"][0]["content"]
    assert '"expected_answer"' in system and "JSON schema" in system

    provider.questions(_request(count=1))
    third = local.requests_to(CHAT)[2].json()
    assert third["response_format"] == {"type": "json_object"} and len(local.requests) == 3

    # The next command (a new provider and client) remembers it too, from the cache dir.
    OpenAIQuestionProvider(_client(local), "llama").questions(_request(count=1))
    fourth = local.requests_to(CHAT)[3].json()
    assert fourth["response_format"] == {"type": "json_object"} and len(local.requests) == 4


def test_json_in_a_code_fence_is_read(local: OpenAIStub) -> None:
    """A local model that wraps its JSON in a Markdown fence still yields its questions."""
    fenced = "```json\n" + json.dumps({"questions": [_question_json()]}) + "\n```"
    local.script(CHAT, chat_reply(fenced))
    assert len(OpenAIQuestionProvider(_client(local), "m").questions(_request())) == 1


def test_invalid_output_is_retried_once_quoting_the_error(cloud: OpenAIStub) -> None:
    """A reply that fails validation is sent back with its error, and the retry's reply is used."""
    bad = {"questions": [_question_json(difficulty="brutal")]}
    cloud.script(CHAT, chat_reply(bad), chat_reply({"questions": [_question_json()]}))
    questions = OpenAIQuestionProvider(_client(cloud), "m").questions(_request())
    assert questions[0].difficulty == "medium"

    retry = cloud.requests_to(CHAT)[1].json()["messages"]
    assert retry[2] == {"role": "assistant", "content": json.dumps(bad)}
    assert "questions.0.difficulty" in retry[3]["content"]
    assert "'easy', 'medium' or 'hard'" in retry[3]["content"]


def test_two_unusable_replies_raise_unusable_model_output(cloud: OpenAIStub) -> None:
    """Prose twice (or an empty reply) ends in UnusableModelOutput after exactly two requests."""
    cloud.script(CHAT, chat_reply("Sure! Here are some questions."), chat_reply(""))
    with pytest.raises(UnusableModelOutput, match="unusable twice: the reply was empty"):
        OpenAIQuestionProvider(_client(cloud), "m").questions(_request())
    assert len(cloud.requests_to(CHAT)) == 2


def test_create_falls_back_to_the_bank_with_a_notice(
    run: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`interview create` keeps going on the offline bank after two unusable replies, and says
    so in one line."""
    with OpenAIStub() as server:
        monkeypatch.setenv("PREPPATH_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("PREPPATH_OPENAI_API_KEY", KEY)
        server.script(CHAT, chat_reply("I would rather chat about the weather."))
        result = run("interview", "create", *BACKEND_PYTHON, "--count", "2", "--json")
    assert result.code == 0, result.stderr
    body = result.json()
    assert len(body["questions"]) == 2 and body["provider"] == "offline"
    assert all(q.get("source", "bank") != "openai" for q in body["questions"])
    notice = [line for line in result.stderr.splitlines() if "offline bank" in line]
    assert len(notice) == 1 and "unusable twice" in notice[0], result.stderr
    assert KEY not in result.stdout + result.stderr
