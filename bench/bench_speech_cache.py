"""The speech cache (issue 8, item 5): a question's second speaking against its first.

    .venv/bin/python bench/bench_speech_cache.py [--latency-ms 300] [--runs 7]

Runs the real openai SDK against the tests' stub server on 127.0.0.1, which waits
`--latency-ms` before answering each request and streams 2 s of 24 kHz PCM in 4 KiB pieces, as
a distant server would. Each run synthesises a new question twice with a fresh cache folder:
the first speaking downloads it (and fills the cache), the second is served from the cache.
Also prints how soon the first chunk is ready against the whole download, which is what
streaming playback saves. Prints medians of one run and their ratios; never passes or fails.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from openai_stub import OpenAIStub, streamed_pcm_reply  # noqa: E402  (the tests' stub, on sys.path above)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from pydantic import SecretStr

    from preppath.providers.openai_client import make_client
    from preppath.providers.openai_speech import PCM_SAMPLE_RATE, OpenAITextToSpeech
    from preppath.settings import Settings

    pcm = bytes(2 * 2 * PCM_SAMPLE_RATE)  # 2 s of audio
    first_ms, second_ms, first_chunk_ms = [], [], []
    with OpenAIStub(latency_s=args.latency_ms / 1000) as stub, tempfile.TemporaryDirectory() as tmp:
        stub.script("/v1/audio/speech", streamed_pcm_reply(pcm, 0.002))
        settings = Settings(openai_api_key=SecretStr("sk-bench"), openai_base_url=stub.base_url)
        client = make_client(settings)
        for run in range(args.runs):
            tts = OpenAITextToSpeech(client, "tts-1", "alloy", cache_dir=Path(tmp) / str(run))
            text = f"Question {run}: how would you design a rate limiter?"
            start = time.perf_counter()
            chunks = tts.pcm_chunks(text)
            next(chunks)
            first_chunk_ms.append((time.perf_counter() - start) * 1000)
            for _ in chunks:
                pass
            first_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            tts.synthesize(text)
            second_ms.append((time.perf_counter() - start) * 1000)
        requests = len(stub.requests)

    first, second, chunk = (statistics.median(v) for v in (first_ms, second_ms, first_chunk_ms))
    print(f"speech cache, stub latency {args.latency_ms:.0f} ms, {args.runs} runs, 2 s of audio")
    print(f"{'':<36} {'median ms':>10} {'x first':>9}")
    print(f"{'first speaking (download)':<36} {first:>10.1f} {1.0:>9.2f}")
    print(f"{'  of which until the first chunk':<36} {chunk:>10.1f} {chunk / first:>9.2f}")
    print(f"{'second speaking (cache)':<36} {second:>10.2f} {second / first:>9.4f}")
    print(f"requests sent: {requests} for {2 * args.runs} speakings")


if __name__ == "__main__":
    main()
