"""Providers are chosen through one registry, and tests stand in named fakes for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from preppath.providers import factory
from preppath.testing.fakes import FakeEvaluator, FakeSpeechToText
from preppath.values import Evaluation, Transcript, Word


def test_every_capability_has_an_offline_and_an_openai_provider() -> None:
    """Questions, evaluation, transcription and speech each register both implementations."""
    for capability in ("questions", "evaluation", "transcription", "speech"):
        assert factory.registered(capability) == ["offline", "openai"]


def test_offline_settings_build_offline_providers(app: Any) -> None:
    """With no key and no base URL every capability is served offline."""
    assert factory.evaluator(app.settings, app.paths).name == "rubric"
    assert factory.question_provider(app.settings, app.paths).name == "offline"


def test_an_overridden_capability_serves_the_fake_then_restores(app: Any) -> None:
    """`overridden` puts a named fake in front of one capability for the block only."""
    fake = FakeEvaluator()
    with factory.overridden("evaluation", fake):
        assert factory.evaluator(app.settings, app.paths) is fake
    assert factory.evaluator(app.settings, app.paths).name == "rubric"


def test_fakes_return_what_was_queued_and_refuse_when_empty(tmp_path: Path) -> None:
    """A fake answers in queue order and says so plainly when a test queued too little."""
    heard = Transcript("hello", [Word("hello", 0.0, 0.4)], 0.5)
    stt = FakeSpeechToText().enqueue(heard)
    assert stt.transcribe_file(tmp_path / "a.wav") == heard
    assert stt.files == [tmp_path / "a.wav"]
    with pytest.raises(AssertionError, match="nothing queued"):
        stt.transcribe_file(tmp_path / "b.wav")
    evaluator = FakeEvaluator().enqueue(Evaluation(1.0, 1.0, 1.0, 10, [], []))
    assert evaluator._queue.next().overall == 10


def test_bank_scorer_and_voice_do_not_import_providers() -> None:
    """The shared value types live at the bottom (`preppath.values`): the bank, the scorer and
    voice never import `preppath.providers`."""
    import ast

    root = Path(__file__).parent.parent / "src" / "preppath"
    offenders = []
    for folder in ("bank", "evaluation", "voice"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                    "preppath.providers"
                ):
                    offenders.append(f"{path.relative_to(root)}: {node.module}")
    assert offenders == []
