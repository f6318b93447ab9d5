"""Exit codes and the one error type that reaches the user as a single line."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented in README.md ("Exit codes"); scripts rely on these staying stable."""

    OK = 0
    ERROR = 1  # anything unexpected
    USAGE = 2  # bad arguments or option values (click's own convention)
    NOT_FOUND = 3  # unknown ID, or one that belongs to another profile
    DATA = 4  # the database is corrupt, read-only, or from a newer PrepPath
    INVALID = 5  # bad input content: empty answer, malformed question pack, bad audio file
    UNAVAILABLE = 6  # a provider or device cannot be reached (no PortAudio, no network, no key)
    INTERRUPTED = 130  # Ctrl-C


class PrepPathError(Exception):
    """An expected failure: the CLI prints `preppath: error: <message>` and exits with `code`."""

    def __init__(self, message: str, code: ExitCode = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotFoundError(PrepPathError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found", ExitCode.NOT_FOUND)
