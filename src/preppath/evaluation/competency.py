"""Which competency a story shows, weighed against the others it could be showing instead.

A vivid story has cues of several competencies; what makes it an answer is that the asked one
dominates where the story happens. So cues are counted per competency, where they stand in the
story (a scene or an action counts fully, a closing moral half: "I learned to listen" is a passing
word, not a story about feedback), and the asked competency is compared with the strongest one
the question does not ask about, as the technical topic check compares with other questions.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from preppath.evaluation.text import stem, words

COMPETENCIES_FILE = Path(__file__).parent / "competencies.toml"
LESSON_WEIGHT = 0.5
QUESTION_WORD_WEIGHT = 1.0
# British past forms the stemmer leaves apart from their -ed twins.
_SAME_WORD = {"learnt": "learned", "spelt": "spelled", "burnt": "burned", "dreamt": "dreamed"}


def _stem(word: str) -> str:
    word = _SAME_WORD.get(word, word)
    root = stem(word)
    # The stemmer files a person under what they do ("manager" and "managed", "designer" and
    # "design", "customer" and "custom"); as cues they say different things.
    bare = word[:-1] if word.endswith("s") else word
    if bare.endswith(("er", "or")) and not root.endswith(("er", "or")):
        return root + "·er"
    return root


@dataclass(frozen=True)
class Competency:
    cues: frozenset[tuple[str, ...]]
    context: frozenset[tuple[str, ...]]
    asks_lesson: bool


@cache
def competencies() -> dict[str, Competency]:
    data = tomllib.loads(COMPETENCIES_FILE.read_text(encoding="utf-8"))
    return {
        name: Competency(
            frozenset(cue_stems(c) for c in entry.get("cues", ())),
            frozenset(cue_stems(c) for c in entry.get("context", ())),
            bool(entry.get("asks_lesson", False)),
        )
        for name, entry in data.get("competency", {}).items()
    }


@cache
def cue_stems(cue: str) -> tuple[str, ...]:
    # Every word is kept, small ones too: "took it on" is not "took", "told me" is not "told".
    return tuple(_stem(w) for w in words(cue))


@dataclass(frozen=True)
class Sentence:
    stems: tuple[str, ...]
    words: tuple[str, ...]
    weight: float
    vocabulary: frozenset[str] = frozenset()
    """Its stems as a set: most cues are not in a sentence, and a set says so at once."""


def sentence_reading(sentences: list[str], lesson: re.Pattern[str]) -> list[Sentence]:
    """Each sentence's stems and how much a cue in it says: a lesson drawn at the end is half."""
    out: list[Sentence] = []
    closing = max(1, len(sentences) * 2 // 3)
    for i, text in enumerate(sentences):
        ws = tuple(words(text))
        moral = i >= closing and bool(lesson.search(text))
        stems = tuple(_stem(w) for w in ws)
        out.append(Sentence(stems, ws, LESSON_WEIGHT if moral else 1.0, frozenset(stems)))
    return out


def _find(cue: tuple[str, ...], sentence: Sentence) -> str | None:
    """The person's words for the cue, its words in order with at most one word between."""
    if not sentence.vocabulary.issuperset(cue):
        return None
    s = sentence.stems
    for start, first in enumerate(s):
        if first != cue[0]:
            continue
        pos, ok = start, True
        for part in cue[1:]:
            if pos + 1 < len(s) and s[pos + 1] == part:
                pos += 1
            elif pos + 2 < len(s) and s[pos + 2] == part:
                pos += 2
            else:
                ok = False
                break
        if ok:
            return " ".join(sentence.words[start : pos + 1])
    return None


def evidence(cues: frozenset[tuple[str, ...]], story: list[Sentence]) -> dict[str, float]:
    """Each cue found, in the person's words, with the weight of the strongest place it stands."""
    found: dict[str, float] = {}
    for cue in cues:
        if not cue:
            continue
        for sentence in story:
            quote = _find(cue, sentence)
            if quote is not None:
                found[quote] = max(found.get(quote, 0.0), sentence.weight)
                if sentence.weight == 1.0:
                    break
    return found


def rival(
    asked: frozenset[tuple[str, ...]], names: list[str], story: list[Sentence]
) -> tuple[str, float, tuple[str, ...]]:
    """The competency not asked about that the story shows most, on cues the asked ones lack,
    counted where the story happens: a closing moral is no evidence of what the story is."""
    scene = [s for s in story if s.weight == 1.0]
    best, weight = "", 0.0
    quotes: tuple[str, ...] = ()
    for name, comp in competencies().items():
        if name in names:
            continue
        found = evidence(comp.cues - asked, scene)
        score = sum(found.values())
        if score > weight:
            best, weight, quotes = name, score, tuple(sorted(found))
    return best, weight, quotes


@dataclass(frozen=True)
class Topic:
    asked: float
    """Weighted cues of the asked competencies and the question's own words."""
    rival: float
    rival_name: str
    """The competency not asked about that the story shows most ("" for none)."""
    cues: tuple[str, ...]
    """The asked competency's cues found, strongest first, in the person's words."""
    relevance: float
    rival_cues: tuple[str, ...] = ()
    """The rival competency's cues found, in the person's words."""


def topic_of(names: list[str], question_words: list[str], story: list[Sentence]) -> Topic:
    comps = competencies()
    found: dict[str, float] = {}
    asked: set[tuple[str, ...]] = set()

    def add(cues: frozenset[tuple[str, ...]], weight: float) -> None:
        for quote, w in evidence(cues, story).items():
            found[quote] = max(found.get(quote, 0.0), w * weight)

    for rank, name in enumerate(names):
        # The first tag is what the question is about; the others count half.
        weight = 1.0 if rank == 0 else 0.5
        add(comps[name].cues, weight)
        add(comps[name].context, 0.5 * weight)
        asked |= comps[name].cues | comps[name].context
    own = frozenset(cue_stems(w) for w in question_words)
    # The question's own distinctive words are a cue each ("urgent", "stakeholders"): a plain
    # story often has no other word for what it answers. (Half a cue each was tried: it cost
    # plain stories far more than it saved on swapped ones.)
    add(own, QUESTION_WORD_WEIGHT)
    asked |= own
    rival_name, rival_weight, rival_cues = rival(frozenset(asked), names, story)
    total = sum(found.values())
    absolute = min(1.0, total / 2)
    # Relative evidence: a story whose strongest competency is one the question does not ask
    # about answers another question, however many asked cues it touches in passing. Even
    # shares are fully on topic; at a fifth or less of the evidence it is off topic.
    share = total / (total + rival_weight) if total + rival_weight else 0.0
    dominance = max(0.0, min(1.0, (share - 0.2) / 0.3))
    return Topic(
        asked=total,
        rival=rival_weight,
        rival_name=rival_name,
        cues=tuple(sorted(found, key=lambda q: -found[q])),
        relevance=absolute * dominance,
        rival_cues=rival_cues,
    )
