"""Which provider serves each capability, chosen through one registry.

Each capability (questions, evaluation, transcription, speech) has implementations registered
by name: `offline` (the embedded defaults) and `openai` (OpenAI or any compatible server). The
name in use comes from the settings; tests put a named fake from `preppath.testing.fakes` in
front of a capability with `overridden()` instead of passing test-only arguments to services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from preppath.providers.choice import Capability

if TYPE_CHECKING:
    import openai

    from preppath.paths import Paths
    from preppath.providers.base import Evaluator, QuestionProvider, SpeechToText, TextToSpeech
    from preppath.settings import Settings

Constructor = Callable[["Settings", "Paths | None"], object]

_REGISTRY: dict[tuple[Capability, str], Constructor] = {}
_OVERRIDES: dict[Capability, object] = {}


def register(capability: Capability, name: str) -> Callable[[Constructor], Constructor]:
    def add(constructor: Constructor) -> Constructor:
        _REGISTRY[(capability, name)] = constructor
        return constructor

    return add


def registered(capability: Capability) -> list[str]:
    return sorted(name for cap, name in _REGISTRY if cap == capability)


def provider_name(settings: Settings, capability: Capability) -> str:
    """`offline` or `openai` for this capability: its own `…_provider` setting, else
    `provider`; `auto` means `openai` when the capability has a key or a base URL."""
    from preppath.providers.choice import resolve

    return resolve(settings, capability).provider


def make(capability: Capability, settings: Settings, paths: Paths | None) -> object:
    if capability in _OVERRIDES:
        return _OVERRIDES[capability]
    return _REGISTRY[(capability, provider_name(settings, capability))](settings, paths)


@contextmanager
def overridden(capability: Capability, provider: object) -> Iterator[None]:
    """Serve `capability` from `provider` (a named fake) while the block runs."""
    before = _OVERRIDES.get(capability)
    _OVERRIDES[capability] = provider
    try:
        yield
    finally:
        if before is None:
            _OVERRIDES.pop(capability, None)
        else:
            _OVERRIDES[capability] = before


def question_provider(settings: Settings, paths: Paths) -> QuestionProvider:
    return cast("QuestionProvider", make("questions", settings, paths))


def evaluator(settings: Settings, paths: Paths) -> Evaluator:
    return cast("Evaluator", make("evaluation", settings, paths))


def speech_to_text(settings: Settings, paths: Paths | None = None) -> SpeechToText:
    return cast("SpeechToText", make("transcription", settings, paths))


def text_to_speech(settings: Settings, paths: Paths | None = None) -> TextToSpeech:
    return cast("TextToSpeech", make("speech", settings, paths))


# The implementations. Each imports its heavy modules only when it is built.


def _client(settings: Settings, paths: Paths | None, capability: Capability) -> openai.OpenAI:
    from preppath.providers.openai_client import make_client

    return make_client(settings, capability, data_dir=paths.data_dir if paths else None)


@register("questions", "offline")
def _bank_questions(settings: Settings, paths: Paths | None) -> QuestionProvider:
    from preppath.providers.offline_questions import BankQuestionProvider

    return BankQuestionProvider(paths.packs_dir if paths else None)


@register("questions", "openai")
def _openai_questions(settings: Settings, paths: Paths | None) -> QuestionProvider:
    from preppath.providers.openai_questions import OpenAIQuestionProvider

    return OpenAIQuestionProvider(_client(settings, paths, "questions"), settings.question_model)


@register("evaluation", "offline")
def _rubric(settings: Settings, paths: Paths | None) -> Evaluator:
    from preppath.evaluation.prepared import bank_readings
    from preppath.evaluation.rubric import RubricEvaluator, scoring_idf, scoring_topics

    packs = paths.packs_dir if paths else None
    return RubricEvaluator(
        scoring_idf(packs), topics=scoring_topics(packs), readings=bank_readings(packs)
    )


@register("evaluation", "openai")
def _openai_evaluator(settings: Settings, paths: Paths | None) -> Evaluator:
    from preppath.providers.openai_evaluator import OpenAIEvaluator

    return OpenAIEvaluator(_client(settings, paths, "evaluation"), settings.evaluation_model)


@register("transcription", "offline")
def _pocketsphinx(settings: Settings, paths: Paths | None) -> SpeechToText:
    from preppath.voice.stt import PocketsphinxSTT

    return PocketsphinxSTT()


@register("transcription", "openai")
def _openai_transcription(settings: Settings, paths: Paths | None) -> SpeechToText:
    from preppath.providers.openai_speech import OpenAISpeechToText

    return OpenAISpeechToText(
        _client(settings, paths, "transcription"), settings.transcription_model
    )


@register("speech", "offline")
def _espeak(settings: Settings, paths: Paths | None) -> TextToSpeech:
    from preppath.voice.tts import EspeakTTS

    return EspeakTTS(voice=settings.espeak_voice, rate_wpm=settings.speech_rate)


@register("speech", "openai")
def _openai_speech(settings: Settings, paths: Paths | None) -> TextToSpeech:
    from preppath.providers.openai_speech import OpenAITextToSpeech
    from preppath.providers.speech_cache import limit_bytes

    return OpenAITextToSpeech(
        _client(settings, paths, "speech"),
        settings.tts_model,
        settings.tts_voice,
        cache_dir=paths.cache_dir / "speech" if paths else None,
        cache_max_bytes=limit_bytes(settings.speech_cache_max_mb),
    )
