"""The bank's questions read ahead in the build cache (evaluation/prepared.py): an answer loads
its question's readings instead of reading every phrasing again, and scores exactly the same."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from conftest import COBOL_KEY_POINTS
from preppath.bank.loader import load_bank
from preppath.buildcache import Entries, cached_entries
from preppath.evaluation import contrast, matching
from preppath.evaluation.calibration import load_graded
from preppath.evaluation.prepared import bank_readings, read_ahead
from preppath.evaluation.rubric import RubricEvaluator, bank_idf, bank_topics
from preppath.paths import resolve_paths
from preppath.providers import factory
from preppath.settings import load_settings

GRADED = Path(__file__).parent / "fixtures" / "graded_answers"
PER_TYPE = 5  # every graded answer to this many questions of each type


def _forget_readings() -> None:
    contrast.TERMS_AHEAD.clear()
    contrast.CONTRASTS_AHEAD.clear()
    contrast._question_terms.cache_clear()
    contrast._contrast_of.cache_clear()
    matching.READ_AHEAD.clear()
    matching.SAYINGS_AHEAD.clear()
    matching._compiled.cache_clear()
    matching._model_sayings.cache_clear()


def test_readings_score_the_same_and_read_no_phrase_again() -> None:
    """Graded answers get the same evaluations (scores, quotes, feedback) with their questions'
    readings loaded as without, and scoring then reads none of the questions' phrases itself."""
    bank = load_bank(None)
    by_id = bank.by_id()
    graded = load_graded(GRADED.glob("*.toml"))
    ids = sorted({a.question for a in graded})
    kinds = ("technical", "behavioral", "system_design")
    asked = [q for kind in kinds for q in [q for q in ids if by_id[q].type == kind][:PER_TYPE]]
    answers = [a for a in graded if a.question in asked]
    idf, topics = bank_idf(bank.questions), bank_topics(bank.questions)
    _forget_readings()
    plain = RubricEvaluator(idf, topics=topics)
    expected = [plain.evaluate(by_id[a.question], a.text) for a in answers]
    readings = read_ahead(by_id[q] for q in asked)
    _forget_readings()
    try:
        ahead = RubricEvaluator(idf, topics=topics, readings=readings)
        assert [ahead.evaluate(by_id[a.question], a.text) for a in answers] == expected
        assert matching._compiled.cache_info().currsize == 0
        assert matching._model_sayings.cache_info().currsize == 0
        assert contrast._question_terms.cache_info().currsize == 0
        assert contrast._contrast_of.cache_info().currsize == 0
    finally:
        _forget_readings()


COBOL = """\
[[question]]
id = "cobol-divisions"
type = "technical"
difficulty = "easy"
levels = ["junior", "mid", "senior"]
stack = ["cobol"]
tags = ["fundamentals"]
text = "What are the four divisions of a COBOL program?"
expected_answer = "Identification, environment, data and procedure divisions."
"""


def test_a_changed_user_pack_is_read_again(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user pack's questions are read ahead too, stored and read back whole, and editing the
    pack replaces its readings on the next command (a new process: the in-process bank is
    forgotten here)."""
    # The shipped packs left out: building their readings twice would only slow the test.
    monkeypatch.setattr("preppath.bank.sources.BUILTIN_DIR", home / "no-shipped-packs")
    load_bank.cache_clear()
    packs = home / "config" / "packs"
    packs.mkdir(parents=True)
    pack = packs / "cobol.toml"
    pack.write_text(COBOL + COBOL_KEY_POINTS, encoding="utf-8")
    text = "What are the four divisions of a COBOL program?"
    try:
        first = bank_readings(packs)
        assert list(first) == [text]
        assert dict(bank_readings(packs)) == dict(first)  # the second time, from the file
        _, _, phrases, _, _ = pickle.loads(first[text])
        assert "identification division" in phrases
        pack.write_text(
            COBOL + COBOL_KEY_POINTS.replace('"identification division"', '"id division"'),
            encoding="utf-8",
        )
        load_bank.cache_clear()
        _, _, phrases, _, _ = pickle.loads(bank_readings(packs)[text])
        assert "id division" in phrases
        assert "identification division" not in phrases
        assert phrases["id division"] == matching.compile_phrase("id division")
    finally:
        load_bank.cache_clear()


def test_the_offline_evaluator_is_built_with_the_banks_readings(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `interview answer` scores with holds the readings of the bank, user packs included
    (here the only pack, so the test builds no more than it checks)."""
    monkeypatch.setattr("preppath.bank.sources.BUILTIN_DIR", home / "no-shipped-packs")
    paths = resolve_paths()
    paths.packs_dir.mkdir(parents=True)
    (paths.packs_dir / "cobol.toml").write_text(COBOL + COBOL_KEY_POINTS, encoding="utf-8")
    load_bank.cache_clear()
    try:
        evaluator = factory.evaluator(load_settings(), paths)
        assert isinstance(evaluator, RubricEvaluator)
        assert set(evaluator.readings) == {"What are the four divisions of a COBOL program?"}
    finally:
        load_bank.cache_clear()


def test_readings_removed_or_cut_short_are_only_slower(home: Path) -> None:
    """A readings file that a rebuild removed, or that was cut short, answers "not read ahead"
    for the entries it no longer holds, never an error: scoring then reads the question itself."""
    cached_entries("demo", [], lambda: {"a": b"first", "b": b"second"})
    (path,) = (resolve_paths().cache_dir / "build").glob("demo-*.entries")
    stored = Entries(path)
    assert dict(stored) == {"a": b"first", "b": b"second"}
    path.write_bytes(path.read_bytes()[:-3])
    assert stored.get("a") == b"first"
    assert stored.get("b") is None
    path.unlink()
    assert stored.get("a") is None
