"""`config show` from the light settings (settings_catalogue.py) lists what the model lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from preppath import light_settings, settings_catalogue
from preppath.errors import PrepPathError
from preppath.settings import describe, load_settings
from test_light_settings import CASES


@pytest.fixture(autouse=True)
def _only_the_cases_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As in test_light_settings: conftest's job-pool setting would send every case to the model.
    monkeypatch.delenv("PREPPATH_JOBS_BACKOFF_S", raising=False)


@pytest.mark.parametrize("case", CASES)
def test_light_and_model_list_the_same(
    home: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """For the same environment, .env, config file and overrides, every setting's shown value,
    source and meaning are the model's, and a case the light path decides builds no model."""
    env, dotenv, toml, overrides, light = CASES[case]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if dotenv is not None:
        Path(".env").write_text(dotenv, encoding="utf-8")
    if toml is not None:
        (home / "config").mkdir(parents=True, exist_ok=True)
        (home / "config" / "config.toml").write_text(toml, encoding="utf-8")
    try:
        expected = describe(load_settings(**overrides))
    except PrepPathError:
        return  # the model refuses it: both paths give its error (test_light_settings)
    settings = light_settings.load(**overrides)
    assert settings_catalogue.describe(settings) == expected
    if light:
        assert light_settings.decided(settings) is not None  # no model was built for it


def test_a_key_set_in_a_file_is_masked(home: Path) -> None:
    """A key only the config file sets is shown as set, never itself, by the light path."""
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text('openai_api_key = "sk-file-1"\n')
    settings = light_settings.load()
    shown = {v.key: v for v in settings_catalogue.describe(settings)}
    assert light_settings.decided(settings) is not None
    assert shown["openai_api_key"].value == "****** (set)"
    assert shown["openai_api_key"].source == str(home / "config" / "config.toml")


def test_the_catalogue_is_rebuilt_when_settings_change(
    home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The names and meanings are read from the model once, and again after settings.py
    changes (a new setting appears with nothing else to update)."""
    source = tmp_path / "settings.py"
    source.write_text("# stands in for settings.py\n")
    monkeypatch.setattr(settings_catalogue, "SETTINGS_SOURCE", source)
    builds = []
    real = settings_catalogue._from_model

    def counted() -> settings_catalogue.Catalogue:
        builds.append(1)
        return real()

    monkeypatch.setattr(settings_catalogue, "_from_model", counted)
    first = settings_catalogue.catalogue()
    assert settings_catalogue.catalogue() == first
    assert len(builds) == 1
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert settings_catalogue.catalogue() == first
    assert len(builds) == 2
