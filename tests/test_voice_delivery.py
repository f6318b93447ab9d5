"""Delivery metrics: pace, fillers as phrases, hedges, pauses, length bands, clarity factor."""

from __future__ import annotations

import json

import pytest

from preppath.values import Transcript, Word
from preppath.voice.delivery import measure_delivery, measure_text_delivery
from voice_conftest import (
    HUMAN,
    austen_clips,
    read_int16,
    reference,
    requires_human,
    transcribe_cached,
)


def timed(text: str, *, wps: float = 2.5, pauses: dict[int, float] | None = None) -> Transcript:
    """Words spoken evenly at `wps` words a second, with extra silence before given word indexes."""
    words, t = [], 0.5
    for i, w in enumerate(text.split()):
        t += (pauses or {}).get(i, 0.0)
        words.append(Word(w, round(t, 3), round(t + 0.8 / wps, 3)))
        t += 1 / wps
    return Transcript(text, words, duration_s=t + 3.0)


def test_words_per_minute_uses_the_speaking_span() -> None:
    """wpm counts words over first-word start to last-word end, not leading/trailing silence."""
    d = measure_delivery(timed("word " * 50, wps=2.5), "technical")
    assert d.speaking_s == pytest.approx(19.92, abs=0.01)
    assert d.wpm == pytest.approx(50 / 19.92 * 60, rel=1e-3)
    assert d.recording_s is not None and d.speaking_s is not None
    assert d.recording_s > d.speaking_s + 3


@pytest.mark.parametrize(
    ("wps", "band"), [(2.3, "green"), (1.8, "amber"), (2.85, "amber"), (1.5, "red"), (3.3, "red")]
)
def test_pace_bands(wps: float, band: str) -> None:
    """Pace bands: green 120-160 wpm, amber 100-120 or 160-180, red beyond."""
    assert measure_delivery(timed("word " * 100, wps=wps), "technical").bands["pace"] == band


def test_multi_word_fillers_match_as_phrases() -> None:
    """ "you know", "I mean", "sort of" count once each as phrases, not as separate words."""
    d = measure_text_delivery(
        "so you know I mean it was sort of slow um and uh like basically done"
    )
    assert d.fillers == {
        "you know": 1, "i mean": 1, "sort of": 1, "um": 1, "uh": 1, "like": 1, "basically": 1,
    }  # fmt: skip
    assert d.filler_count == 7
    assert d.hedges == {"sort of": 1}


def test_literal_uses_are_not_fillers() -> None:
    """ "I'd like", "looks like", "what kind of", "do you know" are meaning, not filler."""
    d = measure_text_delivery(
        "I'd like a cache that looks like Redis; what kind of index? do you know the schema"
    )
    assert d.fillers == {} and d.hedges == {}


def test_hedges_counted() -> None:
    """maybe, I think, I guess are hedges; kind of is both a filler and a hedge."""
    d = measure_text_delivery("I think maybe we could I guess shard it kind of by user")
    assert d.hedges == {"i think": 1, "maybe": 1, "i guess": 1, "kind of": 1}
    assert d.fillers == {"kind of": 1}


def test_repeated_words_counted() -> None:
    """Immediate repeats ("the the") are counted; grammatical doubles ("that that") are not."""
    assert measure_text_delivery("the the cache I know that that is is fine").repeated_words == 1


def test_long_pauses_counted() -> None:
    """Gaps over 1 s and over 2.5 s between words are counted; the longest is reported."""
    d = measure_delivery(timed("a b c d e f g h", pauses={2: 1.2, 5: 3.0, 7: 2.0}), "technical")
    assert d.long_pauses == 3
    assert d.very_long_pauses == 1
    assert d.longest_pause_s == pytest.approx(3.08, abs=0.01)
    assert any("over 2.5 s" in n for n in d.notes)


@pytest.mark.parametrize(
    ("question_type", "seconds", "band"),
    [
        ("behavioral", 90, "green"), ("behavioral", 50, "amber"), ("behavioral", 20, "red"),
        ("technical", 45, "green"), ("technical", 140, "amber"),
        ("system_design", 100, "amber"), ("system_design", 240, "green"),
        ("system_design", 400, "red"),
    ],
)  # fmt: skip
def test_length_against_question_type_target(question_type: str, seconds: float, band: str) -> None:
    """Answer length is judged against the question type's target range."""
    words = [Word("w", 0.0, 0.3), Word("w", seconds - 0.3, seconds)]
    d = measure_delivery(Transcript("w w", words, seconds), question_type)
    assert d.bands["length"] == band


def test_clarity_factor_falls_with_fillers_and_stays_in_range() -> None:
    """Clean speech keeps clarity at 1; heavy fillers lower it, never below 0.5."""
    clean = measure_delivery(timed("we cache the hot keys in memory " * 20), "technical")
    filled = measure_delivery(timed("um we uh cache like the um keys " * 20), "technical")
    assert clean.clarity_factor == 1.0
    assert 0.5 <= filled.clarity_factor < 0.8
    assert filled.bands["fillers"] == "red"


def test_no_words_is_neutral() -> None:
    """An empty transcript observes nothing: clarity factor 1, a note saying no speech."""
    d = measure_delivery(Transcript("", [], 4.0), "behavioral")
    assert d.word_count == 0 and d.clarity_factor == 1.0 and d.wpm is None
    assert d.notes == ("no speech recognised",)


def test_to_dict_is_json_ready() -> None:
    """to_dict() holds only JSON types and names every metric."""
    data = measure_delivery(timed("um I think we shard by user " * 5), "system_design").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {"wpm", "fillers", "hedges", "long_pauses", "bands", "clarity_factor"} <= set(data)


def test_text_variant_has_no_timing() -> None:
    """Typed answers get fillers and hedges only; pace, pauses and length stay unset."""
    d = measure_text_delivery("Basically, I think we should add an index.")
    assert d.basis == "text" and d.wpm is None and d.long_pauses is None
    assert d.fillers == {"basically": 1} and d.hedges == {"i think": 1}
    assert set(d.bands) == {"fillers", "hedges"}


@requires_human
def test_metrics_on_real_clips_match_their_transcripts_and_durations() -> None:
    """On the human clips, words, span and pace agree with the reference text and the audio."""
    for clip in austen_clips():
        transcript = transcribe_cached(clip)
        d = measure_delivery(transcript, "behavioral")
        ref_words = len(reference(clip).split())
        duration = len(read_int16(clip)) / 16000
        assert d.recording_s == pytest.approx(duration, abs=0.01)
        assert d.speaking_s is not None and 0.6 * duration < d.speaking_s <= duration
        assert d.word_count == pytest.approx(ref_words, rel=0.3)
        assert d.wpm == pytest.approx(ref_words / d.speaking_s * 60, rel=0.3)
        assert d.very_long_pauses == 0 and d.fillers == {}
        assert d.bands["length"] == "red"  # a few seconds is far from a 1-2 minute answer


@requires_human
def test_pause_between_real_clips_is_found() -> None:
    """Two clips joined by 3 s of silence give one pause over 2.5 s at the join."""
    first = transcribe_cached(HUMAN / "austen-0880.wav")
    second = transcribe_cached(HUMAN / "austen-0930.wav")
    offset = first.duration_s + 3.0
    shifted = [Word(w.word, w.start + offset, w.end + offset) for w in second.words]
    joined = Transcript(
        f"{first.text} {second.text}", [*first.words, *shifted], offset + second.duration_s
    )
    d = measure_delivery(joined, "behavioral")
    assert d.very_long_pauses == 1
    assert d.longest_pause_s is not None and d.longest_pause_s > 3.0
