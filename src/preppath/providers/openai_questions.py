"""Interview questions written by an OpenAI (or compatible) chat model via structured output."""

from __future__ import annotations

import hashlib
from typing import Literal

import openai
from pydantic import BaseModel, Field

from preppath.errors import ExitCode, PrepPathError
from preppath.providers.openai_client import chat_parse, translate_errors
from preppath.values import KeyPoint, Question, QuestionRequest, Weights

MAX_KEY_POINTS = 6
MAX_PHRASINGS = 6

# The schema deliberately has no length limits: a reply with 2 key points should cost us one
# question, not the whole request, so counts are asked for in prose and enforced in _convert.


class _KeyPoint(BaseModel):
    point: str = Field(description="One idea a strong answer must contain, one sentence")
    phrasings: list[str] = Field(
        description="2-6 short lowercase phrases (1-4 words) a candidate might say for this point"
    )


class _Weights(BaseModel):
    correctness: float = Field(description="Weight of technical/factual accuracy, 0-1")
    completeness: float = Field(description="Weight of covering the key points, 0-1")
    clarity: float = Field(description="Weight of structure and clear communication, 0-1")


class _Question(BaseModel):
    text: str = Field(description="The question exactly as the interviewer would ask it aloud")
    type: Literal["technical", "behavioral", "system_design"]
    difficulty: Literal["easy", "medium", "hard"]
    expected_answer: str = Field(description="A model answer of 120-250 words, spoken style")
    key_points: list[_KeyPoint] = Field(description="3-6 key points")
    weights: _Weights = Field(description="Evaluation criteria weights summing to 1")
    tags: list[str] = Field(description="2-4 lowercase topic tags")


class _QuestionSet(BaseModel):
    questions: list[_Question]


_SYSTEM = (
    "You are an experienced interviewer who writes realistic interview questions. Questions are "
    "asked aloud, so keep each to one or two sentences without code blocks. Each comes with a "
    "model answer, 3-6 key points a strong answer must cover (each with 2-6 short phrasings a "
    "candidate might actually say), evaluation weights for correctness, completeness and "
    "clarity that sum to 1, and topic tags. Behavioral questions should invite a STAR answer "
    "(situation, task, action, result) and weight clarity and completeness more."
)

_TYPE_GUIDE = {
    "mixed": "a mix of technical, behavioral and system_design questions (roughly equal shares)",
    "technical": "technical questions only",
    "behavioral": "behavioral questions only",
    "system_design": "system_design questions only",
}


class OpenAIQuestionProvider:
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self._model = model

    def questions(self, request: QuestionRequest) -> list[Question]:
        with translate_errors():
            reply = chat_parse(
                self._client,
                _QuestionSet,
                model=self._model,
                messages=[
                    {"role": "system", "content": _SYSTEM},
                    {"role": "user", "content": _prompt(request)},
                ],
                seed=request.seed if request.seed is not None else openai.omit,
            )
        result: list[Question] = []
        seen: set[str] = set()
        for raw in reply.questions:
            question = _convert(raw, request)
            if question is not None and question.id not in seen:
                seen.add(question.id)
                result.append(question)
        if not result:
            raise PrepPathError("the model returned no usable questions", ExitCode.UNAVAILABLE)
        return result[: request.count]


def _prompt(request: QuestionRequest) -> str:
    stack = ", ".join(request.stack) or "no particular stack"
    kinds = _TYPE_GUIDE.get(request.interview_type, f"{request.interview_type} questions")
    return (
        f"Write {request.count} distinct interview questions for a {request.level}-level "
        f"{request.role} candidate. Tech stack: {stack}. Use {kinds}. Make technical and "
        f"system_design questions specific to the stack where it fits, and set the difficulty "
        f"(easy, medium or hard) to suit a {request.level} candidate."
    )


def _convert(raw: _Question, request: QuestionRequest) -> Question | None:
    text = " ".join(raw.text.split())
    key_points = tuple(
        KeyPoint(kp.point.strip(), _phrasings(kp.phrasings))
        for kp in raw.key_points[:MAX_KEY_POINTS]
        if kp.point.strip()
    )
    if not text or not key_points:
        return None
    # A single-type interview gets that type even if the model labelled one differently.
    kind = raw.type if request.interview_type == "mixed" else request.interview_type
    return Question(
        id="ai-" + hashlib.sha256(text.lower().encode()).hexdigest()[:10],
        type=kind,
        difficulty=raw.difficulty,
        levels=(request.level,),
        stack=request.stack,
        tags=tuple(dict.fromkeys(t.strip().lower() for t in raw.tags if t.strip())),
        text=text,
        expected_answer=raw.expected_answer.strip(),
        key_points=key_points,
        weights=normalise_weights(
            raw.weights.correctness, raw.weights.completeness, raw.weights.clarity
        ),
        source="openai",
    )


def _phrasings(raw: list[str]) -> tuple[str, ...]:
    cleaned = (" ".join(p.lower().split()) for p in raw)
    return tuple(dict.fromkeys(p for p in cleaned if p))[:MAX_PHRASINGS]


def normalise_weights(correctness: float, completeness: float, clarity: float) -> Weights:
    """Scale to sum 1; negative weights count as 0, and all-zero falls back to the defaults."""
    parts = [max(0.0, correctness), max(0.0, completeness), max(0.0, clarity)]
    total = sum(parts)
    if total <= 0:
        return Weights()
    return Weights(parts[0] / total, parts[1] / total, parts[2] / total)
