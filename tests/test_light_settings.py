"""The light settings path (light_settings.py) gives what the pydantic-settings model gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from preppath import light_settings
from preppath.errors import PrepPathError
from preppath.settings import Settings, load_settings

# (environment, .env text, config.toml text, overrides, whether the light path decides it)
CASES: dict[str, tuple[dict[str, str], str | None, str | None, dict[str, Any], bool]] = {
    "defaults": ({}, None, None, {}, True),
    "the SDK's own key and server variables": (
        {"OPENAI_API_KEY": "sk-light-0123456789", "OPENAI_BASE_URL": "http://127.0.0.1:9"},
        None,
        None,
        {},
        True,
    ),
    "environment": (
        {
            "PREPPATH_PROFILE": "work",
            "PREPPATH_DAILY_MINIMUM": "3",
            "PREPPATH_VOICE": "false",
            "PREPPATH_TIMEZONE": "Europe/Berlin",
            "PREPPATH_SILENCE_STOP_S": "2.5",
            "PREPPATH_NO_BUILD_CACHE": "1",
        },
        None,
        None,
        {},
        True,
    ),
    "config file under env": (
        {"PREPPATH_SPEECH_RATE": "300"},
        None,
        'speech_rate = 200\nvoice = false\nprovider = "offline"\ntts_voice = "nova"\n'
        "silence_stop_s = 1.5\nretake_threshold = 75\n",
        {},
        True,
    ),
    ".env between env and config file": (
        {"PREPPATH_RETAKE_THRESHOLD": "80"},
        "# mine\nexport PREPPATH_RETAKE_THRESHOLD=70\nPREPPATH_MAX_ANSWER_S=120\nOTHER=x\n",
        "retake_threshold = 50\nmax_answer_s = 60\ndaily_minimum = 2\n",
        {},
        True,
    ),
    "override over everything": (
        {"PREPPATH_PROFILE": "env"},
        "PREPPATH_PROFILE=dotenv\n",
        'profile = "file"\n',
        {"profile": "flag"},
        True,
    ),
    "lower-case variable": ({"preppath_daily_minimum": "4"}, None, None, {}, True),
    "key makes auto use openai": ({"PREPPATH_OPENAI_API_KEY": "sk-test-1"}, None, None, {}, True),
    "blank key is no key": ({"PREPPATH_OPENAI_API_KEY": "   "}, None, None, {}, True),
    "base url makes auto use openai": (
        {},
        None,
        'openai_base_url = "http://127.0.0.1:11434/v1"\n',
        {},
        True,
    ),
    "offline wins over a key": (
        {"PREPPATH_PROVIDER": "offline"},
        "PREPPATH_OPENAI_API_KEY=sk-x\n",
        None,
        {},
        True,
    ),
    "bool spellings": (
        {"PREPPATH_VOICE": "YES", "PREPPATH_STREAK_FREEZES": "Off"},
        None,
        None,
        {},
        True,
    ),
    "odd numbers": (
        {"PREPPATH_DAILY_MINIMUM": "007", "PREPPATH_SPEECH_RATE": " 200"},
        None,
        None,
        {},
        False,
    ),
    "float written as int in the file": ({}, None, "silence_stop_s = 2\n", {}, False),
    "quoted .env value": ({}, 'PREPPATH_PROFILE="my profile"\n', None, {}, False),
    "setting the light path does not know": ({}, None, 'colour = "blue"\n', {}, False),
    "provider in capitals": ({"PREPPATH_PROVIDER": "OpenAI"}, None, None, {}, False),
    "out of range": ({"PREPPATH_DAILY_MINIMUM": "0"}, None, None, {}, False),
    "unknown zone": ({"PREPPATH_TIMEZONE": "Mars/Olympus"}, None, None, {}, False),
    "number for a name": ({}, None, "question_model = 5\n", {}, False),
    "key that is not ASCII": ({"PREPPATH_OPENAI_API_KEY": "sk-é"}, None, None, {}, False),
    "malformed config file": ({}, None, "voice = \n", {}, False),
    "job pool settings": (
        {"PREPPATH_JOBS_MAX_ATTEMPTS": "3", "PREPPATH_JOBS_BACKOFF_S": "0.5"},
        None,
        "jobs_evaluation_concurrency = 2\n",
        {},
        True,
    ),
    "job concurrency out of range": (
        {"PREPPATH_JOBS_EVALUATION_CONCURRENCY": "65"},
        None,
        None,
        {},
        False,
    ),
    "a capability's own provider": (
        {"PREPPATH_EVALUATION_PROVIDER": "openai"},
        None,
        None,
        {},
        False,
    ),
    "a capability's own key": ({}, None, 'speech_api_key = "sk-test-2"\n', {}, False),
    "a job lease": ({"PREPPATH_JOBS_LEASE_S": "30"}, None, None, {}, False),
}


def _outcome(load: Any, overrides: dict[str, Any]) -> tuple[str, Any]:
    try:
        settings = load(**overrides)
    except PrepPathError as exc:
        return "error", (exc.code, exc.message)
    values = {}
    for key in Settings.model_fields:
        value = getattr(settings, key)
        values[key] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return "settings", (values, settings.uses_openai)


@pytest.fixture(autouse=True)
def _only_the_cases_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # conftest sets a job-pool setting for every test; here it would send every case to the
    # model (a setting the light path does not hold), so the cases start without it.
    monkeypatch.delenv("PREPPATH_JOBS_BACKOFF_S", raising=False)


@pytest.mark.parametrize("case", CASES)
def test_light_and_full_paths_agree(home: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    """For the same environment, .env, config file and overrides, the light path and the
    Settings model give every field the same value, or fail with the same message."""
    env, dotenv, toml, overrides, light = CASES[case]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if dotenv is not None:
        Path(".env").write_text(dotenv, encoding="utf-8")
    if toml is not None:
        (home / "config").mkdir(parents=True, exist_ok=True)
        (home / "config" / "config.toml").write_text(toml, encoding="utf-8")
    assert _outcome(light_settings.load, overrides) == _outcome(load_settings, overrides)
    decided = light_settings.load(**overrides) if light else None
    if light:
        assert isinstance(decided, light_settings.LightSettings)
        assert decided.profile  # a field it holds...
        assert decided._model is None  # ...answered without building the model


def test_config_file_is_where_the_model_reads_it(home: Path) -> None:
    """The light path reads the same config file as the Settings model (the cases above would
    agree vacuously if both ignored it)."""
    from preppath.paths import resolve_paths

    assert resolve_paths().config_file == home / "config" / "config.toml"


def test_fields_match_the_model() -> None:
    """Every field the light path holds has the model's default and bounds."""
    for key, spec in light_settings.FIELDS.items():
        field = Settings.model_fields[key]
        assert spec.default == field.default, key
        bounds = {type(m).__name__: m for m in field.metadata}
        assert spec.low == (getattr(bounds.get("Ge"), "ge", None)), key
        assert spec.high == (getattr(bounds.get("Le"), "le", None)), key


def test_a_setting_it_does_not_hold_comes_from_the_model(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A setting missing from the light table (a newer feature's) is answered by the model."""
    monkeypatch.delitem(light_settings.FIELDS, "retake_threshold")
    monkeypatch.setenv("PREPPATH_DAILY_MINIMUM", "2")
    settings = light_settings.load()
    assert isinstance(settings, light_settings.LightSettings)
    assert settings._model is None
    assert settings.retake_threshold == 60
    assert settings._model is not None
    monkeypatch.setenv("PREPPATH_RETAKE_THRESHOLD", "70")  # now a key it does not know
    assert not isinstance(light_settings.load(), light_settings.LightSettings)


def test_an_offline_answer_builds_no_model(home: Path) -> None:
    """What `interview answer` reads to build its pool and evaluator (limits, each capability's
    provider, server and key) is answered by the light path when nothing sets it."""
    from preppath.jobs.limits import limits_for
    from preppath.providers import factory

    settings = light_settings.load()
    assert isinstance(settings, light_settings.LightSettings)
    assert factory.provider_name(settings, "evaluation") == "offline"
    assert limits_for(settings)["evaluation"].concurrency == 5
    assert settings.openai_api_key is None
    assert settings._model is None
