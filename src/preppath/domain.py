"""Plain enums and value types shared by every layer.

Kept free of heavy imports so the CLI can build its options (and `--help`) from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class InterviewType(StrEnum):
    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"
    SYSTEM_DESIGN = "system_design"
    MIXED = "mixed"


class QuestionType(StrEnum):
    """A question's own type; an interview of type `mixed` draws from all three."""

    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"
    SYSTEM_DESIGN = "system_design"


class InterviewStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class QuestionDifficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class ExperienceLevel(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    LEAD = "lead"


class ActivityType(StrEnum):
    INTERVIEW_STARTED = "interview_started"
    QUESTION_ANSWERED = "question_answered"
    INTERVIEW_COMPLETED = "interview_completed"
    PRACTICE = "practice"


# What `activity track` may log: practice done elsewhere. The other kinds are facts PrepPath
# records itself when an interview starts, an answer is scored or an interview completes;
# letting them be typed in would fake interviews into totals and achievements.
TRACKABLE_ACTIVITIES = (ActivityType.PRACTICE,)


class AnswerSource(StrEnum):
    TYPED = "typed"
    FILE = "file"
    VOICE = "voice"
    AUDIO_IMPORT = "audio_import"


# --- what people type for these values -------------------------------------------------------
#
# Every place that takes an interview type, question type or level (command-line options, the
# interactive prompts, question packs) goes through the parsers below, so `behavioural`,
# `system design` and `sd` mean the same everywhere. Keys are compared after `_squash`, which
# drops case, spaces, hyphens and underscores: `System-Design`, `system_design` and
# `system design` are one key.

_TYPE_ALIASES: dict[str, str] = {
    "technical": "technical",
    "tech": "technical",
    "behavioral": "behavioral",
    "behavioural": "behavioral",
    "behavior": "behavioral",
    "behaviour": "behavioral",
    "systemdesign": "system_design",
    "sd": "system_design",
    "mixed": "mixed",
    "mix": "mixed",
}

_LEVEL_ALIASES: dict[str, str] = {
    "junior": "junior",
    "jr": "junior",
    "mid": "mid",
    "midlevel": "mid",
    "intermediate": "mid",
    "senior": "senior",
    "sr": "senior",
    "lead": "lead",
    "techlead": "lead",
}


def _squash(text: str) -> str:
    return "".join(ch for ch in text.strip().lower() if ch not in " _-\t")


def _listing(values: list[str]) -> str:
    return ", ".join(values[:-1]) + " or " + values[-1]


def parse_interview_type(text: str) -> InterviewType:
    """`behavioural`, `System design`, `sd` … as an InterviewType; ValueError naming the
    canonical types otherwise."""
    found = _TYPE_ALIASES.get(_squash(text))
    if found is None:
        raise ValueError(f"{text!r} is not an interview type; use {_listing(list(InterviewType))}")
    return InterviewType(found)


def parse_question_type(text: str) -> QuestionType:
    """Like `parse_interview_type`, for a single question's type (which is never `mixed`)."""
    found = _TYPE_ALIASES.get(_squash(text))
    if found is None or found not in set(QuestionType):
        raise ValueError(f"{text!r} is not a question type; use {_listing(list(QuestionType))}")
    return QuestionType(found)


def parse_level(text: str) -> ExperienceLevel:
    """`Senior`, `sr`, `mid-level` … as an ExperienceLevel; ValueError otherwise."""
    found = _LEVEL_ALIASES.get(_squash(text))
    if found is None:
        raise ValueError(f"{text!r} is not a level; use {_listing(list(ExperienceLevel))}")
    return ExperienceLevel(found)


def split_stacks(values: Iterable[str]) -> tuple[str, ...]:
    """Technologies from repeated options and comma-separated lists alike (`-s python,sql
    -s go`), lower-cased, blanks and repeats dropped, in the order given."""
    parts = (part.strip().lower() for value in values for part in value.split(","))
    return tuple(dict.fromkeys(part for part in parts if part))
