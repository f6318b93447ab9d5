"""Behavioural answers judged as stories: what each sentence does, how specific it is, and
whether it shows the competency the question asks about.

A person's story is about their own subject, so relevance comes from the competency (conflict,
failure, mentoring…) and not from sharing words with the model answer. STAR parts are found from
what the sentences do — set a scene in time, state the person's responsibility, tell actions with
"I", report an outcome or a measured change, draw a lesson — in the many ways people say so.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from preppath.evaluation.matching import Units, best_hit

COMPETENCIES_FILE = Path(__file__).parent / "competencies.toml"

_PAST_IRREGULAR = (
    "was were had did went made took got found wrote built led ran told said sent saw met spent "
    "set put began brought thought knew gave came kept left felt chose broke caught drove fought "
    "heard held lost paid sat stood taught understood won became grew fell rose read let cut hit "
    "shut spoke sold bought meant overlooked forgot misjudged underestimated rebuilt rewrote "
    "undertook withdrew"
)
_PAST = rf"(?:\w+ed|{'|'.join(_PAST_IRREGULAR.split())})"
_ADVERB = r"(?:\w+ly|then|also|first|finally|just|still|even|quickly|immediately|eventually|"
_ADVERB += r"actually|personally|basically|never|always|ultimately)"
_I_ACTION = re.compile(rf"\bi (?:{_ADVERB} )?{_PAST}\b")
_WE_ACTION = re.compile(rf"\bwe (?:{_ADVERB} )?{_PAST}\b")
# Any verb in the past tense is the mark of a story, whoever its subject ("a manager once told me").
_NARRATIVE = re.compile(rf"\b{_PAST}\b")

_CONTEXT = re.compile(
    r"\b(?:last|this|that|one|a few|two|three|several|past|previous) (?:year|month|week|quarter|"
    r"summer|spring|autumn|fall|winter|sprint|job|role|company)s?\b"
    r"|\b(?:in|back in|during|around) (?:19|20)\d\d\b|\bago\b|\bat the time\b|\bearly in my\b"
    r"|\bat (?:my|a|an|our|the) (?:\w+ )?(?:job|company|startup|employer|team|role|firm|agency|"
    r"bank|hospital|studio|lab|shop|retailer|consultancy|client)\b"
    r"|\bwhen i (?:was|joined|started|worked|first)\b|\bin my (?:first|second|third|last|previous|"
    r"old|current|new) (?:job|role|team|month|year|week|company)\b|\bthis was (?:at|when|during)\b"
    r"|\bso this was\b|\bpicture\b|\bwe had\b|\bthere was\b|\bi was working\b|\bi joined\b"
    r"|\bour (?:\w+ )?(?:service|team|app|product|system|platform|site|company|client|pipeline|"
    r"release|database|project)\b"
)
_TASK = re.compile(
    r"\bmy (?:role|job|task|responsibility|goal|mandate|remit|brief) (?:was|is)\b"
    r"|\bi was (?:responsible|asked|tasked|in charge|the (?:\w+ )?(?:lead|owner|engineer|manager|"
    r"one|person|developer|analyst|contact)|leading|expected|supposed|on call|on-call)\b"
    r"|\bit (?:was|fell) (?:my|on me|to me)\b|\bi (?:owned|had to|needed to|wanted to|volunteered|"
    r"took (?:on|ownership|charge|over)|was given)\b|\b(?:the|our|my) (?:goal|challenge|problem|"
    r"aim|job|target|brief) was\b|\bwe (?:needed|had) to\b|\bas (?:the )?(?:\w+ )?(?:lead|manager|"
    r"owner|on-call)\b|\bfell to me\b"
)
_RESULT = re.compile(
    r"\bas a result\b|\bin the end\b|\beventually\b|\bended up\b|\bwhich meant\b|\bthe result\b"
    r"|\boutcome\b|\bsince then\b|\bafterwards\b|\bby the end\b|\bwithin (?:a|two|three|\d+) \w+"
    r"|\b(?:dropped|fell|rose|grew|halved|doubled|tripled|improved|reduced|cut|saved|increased|"
    r"decreased|went (?:up|down|from)|stopped|recovered|shipped|launched|delivered|went live|"
    r"succeeded|passed|met|hit|beat|avoided|prevented|caught|fixed|resolved|solved)\b"
    r"|\b(?:from|by|to) (?:about |around |roughly |nearly |over |under )?\d"
    r"|\d+ ?(?:%|percent|per cent)|\bzero\b|\bno more\b|\bnever again\b|\bon time\b"
)
_LESSON = re.compile(
    r"\bi learn(?:ed|t)\b|\blesson\b|\btaught me\b|\bnext time\b|\bnow i (?:always|make sure|try|"
    r"check|ask)\b|\bsince then i\b|\bi took away\b|\btakeaway\b|\breali[sz]ed\b|\bin hindsight\b"
    r"|\blooking back\b|\bdo (?:it |things )?differently\b|\bwhat i'd change\b|\bi now\b"
)
_HABITUAL = re.compile(
    r"\bi (?:always|usually|typically|generally|normally|tend to|try to|would|like to|believe|"
    r"think it'?s|make sure to|am (?:a|someone)|'m (?:a|someone))\b|\bi'd\b|\bin general\b"
    r"|\bmy approach is\b|\bwhenever\b|\bi'm the kind\b|\bthe key is\b|\bit'?s important to\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|hundred|thousand|million|half|twice|dozen)\b|%"
)
_TIMEFRAME = re.compile(
    r"\b(?:\d+|a|an|one|two|three|four|five|six|several|few) (?:minutes?|hours?|days?|weeks?|"
    r"months?|quarters?|sprints?|years?)\b"
    r"|\bby (?:monday|tuesday|wednesday|thursday|friday|the end)"
    r"|\bq[1-4]\b|\bover the weekend\b|\bovernight\b"
)
_NAMED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z0-9]+(?:\s[A-Z][a-zA-Z0-9]+)*")


@dataclass(frozen=True)
class Competency:
    cues: tuple[str, ...]
    asks_lesson: bool


@cache
def competencies() -> dict[str, Competency]:
    data = tomllib.loads(COMPETENCIES_FILE.read_text(encoding="utf-8"))
    return {
        name: Competency(tuple(c.get("cues", ())), bool(c.get("asks_lesson", False)))
        for name, c in data.get("competency", {}).items()
    }


@dataclass(frozen=True)
class Story:
    star: dict[str, bool]
    i_actions: int
    we_actions: int
    narrative: float
    """0 for a description of habits, 1 for a story told in the past tense."""
    specificity: float
    relevance: float
    """How clearly the story shows the competency the question asks about (0-1)."""
    asks_lesson: bool
    lesson: bool
    cues: tuple[str, ...]
    """The competency cues found, in the person's words."""
    habitual: int


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _sentences(text: str) -> list[str]:
    parts = [p for p in re.split(r"(?<=[.!?])\s+|\n+", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        words = part.split()
        # A transcript has no full stops: read it in stretches of about twenty words.
        while len(words) > 40:
            out.append(" ".join(words[:20]))
            words = words[20:]
        out.append(" ".join(words))
    return out


def _cue_names(tags: tuple[str, ...], question_text: str) -> tuple[list[str], bool]:
    known = competencies()
    names = [t for t in tags if t in known]
    lowered = question_text.lower()
    asks_lesson = any(known[n].asks_lesson for n in names) or bool(
        re.search(r"\blearn|\bmistake|\bfail|\bdifferently|\bwrong\b", lowered)
    )
    return names, asks_lesson


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GENERIC_QUESTION_WORDS = _wordset(
    "tell time describe example situation give walk did do how what when why you your about "
    "handle handled happened result outcome project work worked team someone person people "
    "made make real difference thing things something would could have were much more most"
)


def _question_cues(question_text: str) -> list[str]:
    """The question's own distinctive words ("incomplete data", "deadline") are cues too."""
    return [
        w
        for w in re.findall(r"[a-z][a-z'-]+", question_text.lower())
        if len(w) > 3 and w not in _GENERIC_QUESTION_WORDS
    ]


def _cues(names: list[str], question_text: str) -> list[tuple[str, float]]:
    """What a story is searched for, each with its weight: the question's own words, then its
    competencies' cues."""
    asked = [(w, 1.0) for w in _question_cues(question_text)]
    for rank, name in enumerate(names):
        # The first tag is what the question is about; the others count half.
        weight = 1.0 if rank == 0 else 0.5
        asked += [(cue, weight) for cue in competencies()[name].cues]
    return asked


def story_cues(tags: tuple[str, ...], question_text: str) -> list[str]:
    """Every cue `read_story` looks for in an answer to this question."""
    return [cue for cue, _ in _cues(_cue_names(tags, question_text)[0], question_text)]


def read_story(text: str, units: Units, tags: tuple[str, ...], question_text: str) -> Story:
    lowered = text.lower().replace("’", "'")
    sentences = [s.lower().replace("’", "'") for s in _sentences(text)]
    half = max(1, len(sentences) // 2)
    opening = " ".join(sentences[: max(1, (len(sentences) + 2) // 3)])
    closing = " ".join(sentences[half:]) if len(sentences) > 1 else lowered
    i_actions = len(_I_ACTION.findall(lowered))
    we_actions = len(_WE_ACTION.findall(lowered))
    past = len(_NARRATIVE.findall(lowered))
    habitual = len(_HABITUAL.findall(lowered))
    first_is_scene = (
        bool(sentences)
        and bool(_NARRATIVE.search(sentences[0]))
        and not (_I_ACTION.search(sentences[0]))
    )
    names, asks_lesson = _cue_names(tags, question_text)
    lesson = bool(_LESSON.search(lowered))
    star = {
        "situation": bool(_CONTEXT.search(opening)) or first_is_scene,
        "task": bool(_TASK.search(lowered)),
        "action": i_actions >= 2 or (i_actions >= 1 and we_actions <= 1),
        "result": bool(_RESULT.search(closing)),
    }
    numbers = len(_NUMBER.findall(lowered))
    timeframes = len(_TIMEFRAME.findall(lowered))
    named = len(_NAMED.findall(text))
    specificity = _clamp((numbers + 0.7 * timeframes + 0.4 * named) / 5)
    narrative = _clamp(past / 5) * (1 - 0.8 * _clamp(habitual / max(3, past)))
    found: dict[str, float] = {}
    for cue, weight in _cues(names, question_text):
        hit = best_hit(cue, units)
        # Said the way it is written: "without being asked" is not "asked".
        if hit is not None and hit.complete and hit.polarity == "affirmed":
            quote = units.quote(hit.tokens).lower()
            found[quote] = max(found.get(quote, 0.0), weight)
    distinct = sorted(found, key=lambda q: -found[q])
    relevance = _clamp(sum(found.values()) / 2) if names else 1.0
    return Story(
        star=star,
        i_actions=i_actions,
        we_actions=we_actions,
        narrative=narrative,
        specificity=specificity,
        relevance=relevance,
        asks_lesson=asks_lesson,
        lesson=lesson,
        cues=tuple(distinct[:4]),
        habitual=habitual,
    )
