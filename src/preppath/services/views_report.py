"""The typed result every report format is drawn from (see services/views.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from preppath.services.views_show import InterviewView


@dataclass(frozen=True)
class ReportKeyPoint:
    """One expected point and how the answer dealt with it."""

    point: str
    status: str
    """covered, partial, missed or contradicted (older feedback says only covered or missed)."""
    matched: list[str]
    """The answer's words that matched it: the evidence."""
    correction: str | None = None
    """For a contradicted point, what is true instead."""


@dataclass(frozen=True)
class ReportAnswer:
    """The latest answer to a question and its feedback, ready to show in any format."""

    text: str
    given: str
    """How it was given, in words: "spoken, imported from a file, attempt 1"."""
    source: str
    attempt: int
    overall: int
    scores: dict[str, float]
    strengths: list[str]
    improvements: list[str]
    key_points: list[ReportKeyPoint]
    star: dict[str, bool] | None
    delivery: list[str]
    """What was observed in the delivery, one sentence per aspect; empty for typed answers."""


@dataclass(frozen=True)
class ReportQuestion:
    number: int
    text: str
    type: str
    difficulty: str
    status: str
    answer: ReportAnswer | None
    model_answer: str | None
    """The expected answer, once the question is answered or skipped (never while pending)."""
    scoring_note: str | None = None
    """Why the latest answer has no score yet (pending, or failed and why)."""


@dataclass(frozen=True)
class Report:
    """Everything a report shows. Every format (terminal, Markdown, HTML, JSON) is drawn from
    this one value, so none of them can carry content the others lack."""

    interview: InterviewView
    overall: float | None
    averages: dict[str, float]
    answered: int
    skipped: int
    summary: str
    strengths: list[str]
    recommendations: list[str]
    weakest_topics: list[str]
    questions: list[ReportQuestion] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    """Cloud calls, tokens and estimated cost (`spend.usage.UsageTotals`), with a summary line."""
