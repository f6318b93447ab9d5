"""Which failures are worth another attempt, and how long to wait before it.

This is the only retry layer: clients made for jobs have the SDK's own retries turned off
(`max_retries=0`), so a 429 is waited out here, once, with the server's Retry-After honoured.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from preppath.errors import PrepPathError

if TYPE_CHECKING:
    from preppath.spend.limits import SpendLimitReached

LONGEST_RETRY_AFTER_S = 3600.0  # a server asking for more than an hour is not waited for


class TransientError(Exception):
    """A failure worth retrying that is not an HTTP client's own (a fake's, a local one)."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Verdict:
    """Whether a failure is worth another attempt (a plain class: it is only read)."""

    __slots__ = ("reason", "retry_after_s", "retryable")

    def __init__(self, retryable: bool, reason: str, retry_after_s: float | None = None) -> None:
        self.retryable = retryable
        self.reason = reason
        """One line for the job's last_error (scrubbed again when stored)."""
        self.retry_after_s = retry_after_s


def classify(exc: BaseException) -> Verdict:
    """Retry on 429, 5xx, timeouts and connection failures; anything else fails the job now."""
    reason = exc.message if isinstance(exc, PrepPathError) else (str(exc) or type(exc).__name__)
    for link in _chain(exc):
        if isinstance(link, TransientError):
            return Verdict(True, reason, link.retry_after_s)
        if isinstance(link, TimeoutError | ConnectionError):
            return Verdict(True, reason)
        if type(link).__module__.startswith("openai"):
            return _openai_verdict(link, reason)
    return Verdict(False, reason)


def spend_refusal(exc: BaseException) -> SpendLimitReached | None:
    """The spend guard's refusal behind `exc`, if that is what it is: nothing was sent."""
    from preppath.spend.limits import SpendLimitReached

    for link in _chain(exc):
        if isinstance(link, SpendLimitReached):
            return link
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from or during: the provider layer re-raises the
    SDK's errors as one-line PrepPathErrors `from None`, which still keeps them as context."""
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in seen:
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen


def _openai_verdict(exc: BaseException, reason: str) -> Verdict:
    import openai  # already imported: the exception came from it

    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        return Verdict(True, reason)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429 or status >= 500:
            return Verdict(True, reason, retry_after(exc.response.headers))
    return Verdict(False, reason)


def retry_after(headers: Any) -> float | None:
    """Seconds the server asked us to wait: retry-after-ms, or Retry-After in seconds or as
    an HTTP date."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return min(max(float(millis) / 1000, 0.0), LONGEST_RETRY_AFTER_S)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime  # only for an HTTP-date header

            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), LONGEST_RETRY_AFTER_S)


def backoff_s(
    attempt: int,
    *,
    base_s: float,
    cap_s: float,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Exponential back-off with full jitter (a uniform draw up to base·2^(attempt-1), capped),
    so jobs failing together do not retry together; never sooner than the server asked."""
    ceiling = min(cap_s, base_s * 2 ** max(attempt - 1, 0))
    jittered = (rng or random).uniform(0, ceiling)
    return max(jittered, retry_after_s or 0.0)
