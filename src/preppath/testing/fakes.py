"""Named fakes, one per capability, for tests: they return what a test queued, in order, and
record what they were asked, so a test states its provider's behaviour instead of reaching into
services. Put one in front of a capability with `preppath.providers.factory.overridden()`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Generic, TypeVar

from preppath.values import Evaluation, Question, QuestionRequest, Speech, Transcript

T = TypeVar("T")


class _Queue(Generic[T]):
    def __init__(self, kind: str) -> None:
        self._items: deque[T] = deque()
        self._kind = kind

    def enqueue(self, *items: T) -> None:
        self._items.extend(items)

    def next(self) -> T:
        if not self._items:
            raise AssertionError(f"the fake {self._kind} was called with nothing queued")
        return self._items.popleft()


class FakeEvaluator:
    """Returns queued evaluations, or raises a queued exception (a failing service);
    `calls` holds (question id, answer) for each."""

    name = "fake"

    def __init__(self) -> None:
        self._queue: _Queue[Evaluation | Exception] = _Queue("evaluator")
        self.calls: list[tuple[str, str]] = []

    def enqueue(self, *evaluations: Evaluation | Exception) -> FakeEvaluator:
        self._queue.enqueue(*evaluations)
        return self

    def evaluate(
        self, question: Question, answer: str, *, delivery: dict[str, object] | None = None
    ) -> Evaluation:
        self.calls.append((question.id, answer))
        item = self._queue.next()
        if isinstance(item, Exception):
            raise item
        return item


class FakeQuestionProvider:
    name = "fake"

    def __init__(self) -> None:
        self._queue: _Queue[list[Question]] = _Queue("question provider")
        self.requests: list[QuestionRequest] = []

    def enqueue(self, *batches: list[Question]) -> FakeQuestionProvider:
        self._queue.enqueue(*batches)
        return self

    def questions(self, request: QuestionRequest) -> list[Question]:
        self.requests.append(request)
        return self._queue.next()


class FakeSpeechToText:
    name = "fake"

    def __init__(self) -> None:
        self._queue: _Queue[Transcript] = _Queue("speech-to-text")
        self.files: list[Path] = []

    def enqueue(self, *transcripts: Transcript) -> FakeSpeechToText:
        self._queue.enqueue(*transcripts)
        return self

    def transcribe_file(self, path: Path, *, vocabulary: Sequence[str] = ()) -> Transcript:
        self.files.append(path)
        return self._queue.next()


class FakeTextToSpeech:
    """Speaks silence as long as the text would take at 150 words a minute."""

    name = "fake"

    def __init__(self, sample_rate: int = 16000) -> None:
        self.sample_rate = sample_rate
        self.spoken: list[str] = []

    def synthesize(self, text: str) -> Speech:
        self.spoken.append(text)
        seconds = max(len(text.split()), 1) / 150 * 60
        return Speech(b"\0\0" * int(seconds * self.sample_rate), self.sample_rate)
