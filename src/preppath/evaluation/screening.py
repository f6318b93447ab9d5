"""Answers that are not answers: other languages, pasted code, the question read back, the model
answer pasted in, or one passage repeated. Each is scored honestly and told in one line."""

from __future__ import annotations

import re

from preppath.evaluation.text import STOP_WORDS, words

# Common function words of the languages people most often answer in by mistake.
_FOREIGN = frozenset(
    """
    el la los las de del que y en un una es por para con se lo como pero más
    le les des du et est une pour pas dans qui sur avec sont ce cette mais ou
    der die das und ist nicht ein eine zu mit den dem von auf für sich auch wie
    il di che è per non una sono della con gli anche
    o os da do em não uma com são mas
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |return\b|import |from \S+ import|for .+:$|if .+:$|elif |else:|while .+:$|"
    r"#include|public |private |function\b|const |let |var |func |package |SELECT\b|\}|\{)"
    r"|[;{}]\s*$|=>|\w+\([^)]*\)\s*[:{;]?\s*$"
)


class Screening:
    """What screening leaves to score, and why (a plain class: nothing compares it)."""

    __slots__ = ("cap", "notes", "text")

    def __init__(self, text: str, notes: tuple[str, ...], cap: int | None = None) -> None:
        self.text = text
        """What is scored: code lines and repeated passages removed."""
        self.notes = notes
        self.cap = cap
        """Highest overall score the answer may get, when it is not an answer of its own."""


def _ngrams(tokens: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def _overlap(answer: list[str], source: list[str], n: int = 6) -> float:
    grams = _ngrams(answer, n)
    if not grams:
        return 0.0
    known = set(_ngrams(source, n))
    return sum(g in known for g in grams) / len(grams)


def _dedupe(text: str) -> tuple[str, float]:
    """Drop sentences (or, for one long run, 12-word stretches) seen before; the share dropped."""
    pieces = [p for p in re.split(r"(?<=[.!?])\s+|\n+", text) if p.strip()]
    if len(pieces) < 4:
        tokens = text.split()
        pieces = [" ".join(tokens[i : i + 12]) for i in range(0, len(tokens), 12)]
    seen: set[str] = set()
    kept: list[str] = []
    for piece in pieces:
        key = " ".join(words(piece))
        if key in seen:
            continue
        seen.add(key)
        kept.append(piece)
    dropped = 1 - len(kept) / max(len(pieces), 1)
    return " ".join(kept), dropped


def screen(text: str, question_text: str, model_answer: str) -> Screening:
    notes: list[str] = []
    cap: int | None = None
    all_words = words(text)
    non_ascii = sum(1 for ch in text if ch.isalpha() and not ch.isascii())
    letters = sum(1 for ch in text if ch.isalpha()) or 1
    foreign = sum(w in _FOREIGN for w in all_words)
    english = sum(w in STOP_WORDS for w in all_words)
    if non_ascii / letters > 0.3 or (foreign >= 4 and foreign > 2 * english):
        return Screening(
            text,
            ("This doesn't read as English; the offline scorer understands English answers only",),
            cap=5,
        )
    lines = [line for line in text.splitlines() if line.strip()]
    code = [line for line in lines if _CODE_LINE.search(line)]
    if len(code) >= 3 and len(code) >= len(lines) / 2:
        prose = "\n".join(line for line in lines if line not in code)
        notes.append(
            f"{len(code)} lines look like code; say in words what it does and why, "
            "as you would to an interviewer"
        )
        text = prose
        all_words = words(text)
    deduped, dropped = _dedupe(text)
    if dropped >= 0.3:
        notes.append(
            f"The answer repeats itself ({dropped:.0%} of it was said before); scored once"
        )
        text = deduped
        all_words = words(text)
    model = words(model_answer)
    if len(all_words) >= 20 and _overlap(all_words, model) >= 0.5:
        notes.append(
            "This is largely the model answer; put it in your own words to get a real score"
        )
        cap = 10
    question = set(words(question_text))
    content = [w for w in all_words if w not in STOP_WORDS]
    if content and len(all_words) <= 2 * len(words(question_text)) + 5:
        echoed = sum(w in question for w in content) / len(content)
        if echoed >= 0.8:
            notes.append("The answer mostly repeats the question; say what you know about it")
            cap = 5 if cap is None else min(cap, 5)
    return Screening(text, tuple(notes), cap)
