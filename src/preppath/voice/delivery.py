"""Delivery metrics from word timings: pace, fillers, hedges, pauses and length (GUIDE.md §2).

Everything here is an observation ("4 pauses over 2.5 s"), never a judgement of the person.

Definitions:
- Speaking span: start of the first word to end of the last, pauses included. The silence before
  the first word and after the last (waiting to start, the silence that stops a recording) is
  not part of the answer. `wpm` is words over that span; answer length is that span.
- Fillers: pause fillers (um, uh, er, ah, erm, hmm) and empty words (like, you know, I mean,
  actually, basically, literally, sort of, kind of). Multi-word fillers are matched as phrases.
  "like" is not counted after a word that makes it a verb or comparison ("I'd like", "looks
  like"); "kind of"/"sort of" not after a determiner ("what kind of index"); "you know" not
  after "do"/"if" ("do you know"). Pause fillers weigh 1, empty words 0.5 (GUIDE: weigh um/uh
  more than like/so).
- Hedges: maybe, I think, I guess, sort of, kind of. "sort of"/"kind of" are both fillers and
  hedges and are listed under both; the clarity factor counts them once (as fillers).
- Pauses: gaps between consecutive words; over 1 s is long, over 2.5 s is reported by count.

Bands (green/amber/red):
- pace: green 120-160 wpm, amber 100-120 or 160-180, red below 100 or above 180.
- fillers: green under 5 per 100 words and under 6 a minute, amber under 10 per 100 and under
  12 a minute (where harm concentrates), red otherwise.
- hedges (those that are not fillers): green under 2 per 100 words, amber under 4, red above.
- pauses over 2.5 s: green up to 0.5 a minute, amber up to 1 a minute, red above.
- length: green inside the target, amber within 25 % outside it, red beyond. Targets: behavioral
  60-120 s (GUIDE: 1-2 minutes), technical 45-120 s (a focused explanation), system_design
  120-300 s (requirements, design, trade-offs), anything else 45-180 s.

clarity_factor (0.5-1, multiplied into the evaluator's clarity score): 1 minus
  pace 0.05 amber / 0.15 red
  + fillers 0.025 per weighted filler per 100 words above 3 (at most 0.25)
  + hedges 0.02 per non-filler hedge per 100 words above 2 (at most 0.10)
  + pauses 0.05 per pause over 2.5 s beyond one per two minutes (at most 0.15),
floored at 0.5 so delivery can at most halve clarity. Length is reported but not part of it
(it belongs to completeness). With no words at all it is 1.0: there is nothing to observe.
A typed answer (`measure_text_delivery`) has only the filler and hedge terms.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from preppath.messages import plural
from preppath.values import Transcript

Band = Literal["green", "amber", "red"]

PAUSE_FILLERS = ("um", "uh", "er", "ah", "erm", "hmm")
EMPTY_WORDS = (
    "like", "you know", "i mean", "actually", "basically", "literally", "sort of", "kind of",
)  # fmt: skip
HEDGES = ("maybe", "i think", "i guess", "sort of", "kind of")
LONG_PAUSE_S = 1.0
VERY_LONG_PAUSE_S = 2.5
TARGETS_S: dict[str, tuple[float, float]] = {
    "behavioral": (60.0, 120.0),
    "technical": (45.0, 120.0),
    "system_design": (120.0, 300.0),
}
DEFAULT_TARGET_S = (45.0, 180.0)
MIN_CLARITY_FACTOR = 0.5

# Words after which "like" is a verb or a comparison, not a filler.
_LIKE_VERB_BEFORE = frozenset(
    ["would", "i'd", "you'd", "we'd", "they'd", "he'd", "she'd", "i", "you", "we", "they",
     "look", "looks", "looked", "looking", "seem", "seems", "seemed", "feel", "feels", "felt",
     "sound", "sounds", "sounded", "something", "anything", "nothing", "really", "do", "does",
     "did", "don't", "doesn't", "didn't", "more", "much", "just"]
)  # fmt: skip
# Determiners after which "kind of"/"sort of" is a noun phrase ("what kind of cache").
_KIND_NOUN_BEFORE = frozenset(
    ["what", "which", "this", "that", "the", "a", "any", "some", "every", "each", "one", "same",
     "different", "another"]
)  # fmt: skip
_YOU_KNOW_QUESTION_BEFORE = frozenset(["do", "did", "don't", "didn't", "if", "would", "will"])
_REPEAT_OK = frozenset({"that", "had", "is"})  # "that that", "had had": grammatical doubles
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _tokens(words: Iterable[str]) -> list[str]:
    out: list[str] = []
    for w in words:
        out.extend(_TOKEN.findall(w.lower().replace("’", "'")))
    return out


def _match(tokens: Sequence[str], phrases: Sequence[str]) -> Counter[str]:
    """Count phrases, longest first at each position, so "you know" is one filler, not two words."""
    table = sorted((tuple(p.split()) for p in phrases), key=len, reverse=True)
    found: Counter[str] = Counter()
    i = 0
    while i < len(tokens):
        for phrase in table:
            if tuple(tokens[i : i + len(phrase)]) == phrase and _counts(tokens, i, phrase):
                found[" ".join(phrase)] += 1
                i += len(phrase)
                break
        else:
            i += 1
    return found


def _counts(tokens: Sequence[str], i: int, phrase: tuple[str, ...]) -> bool:
    before = tokens[i - 1] if i > 0 else ""
    if phrase == ("like",):
        return before not in _LIKE_VERB_BEFORE
    if phrase in (("kind", "of"), ("sort", "of")):
        return before not in _KIND_NOUN_BEFORE
    if phrase == ("you", "know"):
        return before not in _YOU_KNOW_QUESTION_BEFORE
    return True


def _repeats(tokens: Sequence[str]) -> int:
    return sum(1 for a, b in itertools.pairwise(tokens) if a == b and a not in _REPEAT_OK)


def _pace_band(wpm: float) -> Band:
    if 120 <= wpm <= 160:
        return "green"
    if 100 <= wpm <= 180:
        return "amber"
    return "red"


def _filler_band(per_100: float, per_min: float | None) -> Band:
    rate = per_min if per_min is not None else 0.0
    if per_100 < 5 and rate < 6:
        return "green"
    if per_100 < 10 and rate < 12:
        return "amber"
    return "red"


def _hedge_band(per_100: float) -> Band:
    return "green" if per_100 < 2 else "amber" if per_100 < 4 else "red"


def _pause_band(per_min: float) -> Band:
    return "green" if per_min <= 0.5 else "amber" if per_min <= 1.0 else "red"


def _length_band(seconds: float, target: tuple[float, float]) -> Band:
    lo, hi = target
    if lo <= seconds <= hi:
        return "green"
    if lo * 0.75 <= seconds <= hi * 1.25:
        return "amber"
    return "red"


def _per_100(count: float, words: int) -> float:
    return count * 100.0 / words if words else 0.0


def _describe(counts: Counter[str]) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in counts.most_common())


@dataclass(frozen=True)
class Delivery:
    """Observed delivery of one answer; `basis` says whether timings were available."""

    basis: Literal["audio", "text"]
    question_type: str | None
    word_count: int
    fillers: dict[str, int]
    filler_count: int
    fillers_per_100_words: float
    hedges: dict[str, int]
    hedge_count: int
    hedges_per_100_words: float
    repeated_words: int
    clarity_factor: float
    bands: dict[str, Band]
    notes: tuple[str, ...]
    speaking_s: float | None = None
    recording_s: float | None = None
    wpm: float | None = None
    fillers_per_minute: float | None = None
    long_pauses: int | None = None
    very_long_pauses: int | None = None
    longest_pause_s: float | None = None
    target_s: tuple[float, float] | None = None
    pauses_s: tuple[float, ...] = field(default=())
    """Every gap over 1 s, in order, for a timeline view."""

    def to_dict(self) -> dict[str, object]:
        def r(x: float | None, nd: int = 2) -> float | None:
            return None if x is None else round(x, nd)

        return {
            "basis": self.basis,
            "question_type": self.question_type,
            "word_count": self.word_count,
            "speaking_s": r(self.speaking_s),
            "recording_s": r(self.recording_s),
            "wpm": r(self.wpm, 1),
            "fillers": dict(self.fillers),
            "filler_count": self.filler_count,
            "fillers_per_100_words": r(self.fillers_per_100_words),
            "fillers_per_minute": r(self.fillers_per_minute),
            "hedges": dict(self.hedges),
            "hedge_count": self.hedge_count,
            "hedges_per_100_words": r(self.hedges_per_100_words),
            "repeated_words": self.repeated_words,
            "long_pauses": self.long_pauses,
            "very_long_pauses": self.very_long_pauses,
            "longest_pause_s": r(self.longest_pause_s),
            "pauses_s": [round(p, 2) for p in self.pauses_s],
            "target_s": list(self.target_s) if self.target_s else None,
            "bands": dict(self.bands),
            "clarity_factor": round(self.clarity_factor, 3),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class _Lexical:
    words: int
    fillers: Counter[str]
    hedges: Counter[str]
    weighted_fillers: float
    plain_hedges: int  # hedges that are not also fillers
    repeats: int


def _lexical(tokens: Sequence[str]) -> _Lexical:
    fillers = _match(tokens, PAUSE_FILLERS + EMPTY_WORDS)
    hedges = _match(tokens, HEDGES)
    weighted = sum(n * (1.0 if k in PAUSE_FILLERS else 0.5) for k, n in fillers.items())
    plain = sum(n for k, n in hedges.items() if k not in EMPTY_WORDS)
    return _Lexical(len(tokens), fillers, hedges, weighted, plain, _repeats(tokens))


def _lexical_penalty(lex: _Lexical) -> float:
    filler = min(0.25, 0.025 * max(0.0, _per_100(lex.weighted_fillers, lex.words) - 3))
    hedge = min(0.10, 0.02 * max(0.0, _per_100(lex.plain_hedges, lex.words) - 2))
    return filler + hedge


def _lexical_notes(lex: _Lexical) -> list[str]:
    notes = []
    n_fill = sum(lex.fillers.values())
    if n_fill:
        per = _per_100(n_fill, lex.words)
        notes.append(
            f"{plural(n_fill, 'filler')} ({_describe(lex.fillers)}): {per:.1f} per 100 words"
        )
    else:
        notes.append("no fillers heard")
    if lex.hedges:
        notes.append(f"hedges: {_describe(lex.hedges)}")
    if lex.repeats:
        notes.append(f"{plural(lex.repeats, 'immediately repeated word')}")
    return notes


def measure_delivery(transcript: Transcript, question_type: str) -> Delivery:
    """Pace, fillers, hedges, pauses and length from a transcript with word timings."""
    words = [w for w in transcript.words if _tokens([w.word])]
    lex = _lexical(_tokens(w.word for w in words))
    target = TARGETS_S.get(question_type, DEFAULT_TARGET_S)
    n_fill = sum(lex.fillers.values())
    n_hedge = sum(lex.hedges.values())
    bands: dict[str, Band] = {}
    if not words:
        return Delivery(
            basis="audio", question_type=question_type, word_count=0, fillers={}, filler_count=0,
            fillers_per_100_words=0.0, hedges={}, hedge_count=0, hedges_per_100_words=0.0,
            repeated_words=0, clarity_factor=1.0, bands=bands, notes=("no speech recognised",),
            speaking_s=0.0, recording_s=transcript.duration_s, target_s=target,
        )  # fmt: skip
    span = max(0.0, words[-1].end - words[0].start)
    minutes = span / 60.0
    gaps = [b.start - a.end for a, b in itertools.pairwise(words)]
    long_gaps = tuple(g for g in gaps if g > LONG_PAUSE_S)
    very_long = sum(1 for g in gaps if g > VERY_LONG_PAUSE_S)
    wpm = len(words) / minutes if span > 0 else None
    fill_per_min = n_fill / minutes if span > 0 else None
    very_long_per_min = very_long / minutes if span > 0 else 0.0

    penalty = _lexical_penalty(lex)
    notes: list[str] = []
    if wpm is not None:
        bands["pace"] = _pace_band(wpm)
        penalty += {"green": 0.0, "amber": 0.05, "red": 0.15}[bands["pace"]]
        notes.append(f"{wpm:.0f} words per minute ({bands['pace']}; 120-160 is the usual target)")
    bands["fillers"] = _filler_band(_per_100(n_fill, len(words)), fill_per_min)
    bands["hedges"] = _hedge_band(_per_100(lex.plain_hedges, len(words)))
    bands["pauses"] = _pause_band(very_long_per_min)
    penalty += min(0.15, 0.05 * max(0.0, very_long - 0.5 * minutes))
    bands["length"] = _length_band(span, target)
    notes += _lexical_notes(lex)
    if very_long:
        notes.append(
            f"{plural(very_long, 'pause')} over {VERY_LONG_PAUSE_S} s (longest {max(gaps):.1f} s)"
        )
    elif long_gaps:
        notes.append(
            f"{plural(len(long_gaps), 'pause')} over {LONG_PAUSE_S:.0f} s, none over 2.5 s"
        )
    notes.append(
        f"answer length {span:.0f} s ({bands['length']}; target {target[0]:.0f}-{target[1]:.0f} s"
        f" for {question_type.replace('_', ' ')})"
    )
    return Delivery(
        basis="audio",
        question_type=question_type,
        word_count=len(words),
        fillers=dict(lex.fillers),
        filler_count=n_fill,
        fillers_per_100_words=_per_100(n_fill, len(words)),
        hedges=dict(lex.hedges),
        hedge_count=n_hedge,
        hedges_per_100_words=_per_100(n_hedge, len(words)),
        repeated_words=lex.repeats,
        clarity_factor=max(MIN_CLARITY_FACTOR, 1.0 - penalty),
        bands=bands,
        notes=tuple(notes),
        speaking_s=span,
        recording_s=transcript.duration_s,
        wpm=wpm,
        fillers_per_minute=fill_per_min,
        long_pauses=len(long_gaps),
        very_long_pauses=very_long,
        longest_pause_s=max(gaps) if gaps else 0.0,
        target_s=target,
        pauses_s=long_gaps,
    )


def measure_text_delivery(text: str) -> Delivery:
    """Fillers, hedges and repeats of a typed answer (no timing, so no pace, pauses or length)."""
    lex = _lexical(_tokens([text]))
    n_fill = sum(lex.fillers.values())
    n_hedge = sum(lex.hedges.values())
    bands: dict[str, Band] = {}
    if lex.words:
        bands["fillers"] = _filler_band(_per_100(n_fill, lex.words), None)
        bands["hedges"] = _hedge_band(_per_100(lex.plain_hedges, lex.words))
    return Delivery(
        basis="text",
        question_type=None,
        word_count=lex.words,
        fillers=dict(lex.fillers),
        filler_count=n_fill,
        fillers_per_100_words=_per_100(n_fill, lex.words),
        hedges=dict(lex.hedges),
        hedge_count=n_hedge,
        hedges_per_100_words=_per_100(n_hedge, lex.words),
        repeated_words=lex.repeats,
        clarity_factor=max(MIN_CLARITY_FACTOR, 1.0 - _lexical_penalty(lex)) if lex.words else 1.0,
        bands=bands,
        notes=tuple(_lexical_notes(lex)) if lex.words else ("no words",),
    )
