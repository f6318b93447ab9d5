"""Speech as a job (issue 8, item 2): how long a person waits from "question N+1 is due" to its
playback starting, with question N+1 synthesised ahead by a speech job against without.

    .venv/bin/python bench/bench_speech_jobs.py [--questions 5] [--latency-ms 300] [--answer-s 2]

Runs the real openai SDK against the tests' stub server on 127.0.0.1, which waits
`--latency-ms` before answering each speech request and streams 2 s of 24 kHz PCM in 4 KiB
pieces. A `--questions`-question interview on a real SQLite file; the person takes
`--answer-s` with each question before the next is due.

- without: the question is synthesised when it is due (what `interview start` did before);
  the wait is the time to its first streamed chunk, a lower bound, since streamed playback
  waits for a quarter of a second of audio (a few chunks more).
- ahead: when question N is asked, a speech job (SpeechAhead, the session's own path) makes
  question N+1 in the pool; at its turn the wait is `ready()` returning its cached audio.
  Question 1 has nothing before it and is left out of both.

Also offline (eSpeak NG), where "without" is synthesising the whole question (playback starts
after it). Prints medians and means from one run, and their ratio; never passes or fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

KEY = "sk-bench-speech-0123456789"


def _context(home: Path, **settings: object) -> Any:
    os.environ["PREPPATH_HOME"] = str(home)
    os.environ["PREPPATH_TIMEZONE"] = "UTC"
    from preppath.services.context import open_app
    from preppath.settings import Settings

    return open_app(Settings(**settings))  # type: ignore[arg-type]


def _questions(ctx: Any, count: int) -> tuple[int, list[Any]]:
    from conftest import service_interview

    view = service_interview(ctx, count=count, seed=11)
    return view.id, list(view.questions)


def _waits(settings: dict[str, object], count: int, answer_s: float, *, ahead: bool) -> list[float]:
    from preppath.providers import factory
    from preppath.providers.base import StreamingTextToSpeech
    from preppath.services.speech_ahead import SpeechAhead

    with tempfile.TemporaryDirectory() as tmp:
        ctx = _context(Path(tmp), **settings)
        interview_id, questions = _questions(ctx, count)
        tts = factory.text_to_speech(ctx.settings, ctx.paths)
        speaker = SpeechAhead(ctx, tts)
        waits = []
        for index, question in enumerate(questions):
            due = time.perf_counter()
            if ahead:
                speech = speaker.ready(interview_id, question.id, question.text)
                if speech is None:  # question 1, or a job that did not finish in time
                    speech = tts.synthesize(question.text)
            elif isinstance(tts, StreamingTextToSpeech):
                chunks = tts.pcm_chunks(question.text)
                next(chunks)  # playback starts with the first chunk
            else:
                tts.synthesize(question.text)
            if index:
                waits.append(time.perf_counter() - due)
            if ahead and index + 1 < len(questions):
                upcoming = questions[index + 1]
                speaker.queue(interview_id, upcoming.id, upcoming.text)
            if not ahead and isinstance(tts, StreamingTextToSpeech):
                for _chunk in chunks:  # the rest plays while it arrives
                    pass
            time.sleep(answer_s)  # the person listens and answers
        speaker.stop()
        return waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--answer-s", type=float, default=2.0)
    args = parser.parse_args()

    from openai_stub import OpenAIStub, streamed_pcm_reply
    from preppath.providers.openai_speech import PCM_SAMPLE_RATE
    from test_openai_providers import SPEECH

    latency = args.latency_ms / 1000
    print(
        f"\n{args.questions}-question interview, {args.answer_s:g} s per answer: from question "
        "N+1 being due to its playback starting (questions 2..N)"
    )
    print(f"  {'voice':<24} {'without ms':>11} {'ahead ms':>9} {'ahead/without':>14}")
    offline = {"provider": "offline"}
    with OpenAIStub(latency_s=latency) as stub:
        pcm = bytes(2 * 2 * PCM_SAMPLE_RATE)  # 2 s of audio
        stub.script(SPEECH, streamed_pcm_reply(pcm, 0.002))
        cloud = {
            "openai_base_url": stub.base_url,
            "openai_api_key": KEY,
            "question_provider": "offline",
            "evaluation_provider": "offline",
        }
        for name, settings in (
            (f"stub, {args.latency_ms:.0f} ms", cloud),
            ("offline eSpeak NG", offline),
        ):
            without = _waits(settings, args.questions, args.answer_s, ahead=False)
            ahead = _waits(settings, args.questions, args.answer_s, ahead=True)
            w_med, a_med = statistics.median(without), statistics.median(ahead)
            print(
                f"  {name:<24} {w_med * 1000:>11.1f} {a_med * 1000:>9.1f} {a_med / w_med:>14.3f}"
                f"   (means {statistics.mean(without) * 1000:.1f} / "
                f"{statistics.mean(ahead) * 1000:.1f})"
            )
        print(f"  speech requests to the stub: {len(stub.requests_to(SPEECH))}")


if __name__ == "__main__":
    main()
