"""Wording shared by every command: counts with the right plural, and validation failures said in
plain words rather than in pydantic's ("Value error, …", "Input should be …")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

# Words whose plural is not the singular plus "s".
_IRREGULAR = {
    "activity": "activities",
    "try": "tries",
    "was": "were",
    "is": "are",
    "has": "have",
}


def plural(n: float, word: str, many: str | None = None) -> str:
    """`n` followed by `word`, singular for exactly one: "1 day", "2 days", "1,200 answers"."""
    return f"{n:,} {word if n == 1 else (many or plural_of(word))}"


def plural_of(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "sh", "ch", "x")):
        return word + "es"
    return word + "s"


def agree(n: float, word: str) -> str:
    """Just the word (a noun or a verb such as "was") agreeing with `n`, without the number."""
    return word if n == 1 else plural_of(word)


def choices(values: Iterable[object]) -> str:
    """`a, b or c`, for "use one of …"."""
    names = [str(v.value if isinstance(v, Enum) else v) for v in values]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def not_one_of(value: object, allowed: Iterable[object]) -> str:
    return f"{value!r} is not valid; use {choices(allowed)}"


# Plain words for the pydantic error types a command-line value or a setting can hit.
_TYPE_WORDS = {
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "float_parsing": "is not a number",
    "bool_parsing": "is not true or false",
    "string_too_long": "is too long",
    "string_too_short": "is too short",
}


def validation_message(error: Mapping[str, Any], allowed: Iterable[object] | None = None) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) as a plain sentence about the
    value; `allowed` names the valid choices when the value had to be one of them."""
    value = error.get("input")
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if allowed is not None:
        return not_one_of(value, allowed)
    if kind == "literal_error" and "expected" in ctx:
        expected = [part.strip().strip("'\"") for part in _split_expected(str(ctx["expected"]))]
        return not_one_of(value, expected)
    if kind.startswith(("datetime_", "date_")):
        return f"{value!r} is not a date or time; use YYYY-MM-DD or YYYY-MM-DDTHH:MM"
    if kind in _TYPE_WORDS:
        return f"{value!r} {_TYPE_WORDS[kind]}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(ctx.values()), None)
        words = {
            "greater_than_equal": "at least",
            "greater_than": "more than",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        return f"{value!r} is out of range; it must be {words} {bound}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _split_expected(text: str) -> list[str]:
    """pydantic's "'a', 'b' or 'c'" back into its parts."""
    head, _, last = text.rpartition(" or ")
    parts = [p for p in head.split(",") if p.strip()] if head else []
    return [*parts, last]
