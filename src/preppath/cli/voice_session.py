"""Spoken answers in `interview start`: the question is read aloud (a key skips it), Enter starts
recording, Enter or a pause stops it, and the transcript is ready as soon as it stops because it
was decoded while the person spoke. The person can re-record, type instead, skip or quit."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from preppath.cli.common import console, notice, real_console
from preppath.cli.session import COMMANDS, Collected, TypedCollector, read_line
from preppath.domain import AnswerSource

if TYPE_CHECKING:
    from preppath.providers.base import TextToSpeech
    from preppath.services.answers import RecordingInfo
    from preppath.services.context import AppContext
    from preppath.services.speech_ahead import SpeechAhead
    from preppath.services.views import QuestionView
    from preppath.values import Transcript


def voice_collector(ctx: AppContext) -> VoiceCollector | None:
    """A voice collector, or None (after one line saying why) when no sound system is usable."""
    from preppath import voice

    status = voice.voice_status()
    if not status.available or not status.can_record:
        notice(f"voice is off: {status.reason}; answers are typed instead")
        return None
    return VoiceCollector(ctx, speak=status.can_play)


class VoiceCollector:
    def __init__(self, ctx: AppContext, *, speak: bool) -> None:
        from preppath.providers import factory

        self.ctx = ctx
        self.tts: TextToSpeech | None = (
            factory.text_to_speech(ctx.settings, ctx.paths) if speak else None
        )
        self.ahead: SpeechAhead | None = None
        if self.tts is not None:
            from preppath.services.speech_ahead import SpeechAhead

            self.ahead = SpeechAhead(ctx, self.tts)
        self.device = ctx.settings.input_device or None
        self.typed = TypedCollector()

    def present(
        self, question: QuestionView, interview_id: int, upcoming: QuestionView | None
    ) -> None:
        from preppath import voice
        from preppath.errors import PrepPathError
        from preppath.providers import factory

        if factory.provider_name(self.ctx.settings, "transcription") == "offline":
            # Building the recogniser takes ~0.3 s: do it while the question is being read.
            threading.Thread(
                target=voice.preload, args=(vocabulary(question),), daemon=True
            ).start()
        if self.tts is None or self.ahead is None:
            return
        console.print("[dim](reading the question; press any key to skip)[/]")
        try:
            self._speak(question, interview_id, upcoming)
        except PrepPathError as exc:  # the question is on screen: say why it was not heard
            notice(f"the question could not be spoken: {exc.message}")

    def _speak(
        self, question: QuestionView, interview_id: int, upcoming: QuestionView | None
    ) -> None:
        """Play the question from the cache when a speech job made it ahead, else synthesise
        it now; meanwhile a job prepares the upcoming question."""
        from preppath import voice
        from preppath.providers.base import StreamingTextToSpeech

        assert self.tts is not None and self.ahead is not None
        speech = self.ahead.ready(interview_id, question.id, question.text)
        streaming = isinstance(self.tts, StreamingTextToSpeech)
        if speech is None and not streaming:  # eSpeak: milliseconds, before the job starts
            speech = self.tts.synthesize(question.text)
            self.ahead.remember(question.text, speech)
        if upcoming is not None:
            self.ahead.queue(interview_id, upcoming.id, upcoming.text)
        with voice.KeyWatcher() as keys:
            if speech is not None:
                voice.play_speech(speech, stop_event=keys.event)
            elif isinstance(self.tts, StreamingTextToSpeech):  # play while it downloads
                from preppath.voice.stream_playback import play_chunks

                play_chunks(
                    self.tts.pcm_chunks(question.text), self.tts.sample_rate, stop_event=keys.event
                )

    def stop(self, *, interrupted: bool = False) -> None:
        if self.ahead is not None:
            self.ahead.stop(interrupted=interrupted)

    def collect(self, question: QuestionView, interview_id: int) -> Collected:
        while True:
            line = read_line("Enter records your answer; or type it (/skip /repeat /quit): ")
            word = line.strip().lower()
            if word in COMMANDS:
                return Collected(command=COMMANDS[word])
            if word:  # typing instead of speaking: the rest follows until an empty line
                return self.typed.read_answer([line])
            spoken = self._record(question, interview_id)
            if spoken is not None:
                return spoken

    def _record(self, question: QuestionView, interview_id: int) -> Collected | None:
        """Record into a temporary file that becomes the stored recording only when its answer
        is saved; dropped if the person re-records, types instead, or interrupts (Ctrl-C)."""
        from preppath.services import recordings

        path = recordings.new_incoming(self.ctx.paths.recordings_dir, ".wav")
        try:
            return self._record_into(path, question, interview_id)
        except BaseException:
            recordings.discard(path)
            raise

    def _record_into(
        self, path: Path, question: QuestionView, interview_id: int
    ) -> Collected | None:
        from preppath import voice
        from preppath.providers import factory
        from preppath.services import recordings

        settings = self.ctx.settings
        # Offline, decode while the person speaks; a cloud model gets the finished file instead.
        decoder = (
            voice.StreamingTranscriber(vocabulary=vocabulary(question))
            if factory.provider_name(settings, "transcription") == "offline"
            else None
        )
        silence = (
            f", or {settings.silence_stop_s:g} s of silence" if settings.silence_stop_s else ""
        )
        with contextlib.ExitStack() as stack:
            if decoder is not None:
                stack.enter_context(decoder)  # cancelled on the way out unless it finished
            keys = stack.enter_context(voice.KeyWatcher(enter_only=True))
            meter = stack.enter_context(
                voice.LiveMeter(real_console(), hint=f"Enter stops{silence}")
            )
            result = voice.record_answer(
                path,
                device=self.device,
                max_seconds=settings.max_answer_s,
                silence_stop_s=settings.silence_stop_s,
                stop_event=keys.event,
                on_progress=meter.update,
                decoder=decoder,
            )
        transcript = result.transcript or self._transcribe_file(path, question)
        from rich.markup import escape

        # What was heard is the person's words, never markup: "[inaudible]" must stay visible.
        heard = escape(transcript.text) if transcript.text else "[dim](nothing recognised)[/]"
        console.print(f"[bold]You said[/] ({result.duration_s:.0f} s): {heard}")
        reply = read_line("[Enter] submit · [r] re-record · [t] type instead: ").strip().lower()
        if reply == "r" or (not transcript.text and reply != "t"):
            recordings.discard(path)
            return None
        if reply == "t":
            recordings.discard(path)
            return self.typed.collect(question, interview_id)
        delivery = voice.measure_delivery(transcript, question.type).to_dict()
        return Collected(
            text=transcript.text,
            source=AnswerSource.VOICE,
            delivery=delivery,
            recording=recording_info(result),
        )

    def _transcribe_file(self, path: object, question: QuestionView) -> Transcript:
        from pathlib import Path

        from preppath.providers import factory

        assert isinstance(path, Path)
        with console.status("Transcribing…"):
            stt = factory.speech_to_text(self.ctx.settings)
            return stt.transcribe_file(path, vocabulary=vocabulary(question))


def vocabulary(question: QuestionView) -> tuple[str, ...]:
    """Words worth biasing recognition toward: the question's own and its model answer's."""
    return (question.text, question.expected_answer, *question.key_points)


def recording_info(result: object) -> RecordingInfo:
    from preppath.services.answers import RecordingInfo
    from preppath.voice.recorder import RecordingResult

    assert isinstance(result, RecordingResult)
    return RecordingInfo(
        path=str(result.path),
        format="wav",
        duration_s=result.duration_s,
        size_bytes=result.size_bytes,
        sha256=result.sha256,
    )
