"""Tokenising, stemming and stop words, shared by the scorer and the question-bank tooling."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# Function words: they carry sentence structure, not content. Their share of an answer is how the
# scorer tells prose from a bare list of terms, so the list is deliberately broad.
STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else
    even ever every few for from further had has have having he her here hers him his how i if
    in into is it its itself just let me more most much must my no nor not of off on once only
    or other our ours out over own per rather same she should so some such than that the their
    theirs them then there these they this those though through to too under until up upon us
    very via was we were what when where whether which while who whom whose why will with within
    without would yet you your yours i'm i've i'd it's that's we'd we're we've don't doesn't
    didn't isn't wasn't can't won't there's let's way thing things lot lots get got make made
    using use used like well really
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Hyphenated compounds ("one-on-one", "check-ins") stay one word for the prose measure; their
# parts are matched separately, so "multi-stage" still meets a phrasing of "multi stage".
_WORD = re.compile(r"[a-z0-9][a-z0-9+#']*(?:-[a-z0-9][a-z0-9+#']*)*")


@cache
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


# Irregular forms the stemmer leaves apart from their verb or noun: "it found the key" states
# "finds the key", "the vertices" are vertexes. Forms that are also other words are left out
# ("left" of left joins, "bound" of I/O-bound, "went" would read as Go, "thought" as a noun).
_IRREGULAR = {
    form: base
    for line in """
    find found | hold held | keep kept | send sent | build built | rebuild rebuilt
    throw threw thrown | take took taken | give gave given | write wrote written
    rewrite rewrote rewritten | overwrite overwrote overwritten | override overrode overridden
    choose chose chosen | catch caught | bring brought | buy bought | lose lost | mean meant
    tell told | sell sold | pay paid | say said | see saw seen | know knew known
    grow grew grown | fall fell fallen | break broke broken | spend spent | stand stood
    understand understood | hide hid hidden | forget forgot forgotten | begin began begun
    drive drove driven | rise rose risen | run ran | lead led | feel felt | deal dealt
    feed fed | hang hung | shoot shot | teach taught | seek sought | win won | meet met
    freeze froze frozen | steal stole stolen | blow blew blown | draw drew drawn
    fly flew flown | shrink shrank shrunk | stick stuck | strike struck | sweep swept
    sleep slept | lend lent | forbid forbade forbidden | arise arose arisen | undo undid undone
    child children | vertex vertices | index indices | matrix matrices | analysis analyses
    """.replace("\n", "|").split("|")
    if (forms := line.split())
    for form in forms[1:]
    for base in forms[:1]
}


@cache
def stem(word: str) -> str:
    s = _stemmer()
    bare = word.strip("'")
    return str(s.stemWord(_IRREGULAR.get(bare, bare)))  # type: ignore[attr-defined]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass(frozen=True)
class Analysed:
    """An answer as the scorer sees it: every word, and its content words stemmed, in order."""

    words: list[str]
    content_stems: list[str]
    content_words: list[str]
    content_count: int
    """Words (compounds counted once) that are not stop words."""
    sentences: int

    @property
    def stop_ratio(self) -> float:
        return 1 - self.content_count / len(self.words) if self.words else 0.0


def _parts(word: str) -> list[str]:
    return [p for p in word.split("-") if p and p not in STOP_WORDS]


def analyse(text: str) -> Analysed:
    all_words = words(text)
    content_words = [p for w in all_words for p in _parts(w)]
    compounds = sum(1 for w in all_words if _parts(w))
    sentences = len([s for s in re.split(r"[.!?]+(?:\s|$)", text) if len(words(s)) >= 3])
    return Analysed(
        all_words, [stem(w) for w in content_words], content_words, compounds, sentences
    )


def content_stems(text: str) -> list[str]:
    return [stem(p) for w in words(text) for p in _parts(w)]
