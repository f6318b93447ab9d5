"""The small interfaces every provider implements.

Each has an offline implementation (embedded defaults), an OpenAI one, and a named fake for tests
(`preppath.testing.fakes`). Only the plain values of `preppath.values` cross these boundaries, so
callers never see a provider's own types.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from preppath.values import Evaluation, Question, QuestionRequest, Speech, Transcript


class SpeechToText(Protocol):
    name: str

    def transcribe_file(self, path: Path, *, vocabulary: Sequence[str] = ()) -> Transcript:
        """Transcribe an audio file; `vocabulary` names words worth biasing toward."""
        ...


class TextToSpeech(Protocol):
    name: str

    def synthesize(self, text: str) -> Speech: ...


class QuestionProvider(Protocol):
    name: str

    def questions(self, request: QuestionRequest) -> list[Question]: ...


class Evaluator(Protocol):
    name: str

    def evaluate(
        self, question: Question, answer: str, *, delivery: dict[str, object] | None = None
    ) -> Evaluation: ...


@runtime_checkable
class StreamingTextToSpeech(TextToSpeech, Protocol):
    """Speech that can be played while it is still arriving (a cloud voice)."""

    sample_rate: int

    def pcm_chunks(self, text: str) -> Iterator[bytes]: ...
