"""Typed results the services return and the CLI renders (as text or as JSON).

The classes live in four modules, by the commands that need them (`views_list`,
`views_interview`, `views_show`, `views_report`), and are importable from here too, each loaded
on first use: creating a frozen dataclass costs about a millisecond, and `interview list` needs
two of the eleven."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preppath.services.views_interview import (
        AnswerResult as AnswerResult,
    )
    from preppath.services.views_interview import (
        FeedbackView as FeedbackView,
    )
    from preppath.services.views_interview import (
        Unlock as Unlock,
    )
    from preppath.services.views_list import (
        InterviewPage as InterviewPage,
    )
    from preppath.services.views_list import (
        InterviewSummary as InterviewSummary,
    )
    from preppath.services.views_report import (
        Report as Report,
    )
    from preppath.services.views_report import (
        ReportAnswer as ReportAnswer,
    )
    from preppath.services.views_report import (
        ReportKeyPoint as ReportKeyPoint,
    )
    from preppath.services.views_report import (
        ReportQuestion as ReportQuestion,
    )
    from preppath.services.views_show import (
        InterviewView as InterviewView,
    )
    from preppath.services.views_show import (
        QuestionView as QuestionView,
    )


def jsonable(value: Any) -> Any:
    """Dataclasses, dates and enums as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


_HOMES = {
    "FeedbackView": "preppath.services.views_interview",
    "QuestionView": "preppath.services.views_show",
    "InterviewSummary": "preppath.services.views_list",
    "InterviewView": "preppath.services.views_show",
    "InterviewPage": "preppath.services.views_list",
    "Unlock": "preppath.services.views_interview",
    "AnswerResult": "preppath.services.views_interview",
    "ReportKeyPoint": "preppath.services.views_report",
    "ReportAnswer": "preppath.services.views_report",
    "ReportQuestion": "preppath.services.views_report",
    "Report": "preppath.services.views_report",
}


def __getattr__(name: str) -> Any:
    """A view class from the module that defines it (PEP 562: only for names not found here)."""
    from preppath.lazy_names import look_up

    return look_up(__name__, globals(), _HOMES, name)
