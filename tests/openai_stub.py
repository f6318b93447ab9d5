"""A stub OpenAI-compatible HTTP server for tests that drive the real `openai` SDK.

openai 3.x sends requests through httpx2, which respx-style mocks do not intercept, so the tests
talk to a real socket instead (GUIDE.md §3). Replies are scripted per path; every request is
recorded so tests can count retries and inspect what the SDK sent.

    with OpenAIStub() as stub:
        stub.script("/v1/chat/completions", error_reply(500), chat_reply({...}))
        client = OpenAI(base_url=stub.base_url, api_key="sk-test")
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

# The SDK honours retry-after-ms; `Retry-After: 0` does NOT skip its back-off (0 is treated as
# "unspecified" and it sleeps 0.5 s and more), so failures default to a 1 ms retry delay.
FAST_RETRY = {"retry-after-ms": "1"}


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # to provoke client timeouts
    chunk_delay_s: float = 0.0  # a pause between 4 KiB pieces of the body, as a slow stream


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str | bytes]]:
        """Multipart fields by name; file parts stay bytes, text parts are decoded."""
        raw = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode() + self.body
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
        fields: dict[str, list[str | bytes]] = defaultdict(list)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            fields[name].append(payload if part.get_filename() else payload.decode())
        return dict(fields)


def json_reply(obj: object, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(obj).encode(), headers=headers or {})


def error_reply(
    status: int, message: str = "stub error", headers: dict[str, str] | None = None
) -> Reply:
    body = {"error": {"message": message, "type": "stub", "param": None, "code": None}}
    return json_reply(body, status, {**FAST_RETRY, **(headers or {})})


def chat_reply(
    content: object,
    finish_reason: str = "stop",
    usage: dict[str, int] | None = None,
    model: str = "stub-model",
) -> Reply:
    """A chat completion whose message content is `content` (JSON-encoded unless a str),
    with the `usage` block real servers send when one is given."""
    text = content if isinstance(content, str) else json.dumps(content)
    message = {"role": "assistant", "content": text, "refusal": None}
    body: dict[str, object] = {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = usage
    return json_reply(body)


def transcription_reply(words: list[tuple[str, float, float]], duration: float) -> Reply:
    return json_reply(
        {
            "task": "transcribe",
            "language": "english",
            "duration": duration,
            "text": " ".join(w for w, _, _ in words),
            "words": [{"word": w, "start": s, "end": e} for w, s, e in words],
        }
    )


def models_reply(*ids: str) -> Reply:
    """GET /v1/models: the models a server offers."""
    return json_reply(
        {"object": "list", "data": [{"id": i, "object": "model", "owned_by": "stub"} for i in ids]}
    )


def pcm_reply(pcm: bytes) -> Reply:
    return Reply(200, pcm, content_type="application/octet-stream")


def streamed_pcm_reply(pcm: bytes, chunk_delay_s: float) -> Reply:
    """Audio sent in 4 KiB pieces with a pause between them, as a slow stream arrives."""
    return Reply(200, pcm, content_type="application/octet-stream", chunk_delay_s=chunk_delay_s)


def refusal_reply(refusal: str) -> Reply:
    """A chat completion in which the model declines (content null, refusal set)."""
    body = json.loads(chat_reply("").body)
    body["choices"][0]["message"].update(content=None, refusal=refusal)
    return json_reply(body)


# What llama.cpp's server says to a json_schema response_format it does not support.
NO_JSON_SCHEMA = error_reply(400, "'response_format' type must be one of 'text' or 'json_object'")


def _asks_json_schema(recorded: Recorded) -> bool:
    if recorded.path != "/v1/chat/completions":
        return False
    try:
        body = recorded.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("response_format", {}).get("type") == "json_schema"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected, not worth a traceback


class OpenAIStub:
    """Serves scripted replies on 127.0.0.1 (a free port) from a background thread.

    Each path has a queue of replies; the last one repeats, so a single 429 keeps failing through
    every retry. Unscripted paths answer 404.

    `json_schema=False` behaves like a local server without structured output (llama.cpp, older
    Ollama): a chat request asking for `json_schema` gets a 400 naming response_format and takes
    no scripted reply. `latency_s` delays every reply, as a distant server would.
    """

    def __init__(self, *, json_schema: bool = True, latency_s: float = 0.0) -> None:
        self.json_schema = json_schema
        self.latency_s = latency_s
        self.requests: list[Recorded] = []
        self._replies: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval keeps shutdown (and so each test's teardown) near-instant.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._replies[path] = deque(replies)

    def requests_to(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next_reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            if not self.json_schema and _asks_json_schema(recorded):
                return NO_JSON_SCHEMA
            queue = self._replies.get(recorded.path)
            if not queue:
                return error_reply(404, f"no scripted reply for {recorded.path}")
            reply = queue.popleft() if len(queue) > 1 else queue[0]
            return replace(reply, delay_s=reply.delay_s + self.latency_s)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects

            def do_GET(self) -> None:  # the models list
                self.do_POST(method="GET")

            def do_POST(self, method: str = "POST") -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = stub._next_reply(Recorded(method, self.path, headers, body))
                time.sleep(reply.delay_s)
                self.send_response(reply.status)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not reply.chunk_delay_s:
                    self.wfile.write(reply.body)
                    return
                for start in range(0, len(reply.body), 4096):
                    self.wfile.write(reply.body[start : start + 4096])
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay_s)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

        return Handler

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
