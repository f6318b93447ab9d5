"""Offline transcription (pocketsphinx) on real human recordings, never on synthesised speech."""

from __future__ import annotations

import functools
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from preppath.providers.base import SpeechToText
from preppath.values import Transcript
from preppath.voice import stt
from preppath.voice.stt import (
    PocketsphinxSTT,
    StreamingTranscriber,
    transcribe_pcm,
    vocabulary_words,
)
from preppath.voice.wer import corpus_wer, normalise
from voice_conftest import (
    HUMAN,
    austen_clips,
    goforward,
    read_int16,
    reference,
    requires_human,
    speech_only,
    transcribe_cached,
)

pytestmark = requires_human

# Rare words of the passage, as a question's key terms would be (the LM thinks them unlikely).
PASSAGE_TERMS = ("Dashwood", "prudently", "disposed", "amiable", "respectable", "leisure")
UNRELATED_TERMS = ("database", "cache latency", "throughput", "partition", "deadlock", "kubernetes")


def _wer(vocabulary: tuple[str, ...], clips: list[Path] | None = None) -> float:
    """Corpus WER with `vocabulary` biased explicitly (biasing is off by default)."""
    return corpus_wer(
        (reference(c), _biased(c, vocabulary).text if vocabulary else transcribe_cached(c).text)
        for c in clips or austen_clips()
    )


@functools.cache
def _biased(clip: Path, vocabulary: tuple[str, ...]) -> Transcript:
    return transcribe_pcm(read_int16(clip), vocabulary=vocabulary, bias=True)


def _stream(samples: np.ndarray[Any, Any]) -> tuple[Transcript, list[tuple[float, float]]]:
    """Feed 0.1-s blocks as the recorder does; the transcript and the utterances' spans."""
    with StreamingTranscriber() as live:
        for i in range(0, len(samples), 1600):
            live.feed(samples[i : i + 1600])
        return live.finish(), live.utterances


def test_corpus_wer_on_austen_clips() -> None:
    """Corpus WER over the five Austen clips stays at or below 0.35."""
    assert len(austen_clips()) == 5
    assert _wer(()) <= 0.35


def test_goforward_is_exact() -> None:
    """The CMU test clip comes back word for word."""
    assert transcribe_cached(goforward()).text == "go forward ten meters"


def test_word_timings_are_ordered_and_inside_the_audio() -> None:
    """Words carry start/end seconds, in order, within the clip; no silence or noise tokens."""
    clip = austen_clips()[0]
    transcript = transcribe_cached(clip)
    assert transcript.duration_s == pytest.approx(len(read_int16(clip)) / 16000, abs=0.01)
    previous_end = 0.0
    for word in transcript.words:
        assert previous_end <= word.start < word.end <= transcript.duration_s
        assert not word.word.startswith(("<", "[")) and "(" not in word.word
        previous_end = word.end
    assert transcript.text == " ".join(w.word for w in transcript.words)


def test_vocabulary_biasing_when_asked_lowers_wer() -> None:
    """With bias=True, boosting the passage's rare words lowers WER; unrelated terms do not
    raise it."""
    assert _wer(PASSAGE_TERMS) < _wer(())
    short = [c for c in austen_clips() if c.stem in ("austen-0880", "austen-0930")]
    assert _wer(UNRELATED_TERMS, short) <= _wer((), short)


def test_vocabulary_is_not_biased_by_default() -> None:
    """Biasing did not help on every shared clip (bench/bench_voice.py), so it is off unless
    asked for: a vocabulary leaves the transcript as it is."""
    clip = HUMAN / "austen-0880.wav"
    plain = transcribe_cached(clip)
    assert transcribe_pcm(read_int16(clip), vocabulary=PASSAGE_TERMS).text == plain.text
    assert _biased(clip, PASSAGE_TERMS).text != plain.text  # "disposed" is recovered


def test_unknown_vocabulary_is_reported() -> None:
    """Words missing from the dictionary cannot be boosted and are listed, not fatal."""
    with StreamingTranscriber(vocabulary=["Kubernetes", "cache"], bias=True) as live:
        assert live.unknown_vocabulary == ("kubernetes",)
    with StreamingTranscriber(vocabulary=["Kubernetes", "cache"]) as live:
        assert live.unknown_vocabulary == ()  # nothing is biased, so nothing is looked up


def test_vocabulary_phrases_split_into_words() -> None:
    """Terms and phrases become lower-case words, each once."""
    assert vocabulary_words(["Load balancer", "load", "CAP theorem's"]) == (
        "load", "balancer", "cap", "theorem's",
    )  # fmt: skip


def test_streaming_decoder_transcribes_in_blocks() -> None:
    """Fed in 0.1 s blocks, the streaming decoder matches the reference closely."""
    pairs = []
    for clip in [HUMAN / "austen-0920.wav", goforward()]:
        samples = read_int16(clip)
        transcript, _ = _stream(samples)
        assert transcript.duration_s == pytest.approx(len(samples) / 16000, abs=0.01)
        pairs.append((reference(clip), transcript.text))
    assert corpus_wer(pairs[:-1]) <= 0.35
    assert pairs[-1][1] == "go forward ten meters"


def test_streaming_equals_decoding_its_utterances_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The five Austen clips cut to their speech and joined with no pause (25 s the endpointer
    never closes) are cut by the length bound; live decoding gives the words of decoding those
    same utterances whole, within one word in ten (measured: identical from a cold start, 0.04
    apart when the live CMN starts from the previous answer's, as it does after the first)."""
    samples = np.concatenate([speech_only(read_int16(c)) for c in austen_clips()])
    monkeypatch.setattr(stt, "_shared_cmn", None)
    for _ in ("cold", "warm"):
        transcript, spans = _stream(samples)
        assert len(spans) >= 2
        assert all(end - start <= stt.MAX_UTTERANCE_S + 0.03 for start, end in spans)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
        whole = [
            w.word
            for start, end in spans
            for w in transcribe_pcm(samples[round(start * 16000) : round(end * 16000)]).words
        ]
        assert corpus_wer([(" ".join(whole), transcript.text)]) <= 0.1


def test_long_audio_is_cut_at_pauses_with_offsets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long audio is decoded utterance by utterance, with word times offset correctly."""
    monkeypatch.setattr(stt, "WHOLE_FILE_MAX_S", 10.0)  # the real limit is 30 s; keep it quick
    clip = read_int16(goforward())
    gap = np.zeros(16000 * 2, np.int16)
    samples = np.concatenate([clip, gap] * 3)  # about 14 s, three utterances
    transcript = transcribe_pcm(samples)
    assert normalise(transcript.text) == normalise("go forward ten meters " * 3)
    period = (len(clip) + len(gap)) / 16000
    starts = [w.start for w in transcript.words if w.word == "go"]
    assert starts == pytest.approx([0.46 + k * period for k in range(3)], abs=0.15)


def test_stream_ending_on_a_frame_boundary() -> None:
    """Audio whose length is a whole number of 30 ms VAD frames still finishes cleanly."""
    samples = read_int16(goforward())
    samples = samples[: len(samples) // 480 * 480]
    with StreamingTranscriber() as live:
        live.feed(samples)
        assert live.finish().text == "go forward ten meters"


def test_cancelled_stream_leaves_the_recogniser_usable() -> None:
    """Cancelling mid-utterance (answer discarded) does not break the next transcription."""
    samples = read_int16(goforward())
    with StreamingTranscriber() as live:
        live.feed(samples[: len(samples) // 2])
    assert transcribe_pcm(samples).text == "go forward ten meters"


def test_implements_the_speech_to_text_protocol() -> None:
    """PocketsphinxSTT satisfies providers.base.SpeechToText."""
    provider: SpeechToText = PocketsphinxSTT()
    assert provider.name == "pocketsphinx"
