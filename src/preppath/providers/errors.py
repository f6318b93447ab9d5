"""Provider failures that callers treat differently from "the service is unavailable".

Kept apart from `openai_client` so a service can catch them without importing the SDK.
"""

from __future__ import annotations

from preppath.errors import ExitCode, PrepPathError


class UnusableModelOutput(PrepPathError):
    """The model answered, but (after its retry) not with the JSON asked for: a caller may fall
    back to an offline provider instead of failing."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitCode.UNAVAILABLE)
