"""Which provider serves each job: offline defaults, or OpenAI when a key or base_url is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from preppath.providers.base import Evaluator, QuestionProvider, SpeechToText, TextToSpeech

if TYPE_CHECKING:
    from preppath.paths import Paths
    from preppath.settings import Settings


def question_provider(settings: Settings, paths: Paths) -> QuestionProvider:
    if settings.uses_openai:
        from preppath.providers.openai_client import make_client
        from preppath.providers.openai_questions import OpenAIQuestionProvider

        return OpenAIQuestionProvider(make_client(settings), settings.question_model)
    from preppath.providers.offline_questions import BankQuestionProvider

    return BankQuestionProvider(paths.packs_dir)


def evaluator(settings: Settings, paths: Paths) -> Evaluator:
    if settings.uses_openai:
        from preppath.providers.openai_client import make_client
        from preppath.providers.openai_evaluator import OpenAIEvaluator

        return OpenAIEvaluator(make_client(settings), settings.evaluation_model)
    from preppath.evaluation.rubric import RubricEvaluator, scoring_idf

    return RubricEvaluator(scoring_idf(paths.packs_dir))


def speech_to_text(settings: Settings) -> SpeechToText:
    if settings.uses_openai:
        from preppath.providers.openai_client import make_client
        from preppath.providers.openai_speech import OpenAISpeechToText

        return OpenAISpeechToText(make_client(settings), settings.transcription_model)
    from preppath.voice.stt import PocketsphinxSTT

    return PocketsphinxSTT()


def text_to_speech(settings: Settings) -> TextToSpeech:
    if settings.uses_openai:
        from preppath.providers.openai_client import make_client
        from preppath.providers.openai_speech import OpenAITextToSpeech

        return OpenAITextToSpeech(make_client(settings), settings.tts_model, settings.tts_voice)
    from preppath.voice.tts import EspeakTTS

    return EspeakTTS(voice=settings.espeak_voice, rate_wpm=settings.speech_rate)
