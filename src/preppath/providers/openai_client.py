"""Building the OpenAI client and turning its failures into one-line PrepPath errors.

Every message that leaves this module is scrubbed of the API key: OpenAI's own 401 text echoes
part of the key, and a local server may echo all of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import openai
import pydantic

from preppath.errors import ExitCode, PrepPathError

if TYPE_CHECKING:
    from openai.types.chat import ParsedChatCompletion

    from preppath.settings import Settings

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local OpenAI-compatible servers ignore the key, but the SDK refuses to start without one.
LOCAL_PLACEHOLDER_KEY = "preppath-local"
# Generating a question set or transcribing five minutes of audio can take a minute; a dead
# host should fail fast instead.
TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 5.0

_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_*\-]{3,}")
_MAX_DETAIL = 200


def make_client(settings: Settings, *, max_retries: int = 2) -> openai.OpenAI:
    """A client whose key and URL come from PrepPath settings (OPENAI_API_KEY/BASE_URL ignored)."""
    base_url = settings.openai_base_url or DEFAULT_BASE_URL
    if settings.openai_api_key is not None:
        api_key = settings.openai_api_key.get_secret_value()
    elif settings.openai_base_url:
        api_key = LOCAL_PLACEHOLDER_KEY
    else:
        raise PrepPathError(
            "no OpenAI API key: set openai_api_key (or PREPPATH_OPENAI_API_KEY), "
            "or use provider = offline",
            ExitCode.UNAVAILABLE,
        )
    return openai.OpenAI(
        api_key=api_key,
        base_url=base_url,
        timeout=openai.Timeout(TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        max_retries=max_retries,
    )


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise openai and model-output failures as PrepPathError with a scrubbed message.

    `from None` keeps the original out of printed tracebacks: its text may echo the key.
    """
    try:
        yield
    except PrepPathError:
        raise
    except openai.OpenAIError as exc:
        raise _from_openai(exc) from None
    except pydantic.ValidationError as exc:  # structured output that is not valid JSON/schema
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        detail = _one_line(first["msg"], ())
        raise PrepPathError(
            f"the model's reply did not match the expected format: {where}: {detail}"
        ) from None
    except json.JSONDecodeError:  # the SDK lets a non-JSON HTTP body through unwrapped
        raise PrepPathError("unexpected response from the OpenAI API: not valid JSON") from None


def parsed(completion: ParsedChatCompletion[T]) -> T:
    """The structured reply of a `chat.completions.parse` call, or a PrepPathError."""
    if not completion.choices:
        raise PrepPathError("the model returned no reply")
    message = completion.choices[0].message
    if message.refusal:
        raise PrepPathError(f"the model refused: {_one_line(message.refusal, ())}")
    if message.parsed is None:
        raise PrepPathError("the model's reply was empty or not the expected JSON")
    return message.parsed


def _from_openai(exc: openai.OpenAIError) -> PrepPathError:
    secrets = _secrets_of(exc)
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        url = exc.request.url
        where = f"{url.host}:{url.port}" if url.port else url.host
        reason = "request timed out" if isinstance(exc, openai.APITimeoutError) else _cause(exc)
        return PrepPathError(
            f"cannot reach the OpenAI API at {where}: {_one_line(reason, secrets)}",
            ExitCode.UNAVAILABLE,
        )
    if isinstance(exc, openai.AuthenticationError):
        return PrepPathError(
            "the API key was rejected (401); check openai_api_key", ExitCode.UNAVAILABLE
        )
    if isinstance(exc, openai.RateLimitError):
        detail = _one_line(_server_message(exc), secrets)
        return PrepPathError(
            f"OpenAI rate limit or quota exceeded (429) after retries: {detail}; "
            "wait a minute and try again, check your plan's quota, or use provider = offline",
            ExitCode.UNAVAILABLE,
        )
    if isinstance(exc, openai.APIStatusError):
        detail = _one_line(_server_message(exc), secrets)
        return PrepPathError(f"OpenAI API error {exc.status_code}: {detail}")
    if isinstance(exc, openai.LengthFinishReasonError):
        return PrepPathError("the model's reply was cut off at its length limit")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return PrepPathError("the model's reply was blocked by the content filter")
    if isinstance(exc, openai.APIResponseValidationError):
        return PrepPathError("unexpected response from the OpenAI API (not the documented shape)")
    return PrepPathError(f"OpenAI client error: {_one_line(str(exc), secrets)}")


def _secrets_of(exc: openai.OpenAIError) -> tuple[str, ...]:
    """The key this request was sent with, taken from its own Authorization header."""
    if not isinstance(exc, openai.APIError):
        return ()
    auth = exc.request.headers.get("authorization", "")
    key = auth.removeprefix("Bearer ").strip()
    return (key,) if key else ()


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    if isinstance(body, str) and body.strip():
        return body
    return exc.response.reason_phrase or "no details"


def _cause(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    return str(cause) if cause is not None and str(cause) else str(exc)


def _one_line(text: str, secrets: Iterable[str]) -> str:
    flat = " ".join(_scrub(text, secrets).split())
    return flat if len(flat) <= _MAX_DETAIL else flat[: _MAX_DETAIL - 1] + "…"


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEY_LIKE.sub("sk-***", text)
