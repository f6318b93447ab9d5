"""The job pool (issue 8, item 7): throughput against its limits, and what background scoring
saves a person in an interview.

    .venv/bin/python bench/bench_jobs.py [--jobs 100] [--latency-ms 200] [--concurrency 5]
                                         [--per-minute 20] [--answers 5] [--answer-s 2]

1. `--jobs` evaluation jobs against the OpenAI stub (tests/openai_stub.py: the real openai SDK
   over 127.0.0.1) answering after `--latency-ms`, with `--concurrency` and `--per-minute`.
   The ideal is what the limits allow at best (`ideal_s`): job i starts as soon as both limits
   let it, i.e. once job i-concurrency has finished (a place is free) and, from the
   per_minute-th job on, once 60 s have passed since job i-per_minute started (the window
   holds at most per_minute starts); each job takes exactly the latency. Printed with the wall
   time and their ratio, beside the naive jobs/per_minute bound. The pool keeps each start in
   its window 1 s longer than the minute (jobs/limits.py, EDGE_S, so the spend guards never
   see one call too many), which the ideal does not grant it: about 1 s per further window.
2. A `--answers`-answer interview, a simulated person taking `--answer-s` to give each answer:
   the time they spend waiting for the app, strictly sequential (each answer scored before the
   next question, as before the pool) against the pool (scored while the next is answered,
   waiting only at the end), offline (rubric scorer) and against the stub.
3. The same interview spoken: each answer a recording (eSpeak's voice, made once), imported
   the way `audio import` stores it. Sequential waits for its transcription and scoring
   before the next question; the pool stores the recording and answers on while both jobs
   run, waiting only at the end. Offline (pocketsphinx + rubric) and against the stub (its
   transcription and chat replies each after `--latency-ms`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

ANSWER = (
    "Only one thread executes Python bytecode at a time because of the GIL, so CPU-bound "
    "threads do not run in parallel; I/O-bound threads release it while they wait."
)


def _fresh_context(home: Path, **settings: object) -> object:
    os.environ["PREPPATH_HOME"] = str(home)
    os.environ["PREPPATH_TIMEZONE"] = "UTC"
    from preppath.services.context import open_app
    from preppath.settings import Settings

    return open_app(Settings(**settings))  # type: ignore[arg-type]


def _interviews(ctx: object, answers: int) -> list[tuple[int, int]]:
    """(interview id, position) for `answers` questions, over as many interviews as needed."""
    from preppath.domain import ExperienceLevel, InterviewType
    from preppath.services.interviews import InterviewOptions, create_interview

    slots: list[tuple[int, int]] = []
    while len(slots) < answers:
        count = min(20, answers - len(slots))
        view = create_interview(
            ctx,  # type: ignore[arg-type]
            InterviewOptions(
                InterviewType.TECHNICAL, "Backend Engineer", ExperienceLevel.MID, ("python",),
                count, len(slots),
            ),
        )  # fmt: skip
        slots += [(view.id, q.id) for q in view.questions]
    return slots


def throughput(jobs: int, latency_s: float, concurrency: int, per_minute: int) -> None:
    import dataclasses

    from openai_stub import OpenAIStub, chat_reply
    from preppath.jobs.pool import Pool
    from preppath.services.answers import store_answer
    from test_openai_providers import CHAT, _grade

    with tempfile.TemporaryDirectory() as tmp, OpenAIStub() as stub:
        stub.script(CHAT, dataclasses.replace(chat_reply(_grade()), delay_s=latency_s))
        offline = _fresh_context(Path(tmp), provider="offline")
        slots = _interviews(offline, jobs)  # questions from the bank; scoring by the stub
        ctx = _fresh_context(
            Path(tmp),
            openai_base_url=stub.base_url,
            openai_api_key="sk-bench-0123456789",
            jobs_evaluation_concurrency=concurrency,
            jobs_evaluation_per_minute=per_minute,
        )
        for interview_id, position in slots:
            store_answer(ctx, interview_id, position, ANSWER)  # type: ignore[arg-type]
        start = time.perf_counter()
        pool = Pool(ctx)  # type: ignore[arg-type]
        pool.run()
        wall = time.perf_counter() - start
        done = sum(o.status == "done" for o in pool.outcomes.values())
        requests = len(stub.requests_to(CHAT))
    ideal = ideal_s(jobs, latency_s, concurrency, per_minute)
    print(
        f"\n{jobs} evaluation jobs, stub latency {latency_s * 1000:.0f} ms, "
        f"concurrency {concurrency}, {per_minute}/min"
    )
    print(f"  done {done}/{jobs}, requests {requests}")
    print(f"  wall time                       {wall:9.2f} s")
    print(f"  ideal (both limits, no overhead) {ideal:8.2f} s   ratio {wall / ideal:.3f}")
    print(f"  naive jobs/per_minute bound     {jobs * 60 / per_minute:9.2f} s   "
          f"ratio {wall / (jobs * 60 / per_minute):.3f}")  # fmt: skip


def ideal_s(jobs: int, latency_s: float, concurrency: int, per_minute: int) -> float:
    """The earliest the last of `jobs` equal jobs can finish under the pool's two limits."""
    starts: list[float] = []
    finishes: list[float] = []
    for i in range(jobs):
        start = 0.0
        if i >= concurrency:
            start = max(start, sorted(finishes)[i - concurrency])
        if i >= per_minute:
            start = max(start, starts[i - per_minute] + 60.0)
        starts.append(start)
        finishes.append(start + latency_s)
    return max(finishes, default=0.0)


def waiting(answers: int, answer_s: float, latency_s: float) -> None:
    import dataclasses

    from openai_stub import OpenAIStub, chat_reply
    from test_openai_providers import CHAT, _grade

    print(f"\n{answers}-answer interview, {answer_s:g} s to give each answer: time spent waiting")
    print(f"  {'scorer':<22} {'sequential s':>13} {'pool s':>9} {'pool/seq':>9}")
    with OpenAIStub() as stub:
        stub.script(CHAT, dataclasses.replace(chat_reply(_grade()), delay_s=latency_s))
        for name, settings in (
            ("offline rubric", {"provider": "offline"}),
            (
                f"stub, {latency_s * 1000:.0f} ms",
                {"openai_base_url": stub.base_url, "openai_api_key": "sk-bench-0123456789"},
            ),
        ):
            seq = _interview_wait(answers, answer_s, settings, background=False)
            pooled = _interview_wait(answers, answer_s, settings, background=True)
            print(f"  {name:<22} {seq:>13.3f} {pooled:>9.3f} {pooled / seq:>9.3f}")


def _interview_wait(
    answers: int, answer_s: float, settings: dict[str, object], *, background: bool
) -> float:
    from preppath.services.answers import answer_question, store_answer
    from preppath.services.background import BackgroundScoring

    with tempfile.TemporaryDirectory() as tmp:
        offline = _fresh_context(Path(tmp), provider="offline")
        slots = _interviews(offline, answers)
        ctx: object = _fresh_context(Path(tmp), **settings)
        _warm(ctx)
        waited = 0.0

        def blocking(step: Callable[[], object]) -> object:
            nonlocal waited
            start = time.perf_counter()
            value = step()
            waited += time.perf_counter() - start
            return value

        scorer = BackgroundScoring(ctx) if background else None  # type: ignore[arg-type]
        for interview_id, position in slots:
            time.sleep(answer_s)  # the person answering
            if scorer is None:
                blocking(partial(answer_question, ctx, interview_id, position, ANSWER))
            else:
                submitted = _timed(
                    partial(store_answer, ctx, interview_id, position, ANSWER), blocking
                )
                scorer.submit(position, submitted)
                scorer.ready()  # shown between questions; never waited for
        if scorer is not None:
            blocking(scorer.wait_all)
        return waited


def spoken_waiting(answers: int, answer_s: float, latency_s: float) -> None:
    import dataclasses

    from openai_stub import OpenAIStub, chat_reply, transcription_reply
    from test_openai_providers import CHAT, TRANSCRIBE, _grade

    print(f"\n{answers}-answer spoken interview (transcription + scoring): time spent waiting")
    print(f"  {'voice and scorer':<22} {'sequential s':>13} {'pool s':>9} {'pool/seq':>9}")
    words = [(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(ANSWER.split())]
    with tempfile.TemporaryDirectory() as tmp, OpenAIStub() as stub:
        wav = _spoken_wav(Path(tmp) / "answer.wav")
        heard = transcription_reply(words, len(words) * 0.4)
        stub.script(TRANSCRIBE, dataclasses.replace(heard, delay_s=latency_s))
        stub.script(CHAT, dataclasses.replace(chat_reply(_grade()), delay_s=latency_s))
        cloud = {"openai_base_url": stub.base_url, "openai_api_key": "sk-bench-0123456789"}
        for name, settings in (
            ("offline", {"provider": "offline"}),
            # Five answers fit the default 5 transcriptions a minute: the window lets them
            # all start as they come (two at a time).
            (f"stub, {latency_s * 1000:.0f} ms each", cloud),
        ):
            seq = _spoken_wait(answers, answer_s, settings, wav, background=False)
            pooled = _spoken_wait(answers, answer_s, settings, wav, background=True)
            print(f"  {name:<22} {seq:>13.3f} {pooled:>9.3f} {pooled / seq:>9.3f}")


def _spoken_wav(path: Path) -> Path:
    import numpy as np
    import soundfile as sf

    from preppath.voice.tts import EspeakTTS

    speech = EspeakTTS().synthesize(ANSWER)
    sf.write(str(path), np.frombuffer(speech.pcm, "<i2"), speech.sample_rate, "PCM_16")
    return path


def _spoken_wait(
    answers: int, answer_s: float, settings: dict[str, object], wav: Path, *, background: bool
) -> float:
    from preppath.jobs.pool import Pool
    from preppath.services.audio_answers import import_audio_answer, store_audio_answer
    from preppath.services.background import BackgroundScoring

    with tempfile.TemporaryDirectory() as tmp:
        offline = _fresh_context(Path(tmp), provider="offline")
        slots = _interviews(offline, answers)
        ctx: Any = _fresh_context(Path(tmp), **settings)
        _warm(ctx)
        _warm_transcriber(ctx)
        waited = 0.0
        pool = BackgroundScoring(ctx) if background else None
        for interview_id, position in slots:
            time.sleep(answer_s)  # the person answering
            start = time.perf_counter()
            if pool is None:
                import_audio_answer(ctx, interview_id, position, wav)
            else:
                store_audio_answer(ctx, interview_id, position, wav)
                pool.kick()  # transcribed, then scored, while the next answer is given
            waited += time.perf_counter() - start
        if pool is not None:
            start = time.perf_counter()
            pool.wait_all()
            Pool(ctx).run()  # whatever the session's thread had not reached yet
            waited += time.perf_counter() - start
        return waited


def _warm_transcriber(ctx: object) -> None:
    """Load the speech recogniser once (pocketsphinx's model), as the first answer would."""
    from preppath.providers import factory

    factory.speech_to_text(ctx.settings)  # type: ignore[attr-defined]


def _timed(step: Callable[[], Any], blocking: Callable[[Callable[[], object]], object]) -> Any:
    return blocking(step)


def _warm(ctx: object) -> None:
    """Build the scorer once (the rubric's tables load from the cache), as the first answer of
    a session would, so both modes time the same work."""
    from preppath.jobs.handlers import job_evaluator

    job_evaluator(ctx)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--per-minute", type=int, default=20)
    parser.add_argument("--answers", type=int, default=5)
    parser.add_argument("--answer-s", type=float, default=2.0)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    waiting(args.answers, args.answer_s, latency)
    spoken_waiting(args.answers, args.answer_s, latency)
    if not args.skip_throughput:
        throughput(args.jobs, latency, args.concurrency, args.per_minute)


if __name__ == "__main__":
    main()
