"""Feedback in words: how an answer was given, what its delivery showed, how a key point fared.

Shared by the answer feedback and every report format, so a spoken answer reads the same
wherever it is shown. The delivery wording follows the bands of `voice/delivery.py` and states
what was observed, never a judgement of the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preppath.messages import plural

_GIVEN = {
    "typed": "typed",
    "file": "typed, read from a file",
    "voice": "spoken, recorded in the interview",
    "audio_import": "spoken, imported from a file",
}


def answer_label(source: str, attempt: int) -> str:
    """ "spoken, imported from a file, attempt 1" rather than `(audio_import, attempt 1)`."""
    given = _GIVEN.get(source, source.replace("_", " "))
    return f"{given}, attempt {attempt}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _counted(found: Any) -> str:
    """{"um": 2, "like": 1} as "um ×2, like"."""  # noqa: RUF002 (the sign shown to people)
    if not isinstance(found, Mapping):
        return ""
    ordered = sorted(found.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
    return ", ".join(f"{k} ×{v}" if int(v) > 1 else str(k) for k, v in ordered)


def _pace(wpm: float, band: str) -> str:
    if band == "green":
        return f"Pace: {wpm:.0f} words a minute, within the usual 120-160"
    direction = "slow" if wpm < 120 else "fast"
    degree = "a little " if band == "amber" else ""
    return f"Pace: {wpm:.0f} words a minute, {degree}{direction} (120-160 is usual)"


def _fillers(d: Mapping[str, Any]) -> str:
    count = int(d.get("filler_count") or 0)
    if not count:
        return "Fillers: none heard"
    per_100 = _number(d.get("fillers_per_100_words")) or 0.0
    band = d.get("bands", {}).get("fillers")
    verdict = {"green": "few", "amber": "noticeable", "red": "frequent"}.get(str(band), "")
    which = _counted(d.get("fillers"))
    line = f"Fillers: {count} ({which}), {per_100:.1f} per 100 words"
    return f"{line}: {verdict}" if verdict else line


def _pauses(d: Mapping[str, Any]) -> str | None:
    very_long = d.get("very_long_pauses")
    long_ = d.get("long_pauses")
    if very_long is None and long_ is None:
        return None
    longest = _number(d.get("longest_pause_s")) or 0.0
    if very_long:
        return f"Pauses: {plural(int(very_long), 'pause')} over 2.5 s (longest {longest:.1f} s)"
    if long_:
        return f"Pauses: {plural(int(long_), 'pause')} over 1 s, none over 2.5 s"
    return "Pauses: none over 1 s"


def _length(d: Mapping[str, Any]) -> str | None:
    span = _number(d.get("speaking_s"))
    target = d.get("target_s")
    if span is None or not isinstance(target, list | tuple) or len(target) != 2:
        return None
    lo, hi = float(target[0]), float(target[1])
    kind = str(d.get("question_type") or "this").replace("_", " ")
    usual = f"the {lo:.0f}-{hi:.0f} s usual for a {kind} answer"
    band = d.get("bands", {}).get("length")
    if band == "green":
        return f"Length: {span:.0f} s of speech, within {usual}"
    comparison = "shorter" if span < lo else "longer"
    degree = "a little " if band == "amber" else "much "
    return f"Length: {span:.0f} s of speech, {degree}{comparison} than {usual}"


def describe_delivery(delivery: Mapping[str, Any] | None) -> list[str]:
    """One sentence per aspect of a delivery dict (`Delivery.to_dict()`), in words.

    Feedback stored before these fields existed, or from another evaluator, keeps the notes it
    came with.
    """
    if not delivery:
        return []
    bands = delivery.get("bands")
    if not isinstance(bands, Mapping):
        notes = delivery.get("notes")
        return [str(n) for n in notes] if isinstance(notes, list) else []
    if not delivery.get("word_count"):
        return ["No speech was recognised"]
    lines = []
    wpm = _number(delivery.get("wpm"))
    if wpm is not None and "pace" in bands:
        lines.append(_pace(wpm, str(bands["pace"])))
    lines.append(_fillers(delivery))
    hedges = _counted(delivery.get("hedges"))
    if hedges:
        lines.append(f"Hedges: {hedges}")
    repeats = int(delivery.get("repeated_words") or 0)
    if repeats:
        lines.append(f"Repeated words: {plural(repeats, 'word')} said twice in a row")
    for line in (_pauses(delivery), _length(delivery)):
        if line:
            lines.append(line)
    return lines


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def star_summary(star: Mapping[str, bool]) -> str:
    """ "STAR: situation, task and action present; result missing." for a behavioural answer."""
    present = [part for part, ok in star.items() if ok]
    missing = [part for part, ok in star.items() if not ok]
    parts = []
    if present:
        parts.append(_and(present) + " present")
    if missing:
        parts.append(_and(missing) + " missing")
    return "STAR: " + "; ".join(parts) + "."


KEY_POINT_STATUS = {
    "covered": "covered",
    "partial": "partly covered",
    "missed": "missed",
    "contradicted": "contradicted",
}


def key_point_status(kp: Mapping[str, Any]) -> str:
    """The scorer's status, or covered/missed for feedback stored before statuses existed."""
    status = kp.get("status")
    if isinstance(status, str) and status:
        return status
    return "covered" if kp.get("covered") else "missed"
