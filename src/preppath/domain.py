"""Plain enums and value types shared by every layer.

Kept free of heavy imports so the CLI can build its options (and `--help`) from them.
"""

from __future__ import annotations

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
