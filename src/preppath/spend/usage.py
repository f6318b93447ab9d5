"""Token usage and estimated cost of cloud calls, as the server reported them.

The OpenAI client (`providers.openai_client.make_client`) hands every reply's `usage` to
`note()`; a service wraps its provider calls in `metering()` and saves what was noted with the
interview they were for. Only the standard library is imported here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Usage:
    capability: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    characters: int = 0

    @property
    def cost_usd(self) -> float | None:
        return estimate_cost(self)


@dataclass(frozen=True)
class UsageTotals:
    """Sums over some calls; `cost_usd` covers only `priced_calls` of the `calls`."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    audio_seconds: float = 0.0
    characters: int = 0
    cost_usd: float = 0.0
    priced_calls: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "audio_seconds": round(self.audio_seconds, 1),
            "characters": self.characters,
            # None, not 0, when no call had a known price: "free" would be a claim.
            "cost_usd": round(self.cost_usd, 6) if self.priced_calls else None,
            "unpriced_calls": self.calls - self.priced_calls,
            "prices_as_of": prices_as_of(),
        }

    def summary(self) -> str:
        """One line for a person: calls, tokens, audio, characters, cost."""
        if not self.calls:
            return "no cloud calls"
        parts = [f"{self.calls} cloud call{'s' if self.calls != 1 else ''}"]
        if self.input_tokens or self.output_tokens:
            parts.append(f"{self.input_tokens:,} tokens in, {self.output_tokens:,} out")
        if self.audio_seconds:
            parts.append(f"{self.audio_seconds:.0f} s of audio")
        if self.characters:
            parts.append(f"{self.characters:,} characters spoken")
        if self.priced_calls:
            unpriced = self.calls - self.priced_calls
            extra = f" ({unpriced} without a known price)" if unpriced else ""
            parts.append(f"about ${self.cost_usd:.4f}{extra} at {prices_as_of()} prices")
        else:
            parts.append("cost unknown (no listed price for these models)")
        return "; ".join(parts)


_METER: ContextVar[list[Usage] | None] = ContextVar("preppath_usage_meter", default=None)


@contextmanager
def metering() -> Iterator[list[Usage]]:
    """Collect the usage of the cloud calls made in this block (in this thread or task). A
    block inside another adds to the outer one, so an audio answer's transcription is saved
    with the scoring that follows it."""
    outer = _METER.get()
    if outer is not None:
        yield outer
        return
    collected: list[Usage] = []
    token = _METER.set(collected)
    try:
        yield collected
    finally:
        _METER.reset(token)


def drain() -> list[Usage]:
    """What the enclosing `metering()` block has noted so far, handed over once: the caller
    saves it (an answer's transcription, saved with the answer) and it is not saved twice."""
    collected = _METER.get()
    if not collected:
        return []
    taken = list(collected)
    collected.clear()
    return taken


def note(usage: Usage) -> None:
    """Called by the client for each reply; kept only where a service is metering."""
    collected = _METER.get()
    if collected is not None:
        collected.append(usage)


def from_reply(capability: str, model: str, body: Mapping[str, Any]) -> Usage | None:
    """The usage a JSON reply reports: chat (`prompt_tokens`/`completion_tokens`), token-billed
    transcription (`input_tokens`/`output_tokens`) or whisper's `{"type": "duration"}`."""
    raw = body.get("usage")
    if not isinstance(raw, Mapping):
        return None
    served = body.get("model")
    name = served if isinstance(served, str) and served else model
    seconds = _number(raw.get("seconds")) if raw.get("type") == "duration" else 0.0
    return Usage(
        capability,
        name,
        input_tokens=int(_number(raw.get("prompt_tokens", raw.get("input_tokens")))),
        output_tokens=int(_number(raw.get("completion_tokens", raw.get("output_tokens")))),
        audio_seconds=seconds,
    )


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and value >= 0 else 0.0


@cache
def _prices() -> dict[str, Any]:
    import tomllib
    from importlib import resources  # here: an offline answer never reads prices

    text = resources.files("preppath.spend").joinpath("prices.toml").read_text("utf-8")
    return tomllib.loads(text)


def prices_as_of() -> str:
    return str(_prices()["as_of"])


def price_of(model: str) -> Mapping[str, float] | None:
    """The row for `model`, or for the undated name of a dated one (gpt-4o-2024-08-06)."""
    table: dict[str, Mapping[str, float]] = _prices()["models"]
    if model in table:
        return table[model]
    dated = [name for name in table if model.startswith(name + "-2")]
    return table[max(dated, key=len)] if dated else None


def estimate_cost(usage: Usage) -> float | None:
    price = price_of(usage.model)
    if price is None:
        return None
    return (
        usage.input_tokens * price.get("input_per_mtok", 0.0) / 1e6
        + usage.output_tokens * price.get("output_per_mtok", 0.0) / 1e6
        + usage.audio_seconds / 60 * price.get("per_audio_minute", 0.0)
        + usage.characters * price.get("per_mchar", 0.0) / 1e6
    )


def save(
    db: sqlite3.Connection,
    profile_id: int,
    interview_id: int | None,
    used: list[Usage],
    at: datetime | None = None,
) -> None:
    """Store `used` inside the caller's transaction."""
    stamp = (at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    db.executemany(
        "INSERT INTO usage (profile_id, interview_id, capability, model, input_tokens,"
        " output_tokens, audio_seconds, characters, cost_usd, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                profile_id,
                interview_id,
                u.capability,
                u.model,
                u.input_tokens,
                u.output_tokens,
                u.audio_seconds,
                u.characters,
                u.cost_usd,
                stamp,
            )
            for u in used
        ],
    )
    used.clear()  # saved once, even if the same meter is saved again later


_TOTALS = (
    "SELECT count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),"
    " coalesce(sum(audio_seconds), 0), coalesce(sum(characters), 0),"
    " coalesce(sum(cost_usd), 0), count(cost_usd) FROM usage"
)


def totals_for_interview(db: sqlite3.Connection, interview_id: int) -> UsageTotals:
    return UsageTotals(*db.execute(_TOTALS + " WHERE interview_id = ?", (interview_id,)).fetchone())


def totals_for_profile(db: sqlite3.Connection, profile_id: int) -> UsageTotals:
    return UsageTotals(*db.execute(_TOTALS + " WHERE profile_id = ?", (profile_id,)).fetchone())
