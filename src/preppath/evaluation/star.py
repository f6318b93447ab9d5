"""The STAR check for behavioural answers: which of situation, task, action, result are present.

Each part is found by phrases people use to introduce it; the action part needs the speaker's own
"I" with a verb, because "we did" hides what the candidate did."""

from __future__ import annotations

import re

STAR_MARKERS: dict[str, tuple[str, ...]] = {
    "situation": (
        r"\b(at|in) my (last|previous|current|first|old) (job|role|company|team|position)\b",
        r"\bwhen i was\b",
        r"\bwe (had|were|faced)\b",
        r"\bthe situation\b",
        r"\bback (in|when)\b",
        r"\bour team\b",
        r"\ba few (years|months) ago\b",
        r"\bthere was\b",
        r"\bwe had\b",
        r"\bi was working\b",
        r"\bi joined\b",
        r"\bat the time\b",
        r"\bcontext\b",
    ),
    "task": (
        r"\bmy (role|job|task|responsibility|goal) was\b",
        r"\bi was (responsible|asked|tasked)\b",
        r"\bthe goal was\b",
        r"\bi (needed|had) to\b",
        r"\bmy (task|mandate|objective)\b",
        r"\bi owned\b",
        r"\bi was in charge\b",
        r"\bi took (on|ownership)\b",
        r"\bchallenge was\b",
    ),
    "action": (
        r"\bi (decided|started|built|wrote|set up|organi[sz]ed|proposed|scheduled|met|talked|"
        r"spoke|asked|created|introduced|led|ran|worked|reached out|suggested|implemented|"
        r"designed|added|changed|moved|split|paired|documented|escalated|negotiated|listened|"
        r"explained|gathered|prioriti[sz]ed|focused|broke|automated|coached|reviewed|went)\b",
        r"\bso i\b",
        r"\bfirst,? i\b",
        r"\bthen i\b",
        r"\bi made sure\b",
    ),
    "result": (
        r"\bas a result\b",
        r"\bin the end\b",
        r"\bthe result\b",
        r"\bresult(ed)? in\b",
        r"\b(reduc|increas|improv|cut|drop|grew|saved|rais|lower)\w* (by|from|to)\b",
        r"\d+ ?(%|percent|per cent)",
        r"\boutcome\b",
        r"\bwe (shipped|delivered|launched)\b",
        r"\bended up\b",
        r"\bi learned\b",
        r"\bsince then\b",
        r"\bsucceeded\b",
    ),
}


def star_parts(text: str) -> dict[str, bool]:
    lowered = text.lower().replace("’", "'")
    return {
        part: any(re.search(pattern, lowered) for pattern in patterns)
        for part, patterns in STAR_MARKERS.items()
    }
