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
from preppath.providers.choice import LOCAL_PLACEHOLDER_KEY as LOCAL_PLACEHOLDER_KEY
from preppath.providers.choice import PREFIX, Capability
from preppath.spend.limits import SpendGuard, SpendLimitReached

if TYPE_CHECKING:
    from pathlib import Path

    import httpx2  # the HTTP client openai 3.x is built on
    from openai.types.chat import ParsedChatCompletion

    from preppath.settings import Settings

T = TypeVar("T")

# Generating a question set or transcribing five minutes of audio can take a minute; a dead
# host should fail fast instead.
TIMEOUT_S = 120.0
CONNECT_TIMEOUT_S = 5.0

_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_*\-]{3,}")
_MAX_DETAIL = 200


def make_client(
    settings: Settings,
    capability: Capability | None = None,
    *,
    max_retries: int = 2,
    data_dir: Path | None = None,
) -> openai.OpenAI:
    """A client for `capability`'s server, key and spend limits (`providers.choice`).

    Every request it sends first takes a slot from the spend guards under `data_dir` (the
    profile's data folder by default), and every reply's token usage is noted for the
    interview being metered (`spend.usage`). Without a capability it uses the shared
    `openai_*` settings and no spend guard (tests of the wire format use that)."""
    from preppath.providers.choice import checked_for_use, resolve, shared_choice

    choice = checked_for_use(
        resolve(settings, capability) if capability is not None else shared_choice(settings)
    )
    if choice.key is None:
        name = f"{choice.capability}" if capability is not None else "OpenAI"
        own = f"{PREFIX[capability]}_api_key or " if capability is not None else ""
        raise PrepPathError(
            f"no OpenAI API key for {name}: set {own}openai_api_key "
            "(`preppath config set-key`, PREPPATH_OPENAI_API_KEY or OPENAI_API_KEY), "
            "point a base URL at a local server, or use the offline provider",
            ExitCode.UNAVAILABLE,
        )
    guard = None
    if capability is not None:
        from preppath.paths import resolve_paths
        from preppath.spend.limits import guard_for

        guard = guard_for(data_dir or resolve_paths().data_dir, settings)
    hooks = _Hooks(capability, choice.model, guard)
    return openai.OpenAI(
        api_key=choice.key.get_secret_value(),
        base_url=choice.base_url,
        timeout=openai.Timeout(TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        max_retries=max_retries,
        http_client=openai.DefaultHttpxClient(
            event_hooks={"request": [hooks.before], "response": [hooks.after]}
        ),
    )


class SpendLimitError(SpendLimitReached, openai.OpenAIError):
    """A spend limit reached before a request was sent. Also an OpenAIError, because the SDK
    passes those up unchanged instead of retrying them as connection failures."""


# The calls that cost money; listing models (doctor) does not.
_BILLED = ("/chat/completions", "/audio/transcriptions", "/audio/speech", "/responses")


class _Hooks:
    """httpx event hooks: a spend-guard slot before each billed request, usage after it."""

    def __init__(self, capability: Capability | None, model: str, guard: SpendGuard | None):
        self._capability = capability
        self._model = model
        self._guard = guard

    def before(self, request: httpx2.Request) -> None:
        if self._guard is None or self._capability is None:
            return
        if not request.url.path.endswith(_BILLED):
            return
        try:
            self._guard.acquire(self._capability)
        except SpendLimitReached as exc:
            raise SpendLimitError(exc.message, exc.wait_s) from None

    def after(self, response: httpx2.Response) -> None:
        """Never raises: a reply PrepPath cannot read is reported by the provider itself."""
        from preppath.spend import usage

        path = response.request.url.path
        if not 200 <= response.status_code < 300 or not path.endswith(_BILLED):
            return
        capability = self._capability or _capability_of(path)
        try:
            if path.endswith("/audio/speech"):
                sent = json.loads(response.request.content or b"{}")
                text = sent.get("input") if isinstance(sent, dict) else None
                model = sent.get("model") if isinstance(sent, dict) else None
                if isinstance(text, str):
                    usage.note(
                        usage.Usage(capability, str(model or self._model), characters=len(text))
                    )
                return
            if "json" not in response.headers.get("content-type", ""):
                return
            response.read()  # the SDK reads it next anyway; the body is kept
            body = json.loads(response.content)
        except (ValueError, TypeError, UnicodeDecodeError):
            return
        if isinstance(body, dict):
            used = usage.from_reply(capability, self._model, body)
            if used is not None:
                usage.note(used)


def _capability_of(path: str) -> str:
    if path.endswith("/audio/transcriptions"):
        return "transcription"
    if path.endswith("/audio/speech"):
        return "speech"
    return "chat"


def _unavailable(message: str) -> PrepPathError:
    """Every failure of the service, whatever it sent, is UNAVAILABLE (README "Exit codes")."""
    return PrepPathError(message, ExitCode.UNAVAILABLE)


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
        raise _unavailable(
            f"the model's reply did not match the expected format ({_shape_problem(exc)})"
        ) from None
    except json.JSONDecodeError:  # the SDK lets a non-JSON HTTP body through unwrapped
        raise _unavailable("unexpected response from the OpenAI API: not valid JSON") from None


# The parts of a chat completion PrepPath reads. The SDK builds its reply objects without
# validating them, so a server that sends `"choices": {}` or a list of strings would otherwise
# surface as an AttributeError deep inside the SDK. Other fields are not required: local servers
# leave some out.
class _ChatMessage(pydantic.BaseModel):
    content: str | None = None
    refusal: str | None = None


class _ChatChoice(pydantic.BaseModel):
    message: _ChatMessage


class _ChatReply(pydantic.BaseModel):
    choices: list[_ChatChoice]


class _Word(pydantic.BaseModel):
    word: str
    start: float
    end: float


class TranscriptionReply(pydantic.BaseModel):
    """A `verbose_json` transcription, as much of it as PrepPath uses."""

    text: str
    duration: float | None = None
    words: list[_Word] | None = None


def chat_parse(client: openai.OpenAI, response_format: type[T], **request: object) -> T:
    """`chat.completions.parse`, with the reply's JSON and shape checked before the SDK reads
    it; call inside `translate_errors()`."""
    raw = client.chat.completions.with_raw_response.parse(
        response_format=response_format,
        **request,  # type: ignore[arg-type]
    )
    reply = checked_reply(raw.http_response, _ChatReply, "chat reply")
    if not reply.choices:
        raise _unavailable(f"{_server(raw.http_response)} returned no reply (no choices)")
    return parsed(raw.parse())


M = TypeVar("M", bound=pydantic.BaseModel)


def checked_reply(response: httpx2.Response, shape: type[M], what: str) -> M:
    """The JSON body of a 2xx `response` validated as `shape`, or one line saying what the
    server sent instead (an HTML page, text, a reply of another shape)."""
    body = response.content
    try:
        data = json.loads(body)
    except ValueError:
        raise _unavailable(f"{_server(response)} {_sent_instead(body)}") from None
    try:
        return shape.model_validate(data)
    except pydantic.ValidationError as exc:
        raise _unavailable(
            f"{_server(response)} sent a {what} PrepPath cannot use ({_shape_problem(exc)})"
        ) from None


def check_audio(response: httpx2.Response) -> None:
    """A speech reply must be audio: an HTML error page played as sound would be noise."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind.startswith("text/") or kind.endswith(("json", "html", "xml")):
        hint = f"; {_BASE_URL_HINT}" if "html" in kind else ""
        raise _unavailable(f"{_server(response)} sent {kind}, not audio{hint}")


def _server(response: httpx2.Response) -> str:
    url = response.url
    return f"the server at {url.host}:{url.port}" if url.port else f"the server at {url.host}"


_BASE_URL_HINT = "check openai_base_url (an OpenAI-compatible API's address usually ends in /v1)"


def _sent_instead(body: bytes) -> str:
    return "sent " + _describe_body(body)


def _describe_body(body: bytes) -> str:
    """What a reply that is not the JSON expected looks like, as a noun phrase."""
    start = body.lstrip()[:64].lower()
    if not start:
        return "an empty reply"
    if start.startswith(b"<"):  # a proxy's, web server's or web UI's page
        return f"a web page, not an API reply; {_BASE_URL_HINT}"
    return "a reply that is not JSON"


# pydantic's error types, in plain words about the part of the reply they concern.
_SHAPE_WORDS = {
    "list_type": "is not a list",
    "model_type": "is not an object",
    "model_attributes_type": "is not an object",
    "dict_type": "is not an object",
    "missing": "is missing",
    "string_type": "is not a string",
    "bool_type": "is not true or false",
    "bool_parsing": "is not true or false",
    "float_type": "is not a number",
    "float_parsing": "is not a number",
    "int_type": "is not a whole number",
    "int_parsing": "is not a whole number",
    "literal_error": "is not one of the allowed values",
    "json_invalid": "is not valid JSON",
    "json_type": "is not JSON text",
}


def _shape_problem(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
    words = _SHAPE_WORDS.get(first["type"]) or _one_line(first["msg"], ()).lower()
    return f"{where.lstrip('.') or 'the reply'} {words}"


def parsed(completion: ParsedChatCompletion[T]) -> T:
    """The structured reply of a `chat.completions.parse` call, or a PrepPathError."""
    if not completion.choices:
        raise _unavailable("the model returned no reply")
    message = completion.choices[0].message
    if message.refusal:
        raise _unavailable(f"the model refused: {_one_line(message.refusal, ())}")
    if message.parsed is None:
        raise _unavailable("the model's reply was empty or not the expected JSON")
    return message.parsed


def _from_openai(exc: openai.OpenAIError) -> PrepPathError:
    secrets = _secrets_of(exc)
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        url = exc.request.url
        where = f"{url.host}:{url.port}" if url.port else url.host
        reason = "request timed out" if isinstance(exc, openai.APITimeoutError) else _cause(exc)
        return PrepPathError(
            f"cannot reach the OpenAI API at {where}: {_one_line(reason, secrets)}; "
            "check the network and openai_base_url, try again, or use provider = offline",
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
        return _unavailable(f"OpenAI API error {exc.status_code}: {detail}{_advice(exc)}")
    if isinstance(exc, openai.LengthFinishReasonError):
        return _unavailable("the model's reply was cut off at its length limit")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return _unavailable("the model's reply was blocked by the content filter")
    if isinstance(exc, openai.APIResponseValidationError):
        return _unavailable("unexpected response from the OpenAI API (not the documented shape)")
    return _unavailable(f"OpenAI client error: {_one_line(str(exc), secrets)}")


def _advice(exc: openai.APIStatusError) -> str:
    """What to do about a status the person can act on; other 4xx speak for themselves."""
    if exc.status_code >= 500:
        return (
            "; the service kept failing after retries: try again later, or use provider = offline"
        )
    if exc.status_code == 404 and "model" in str(exc.body).lower():
        return "; check the model settings (`preppath config show`)"
    return ""


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
        if body.lstrip().startswith("<"):  # a proxy's or web server's error page
            return _describe_body(body.encode())
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


# --- Helpers for providers that validate the model's text themselves (questions, evaluation).


def chat_content(client: openai.OpenAI, response_format: object, **request: object) -> str:
    """The text of the first choice of a chat completion, checked for shape, an empty choice
    list, a refusal and empty content; call inside `translate_errors()`.

    `response_format` is a pydantic model (sent as a strict `json_schema` by the SDK) or a plain
    dict such as `{"type": "json_object"}`. The JSON inside the text is left to the caller, so a
    malformed reply can be retried with the validation error instead of failing outright.
    """
    if isinstance(response_format, type):
        raw = client.chat.completions.with_raw_response.parse(
            response_format=response_format,
            **request,  # type: ignore[arg-type]
        )
    else:
        raw = client.chat.completions.with_raw_response.create(  # type: ignore[call-overload]
            response_format=response_format,
            **request,
        )
    reply = checked_reply(raw.http_response, _ChatReply, "chat reply")
    if not reply.choices:
        raise _unavailable(
            f"{_server(raw.http_response)} returned no reply (no choices); try again, or check "
            "that openai_base_url is an OpenAI-compatible API"
        )
    message = reply.choices[0].message
    if message.refusal:
        raise _unavailable(
            f"the model refused: {_one_line(message.refusal, ())}; try again, or use "
            "provider = offline"
        )
    return message.content or ""  # empty: the caller retries it like malformed JSON


def rejects_json_schema(exc: openai.OpenAIError) -> bool:
    """True for the 400 a server without structured output sends (llama.cpp, older Ollama)."""
    if not isinstance(exc, openai.BadRequestError):
        return False
    text = f"{exc.message} {exc.body}".lower()
    return "response_format" in text or "json_schema" in text


def validation_summary(exc: pydantic.ValidationError, limit: int = 3) -> str:
    """The first few problems of a validation error in one line, to quote back to the model."""
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "the reply"
        parts.append(f"{where}: {error['msg']}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def one_line(text: str) -> str:
    """`text` flattened to one short line with anything key-like masked."""
    return _one_line(text, ())


# Whether a server has structured output is remembered across commands, so a local server
# without json_schema costs one rejected request once, not one per question set or answer.
_SERVERS_FILE = "servers.json"


def offers_json_schema(client: openai.OpenAI) -> bool:
    """False once `client`'s server has rejected `json_schema` (see `remember_no_json_schema`)."""
    return str(client.base_url) not in _servers_without_json_schema()


def remember_no_json_schema(client: openai.OpenAI) -> None:
    from preppath.paths import resolve_paths
    from preppath.storage import private_dir, write_private_text

    known = _servers_without_json_schema() | {str(client.base_url)}
    try:
        folder = private_dir(resolve_paths().cache_dir)
        text = json.dumps({"without_json_schema": sorted(known)}, indent=1)
        write_private_text(folder / _SERVERS_FILE, text)
    except OSError:
        pass  # only a cache: the next command probes again


def _servers_without_json_schema() -> set[str]:
    from preppath.paths import resolve_paths

    try:
        data = json.loads((resolve_paths().cache_dir / _SERVERS_FILE).read_text("utf-8"))
        return {str(url) for url in data["without_json_schema"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
