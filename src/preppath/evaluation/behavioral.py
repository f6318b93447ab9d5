"""Behavioural answers judged as stories: what each sentence does, how specific it is, and
whether it shows the competency the question asks about.

A person's story is about their own subject, so relevance comes from the competency (conflict,
failure, mentoring…) and not from sharing words with the model answer. STAR parts are found from
what the sentences do — set a scene in time, state the person's responsibility, tell actions with
"I", report an outcome or a measured change, draw a lesson — in the many ways people say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from preppath.evaluation.competency import competencies, sentence_reading, topic_of
from preppath.evaluation.matching import Units
from preppath.evaluation.text import STOP_WORDS

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
    # Who and where the person was: "I was lead programmer at a games studio", "I work on the
    # stock system for a chain of shops", "three years into my career".
    r"|\bi (?:was|am|'m|worked|work) (?:as |at |for |in )?(?:a |an |the |our )?(?:[\w-]+ ){0,3}"
    r"(?:engineer|developer|programmer|lead|manager|analyst|designer|architect|consultant|"
    r"intern|scientist|administrator|student|researcher|tester|owner)\b"
    r"|\bi (?:work|worked) (?:on|at|for|in)\b|\bworking (?:on|at|for) (?:a|an|the|our)\b"
    r"|\byears? into my (?:career|job|role)\b"
    r"|\bat (?:a|an|our|the|my) (?:[\w-]+ ){0,3}(?:company|startup|start-up|studio|agency|bank|"
    r"hospital|lab|shop|retailer|firm|charity|university|school|museum|council|consultancy|"
    r"marketplace|fintech|insurer|publisher|chain|department)\b"
    # When: "one night", "about six weeks before the launch", "in a performance review".
    r"|\bone (?:day|night|morning|afternoon|evening|weekend|monday|tuesday|wednesday|thursday|"
    r"friday)\b|\b(?:a|one|two|three|four|five|six|\d+|a few|several) (?:days|weeks|months|"
    r"years) (?:before|after|into)\b"
    r"|\b(?:in|during|after) (?:a|an|one|our|my|the) (?:[\w-]+ ){0,2}(?:review|meeting|retro|"
    r"retrospective|one-on-one|1:1|stand-up|standup|planning|sprint|demo|incident|outage|launch|"
    r"migration|presentation)\b"
)
_TASK = re.compile(
    r"\bmy (?:role|job|task|responsibility|goal|mandate|remit|brief) (?:was|is)\b"
    r"|\bi was (?:responsible|asked|tasked|in charge|the (?:\w+ )?(?:lead|owner|engineer|manager|"
    r"one|person|developer|analyst|contact)|leading|expected|supposed|on call|on-call)\b"
    r"|\bit (?:was|fell) (?:my|on me|to me)\b|\bi (?:owned|had to|needed to|wanted to|volunteered|"
    r"took (?:on|ownership|charge|over)|was given)\b|\b(?:the|our|my) (?:goal|challenge|problem|"
    r"aim|job|target|brief) was\b|\bwe (?:needed|had) to\b|\bas (?:the )?(?:\w+ )?(?:lead|manager|"
    r"owner|on-call)\b|\bfell to me\b"
    # The call or the job was theirs: "telling the publisher was my job", "it was my call".
    r"|\bwas (?:my|all my) (?:job|call|responsibility|decision|problem|role)\b"
    r"|\bwas (?:down|up) to me\b|\b(?:call|decision|choice) was mine\b"
    r"|\bi (?:said|told (?:\w+ ){1,2}|offered|promised) (?:that )?i(?:'d| would| will|'ll) "
    r"(?:take|handle|own|fix|do|look|lead|sort)\b|\bi took it\b"
    r"|\bi was the (?:[\w-]+ ){0,2}(?:lead|owner|engineer|one|person|developer|programmer|"
    r"manager|analyst)\b"
)
_RESULT = re.compile(
    r"\bas a result\b|\bin the end\b|\beventually\b|\bended up\b|\bwhich meant\b|\bthe result\b"
    r"|\boutcome\b|\bsince then\b|\bafterwards\b|\bby the end\b|\bwithin (?:a|two|three|\d+) \w+"
    r"|\b(?:dropped|fell|rose|grew|halved|doubled|tripled|improved|reduced|cut|saved|increased|"
    r"decreased|went (?:up|down|from)|stopped|recovered|shipped|launched|delivered|went live|"
    r"succeeded|passed|met|hit|beat|avoided|prevented|caught|fixed|resolved|solved)\b"
    r"|\b(?:from|by|to) (?:about |around |roughly |nearly |over |under )?\d"
    r"|\d+ ?(?:%|percent|per cent)|\bzero\b|\bno more\b|\bnever again\b|\bon time\b"
    r"|\bback to normal\b|\bnone (?:lost|missing|left)\b|\b(?:was|were|got) approved\b"
    r"|\brenewed\b|\bsigned\b|\bno longer\b|\bgot it working\b"
    # Where things stood later: "by spring she was running releases", "he now leads it".
    r"|\bby (?:spring|summer|autumn|fall|winter|january|february|march|april|may|june|july|"
    r"august|september|october|november|december|the next|the following|then)\b"
    r"|\bmoved (?:into|up)\b|\b(?:was|got|been) promoted\b"
    r"|\bnow (?:runs|leads|owns|handles|mentors|manages|maintains|uses)\b"
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
    rival: str = ""
    """The competency the story shows instead of the asked one, when it does."""
    rival_cues: tuple[str, ...] = ()
    asked_for: str = ""
    """What the question asks for, in its own words ("a time you disagreed with…")."""

    def off_topic_note(self, asked: str) -> str:
        """Why the story misses the question: what it asks for, and what the story shows."""
        wanted = f": {self.asked_for}" if self.asked_for else ""
        instead = ""
        if self.rival:
            said = ", ".join(f"“{c}”" for c in self.rival_cues[:2])
            instead = f"; this one is about {self.rival} (you said {said})"
        return (
            f"The story does not show what the question asks about ({asked}){wanted}{instead}. "
            "Choose one where that is the point"
        )


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _sentences(text: str, overlap: int = 0) -> list[str]:
    """Sentences; `overlap` words of each cut stretch repeat at the start of the next, so a
    phrase across a cut ("his | idea") is still read whole."""
    parts = [p for p in re.split(r"(?<=[.!?])\s+|\n+", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        words = part.split()
        # A transcript has no full stops: read it in stretches of about twenty words.
        while len(words) > 40:
            out.append(" ".join(words[: 20 + overlap]))
            words = words[20:]
        out.append(" ".join(words))
    return out


_OPEN = re.compile(
    r"\b(?:proud|accomplishments?|achievements?|favou?rite|biggest (?:success|win|impact)|"
    r"best work)\b",
    re.IGNORECASE,
)


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
    "made make real difference thing things something would could have were much more most "
    "going wasn't weren't didn't their them having took take taken give gave tell told"
)
# Words nearly every workplace story uses, whatever it is about: a question that names them
# ("your first months as a manager") says little about what a story must show.
_ORDINARY_STORY_WORDS = _wordset(
    "technical first last change changed changes built build engineer engineers manager "
    "managers senior junior helped help working another different effectively involved went "
    "system systems piece issue issues design report several said specific team teams company "
    "product code month months week weeks year years lead work fully problem problems"
)


def _question_cues(question_text: str) -> list[str]:
    """The question's own distinctive words ("incomplete data", "deadline") are cues too."""
    return [
        w
        for w in re.findall(r"[a-z][a-z'-]+", question_text.lower())
        if len(w) > 3
        and w not in _GENERIC_QUESTION_WORDS
        and w not in _ORDINARY_STORY_WORDS
        and w not in STOP_WORDS
    ]


def read_story(text: str, units: Units, tags: tuple[str, ...], question_text: str) -> Story:
    """`units` is the rubric's reading of the answer, kept for callers; cues are matched on
    whole phrases here (competency.py)."""
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
    read = [s.lower().replace("’", "'") for s in _sentences(text, overlap=4)]
    topic = topic_of(names, _question_cues(question_text), sentence_reading(read, _LESSON))
    # A question open to any story ("the accomplishment you are most proud of") is answered by
    # a good story about anything: no competency can be the wrong one.
    relevance = topic.relevance if names and not _OPEN.search(question_text) else 1.0
    return Story(
        star=star,
        i_actions=i_actions,
        we_actions=we_actions,
        narrative=narrative,
        specificity=specificity,
        relevance=relevance,
        asks_lesson=asks_lesson,
        lesson=lesson,
        cues=topic.cues[:4],
        habitual=habitual,
        rival=topic.rival_name if relevance < 0.4 else "",
        rival_cues=topic.rival_cues if relevance < 0.4 else (),
        asked_for=_asked_for(question_text),
    )


_ASKING = re.compile(
    r"^(?:tell me about|describe|give (?:me )?an example of|walk me through|talk about|share)\s+",
    re.IGNORECASE,
)


def _asked_for(question_text: str) -> str:
    """The question's first sentence without its "Tell me about": what a story must show."""
    first = re.split(r"(?<=[.?!])\s", question_text.strip(), maxsplit=1)[0].rstrip(".?!")
    stripped = _ASKING.sub("", first)
    return stripped if stripped != first else f"“{first}?”"
