"""Interview questions written by an OpenAI (or compatible) chat model via structured output.

The request asks for a strict `json_schema`; a server that rejects it (llama.cpp, older Ollama
answer 400 naming response_format) is asked again with `json_object` and the schema in the prompt,
and is not offered `json_schema` again by this provider. Whatever the mode, PrepPath validates the
reply itself: a malformed one is retried once with the validation error quoted, and a second
failure raises `UnusableModelOutput` so the caller can fall back to the offline bank.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

import openai
from pydantic import BaseModel, Field, ValidationError

from preppath.providers.errors import UnusableModelOutput
from preppath.providers.openai_client import (
    chat_content,
    offers_json_schema,
    rejects_json_schema,
    remember_no_json_schema,
    translate_errors,
    validation_summary,
)
from preppath.values import KeyPoint, Misconception, Question, QuestionRequest, Weights

MAX_KEY_POINTS = 6
MAX_PHRASINGS = 6
MAX_MISCONCEPTIONS = 3

# The schema deliberately has no length limits: a reply with 2 key points should cost us one
# question, not the whole request, so counts are asked for in prose and enforced in _convert.


class _Misconception(BaseModel):
    claim: str = Field(description="A wrong statement candidates often make about this point")
    correction: str = Field(description="What is true instead, one sentence")


class _KeyPoint(BaseModel):
    point: str = Field(description="One idea a strong answer must contain, one sentence")
    phrasings: list[str] = Field(
        description="2-6 short lowercase phrases (1-4 words) a candidate might say for this point"
    )
    explain: str = Field(description="The idea in one or two sentences, to teach if missed")
    misconceptions: list[_Misconception] = Field(
        description="0-2 common wrong claims about this point, each with its correction"
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
    "candidate might actually say, a short explanation, and any common misconceptions with "
    "their corrections), evaluation weights for correctness, completeness and clarity that sum "
    "to 1, and topic tags. Behavioral questions should invite a STAR answer (situation, task, "
    "action, result) and weight clarity and completeness more."
)

_TYPE_GUIDE = {
    "mixed": "a mix of technical, behavioral and system_design questions (roughly equal shares)",
    "technical": "technical questions only",
    "behavioral": "behavioral questions only",
    "system_design": "system_design questions only",
}

_JSON_OBJECT = {"type": "json_object"}


class OpenAIQuestionProvider:
    name = "openai"

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self._model = model
        self._json_schema = offers_json_schema(client)

    def questions(self, request: QuestionRequest) -> list[Question]:
        messages: list[dict[str, str]] = [
            {"role": "system", "content": _SYSTEM},
            {"role": "user", "content": _prompt(request)},
        ]
        with translate_errors():
            text = self._ask(messages, request)
            questions, problem = _read(text, request)
            if not problem:
                return questions
            # One retry that shows the model its own reply and what was wrong with it.
            messages += [
                {"role": "assistant", "content": text},
                {"role": "user", "content": _retry_prompt(problem)},
            ]
            text = self._ask(messages, request)
            questions, problem = _read(text, request)
        if problem:
            raise UnusableModelOutput(f"the question model's reply was unusable twice: {problem}")
        return questions

    def _ask(self, messages: list[dict[str, str]], request: QuestionRequest) -> str:
        seed = request.seed if request.seed is not None else openai.omit
        if self._json_schema:
            try:
                return chat_content(
                    self._client, _QuestionSet, model=self._model, messages=messages, seed=seed
                )
            except openai.BadRequestError as exc:
                if not rejects_json_schema(exc):
                    raise
                self._json_schema = False
                remember_no_json_schema(self._client)
        return chat_content(
            self._client,
            _JSON_OBJECT,
            model=self._model,
            messages=_with_schema(messages),
            seed=seed,
        )


def _with_schema(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """json_object mode only promises JSON; the schema itself has to be in the prompt."""
    schema = json.dumps(_QuestionSet.model_json_schema(), separators=(",", ":"))
    system = (
        f"{messages[0]['content']} Reply with one JSON object only, no prose and no code "
        f"fences, matching this JSON schema: {schema}"
    )
    return [{"role": "system", "content": system}, *messages[1:]]


def _retry_prompt(problem: str) -> str:
    return (
        f"That reply could not be used: {problem}. Reply again with only the JSON object, "
        "following the schema exactly."
    )


def _read(text: str, request: QuestionRequest) -> tuple[list[Question], str]:
    """The usable questions in a reply, or none and what was wrong with it."""
    if not text.strip():
        return [], "the reply was empty"
    try:
        reply = _QuestionSet.model_validate(_with_optional_parts(json.loads(_unfenced(text))))
    except ValueError as exc:  # ValidationError is a ValueError too
        problem = (
            validation_summary(exc)
            if isinstance(exc, ValidationError)
            else "the reply is not valid JSON"
        )
        return [], problem
    result: list[Question] = []
    seen: set[str] = set()
    for raw in reply.questions:
        question = _convert(raw, request)
        if question is not None and question.id not in seen:
            seen.add(question.id)
            result.append(question)
    if not result:
        return [], "no usable questions (each needs text and at least one key point)"
    return result[: request.count], ""


def _with_optional_parts(data: object) -> object:
    """The schema asks for every field (strict mode requires it), but a key point without an
    explanation or misconceptions is still worth having, as a local model may leave them out."""
    questions = data.get("questions") if isinstance(data, dict) else None
    for question in questions if isinstance(questions, list) else ():
        points = question.get("key_points") if isinstance(question, dict) else None
        for point in points if isinstance(points, list) else ():
            if isinstance(point, dict):
                point.setdefault("explain", "")
                point.setdefault("misconceptions", [])
    return data


def _unfenced(text: str) -> str:
    """Local models asked for JSON often wrap it in a Markdown code fence anyway."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped.rsplit("```", 1)[0]
    return stripped


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
        KeyPoint(
            kp.point.strip(),
            _phrasings(kp.phrasings),
            " ".join(kp.explain.split()),
            tuple(
                Misconception(" ".join(m.claim.split()), " ".join(m.correction.split()))
                for m in kp.misconceptions[:MAX_MISCONCEPTIONS]
                if m.claim.strip() and m.correction.strip()
            ),
        )
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
