"""`preppath audio …`: speak, list devices, test the microphone, transcribe a file.

Only typer and the standard library load with this module: numpy, PortAudio, pocketsphinx, PyAV
and the voice modules are imported inside each command, so `preppath --help` stays fast.
Failures are raised as `PrepPathError`; the root app prints them as one line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from preppath.cli.common import (
    command_group,
    open_context,
    print_json,
    question_type_parser,
    settings_for,
)
from preppath.domain import QuestionType
from preppath.errors import ExitCode, PrepPathError

app = command_group("Speak, record, transcribe, and answer questions with audio files.")


@app.command()
def speak(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to say.")],
    voice: Annotated[
        str | None, typer.Option(help="eSpeak NG voice (see `audio voices`); default: settings.")
    ] = None,
    rate: Annotated[
        int | None, typer.Option(min=80, max=450, help="Words per minute; default: settings.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write a WAV file instead of playing."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the output file if it exists.")
    ] = False,
) -> None:
    """Say TEXT through the speakers (any key stops it), or write it to a WAV file."""
    from preppath.voice.keys import KeyWatcher
    from preppath.voice.playback import play_speech
    from preppath.voice.tts import EspeakTTS

    if output is not None and output.suffix.lower() != ".wav":
        raise PrepPathError("--output must be a .wav file", ExitCode.USAGE)
    settings = settings_for(ctx)
    tts = EspeakTTS(voice=voice or settings.espeak_voice, rate_wpm=rate or settings.speech_rate)
    speech = tts.synthesize(text)
    if output is not None:
        from preppath.files import write_output

        write_output(output, _wav_bytes(speech.pcm, speech.sample_rate), force=force)
        typer.echo(f"wrote {output} ({speech.duration_s:.1f} s, {speech.sample_rate} Hz)")
        return
    with KeyWatcher() as keys:
        play_speech(speech, stop_event=keys.event)


def _wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    """16-bit mono PCM as a WAV file's bytes (the stdlib writer: no numpy needed)."""
    import io
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buffer.getvalue()


@app.command()
def voices(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the eSpeak NG voices available for `speak --voice`."""
    from preppath.voice.tts import list_voices

    found = sorted(list_voices(), key=lambda v: v.identifier)
    if as_json:
        print_json([{"name": v.name, "id": v.identifier, "languages": v.languages} for v in found])
        return
    for v in found:
        typer.echo(f"{', '.join(v.languages):<14} {v.name}")


@app.command()
def devices(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the audio devices PortAudio sees, and whether voice mode can run."""
    from preppath.voice.devices import list_devices, voice_status

    found = list_devices()  # raises UNAVAILABLE (one line) when PortAudio is missing
    status = voice_status()
    if as_json:
        print_json(
            {
                "available": status.available,
                "reason": status.reason,
                "devices": [d.to_dict() for d in found],
            }
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("#", "name", "in", "out", "rate", "default", box=None, pad_edge=False)
    for d in found:
        marks = " ".join(
            m for m, on in (("input", d.is_default_input), ("output", d.is_default_output)) if on
        )
        table.add_row(
            str(d.index), d.name, str(d.max_input_channels), str(d.max_output_channels),
            f"{d.default_samplerate:.0f}", marks,
        )  # fmt: skip
    console = Console()
    if found:
        console.print(table)
    console.print(("voice mode: " if status.available else "voice mode off: ") + status.reason)


@app.command("test")
def test_audio(
    seconds: Annotated[
        float, typer.Option(min=1.0, max=60.0, help="How long to record (Enter stops early).")
    ] = 4.0,
    device: Annotated[
        str | None, typer.Option(help="Input device number or part of its name.")
    ] = None,
) -> None:
    """Record a few seconds with a live level meter, then play them back."""
    from preppath.voice.devices import voice_status
    from preppath.voice.keys import KeyWatcher
    from preppath.voice.meter import LiveMeter
    from preppath.voice.playback import Player
    from preppath.voice.recorder import record_answer

    status = voice_status()
    if not status.can_record:
        raise PrepPathError(status.reason, ExitCode.UNAVAILABLE)
    with tempfile.TemporaryDirectory(prefix="preppath-test-") as tmp:
        path = Path(tmp) / "test.wav"
        with (
            KeyWatcher(enter_only=True) as enter,
            LiveMeter(label="Testing", hint="speak now; Enter stops") as meter,
        ):
            result = record_answer(
                path, device=device, max_seconds=seconds, silence_stop_s=None,
                stop_event=enter.event, on_progress=meter.update,
            )  # fmt: skip
        import numpy as np
        import soundfile as sf

        from preppath.voice.decode import peak_window_dbfs

        samples, rate = sf.read(str(path), dtype="int16")
        peak = peak_window_dbfs(np.asarray(samples, dtype=np.int16))
        typer.echo(f"recorded {result.duration_s:.1f} s; loudest moment {peak:.0f} dBFS")
        if peak < -50:
            typer.echo("heard almost nothing: is the microphone muted or not the default input?")
        elif peak > -1:
            typer.echo("the level touches full scale: lower the input gain to avoid distortion")
        if not status.can_play or result.frames == 0:
            return
        typer.echo("playing it back (any key stops)…")
        with KeyWatcher() as keys, Player(rate) as player:
            player.play(np.asarray(samples, dtype="<i2").tobytes(), stop_event=keys.event)


@app.command()
def transcribe(
    file: Annotated[Path, typer.Argument(help="WAV, FLAC, OGG, MP3, WebM or M4A file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    question_type: Annotated[
        QuestionType,
        typer.Option(
            "--type",
            parser=question_type_parser,
            help="Question type, for the length target: technical, behavioral or system_design.",
        ),
    ] = QuestionType.BEHAVIORAL,
    vocabulary: Annotated[
        str,
        typer.Option(
            help="Words to listen for, comma-separated (e.g. 'cache,latency'): biases the "
            "offline recogniser toward them."
        ),
    ] = "",
) -> None:
    """Transcribe an audio file offline, with word timings and delivery metrics."""
    from preppath.voice.decode import load_audio
    from preppath.voice.delivery import measure_delivery
    from preppath.voice.stt import transcribe_pcm

    audio = load_audio(file)
    terms = [t.strip() for t in vocabulary.split(",") if t.strip()]
    transcript = transcribe_pcm(audio.samples, vocabulary=terms, bias=bool(terms))
    delivery = measure_delivery(transcript, question_type.value)
    if as_json:
        print_json(
            {
                "file": str(file),
                "text": transcript.text,
                "words": [
                    {"word": w.word, "start": w.start, "end": w.end} for w in transcript.words
                ],
                "duration_s": transcript.duration_s,
                "delivery": delivery.to_dict(),
            }
        )
        return
    typer.echo(transcript.text or "(no speech recognised)")
    typer.echo("")
    for note in delivery.notes:
        typer.echo(f"- {note}")


@app.command("import")
def import_(
    ctx: typer.Context,
    interview_id: Annotated[int, typer.Argument(metavar="INTERVIEW_ID")],
    question_id: Annotated[int, typer.Argument(metavar="QUESTION_ID")],
    file: Annotated[Path, typer.Argument(help="WAV, FLAC, OGG, MP3, WebM or M4A file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer a question with a recording: validated, stored, transcribed and scored."""
    from preppath.cli.render import print_answer_result
    from preppath.services.audio_answers import import_audio_answer

    result = import_audio_answer(open_context(ctx), interview_id, question_id, file)
    if as_json:
        print_json(result)
        return
    print_answer_result(result, heard=True)
