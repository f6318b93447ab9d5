"""Voice benchmark: prints a table of measurements, never a pass/fail.

    python bench/bench_voice.py            # everything (about 2 minutes: the 60-s answer is paced)
    python bench/bench_voice.py --quick    # 60-s answer fed 4x faster than real time

Measures: transcription real-time factor; WER on the shared human clips with and without
vocabulary biasing; time from the end of a 60-s answer to its transcript (streaming path);
time to first audio of a spoken question (to the first PCM chunk, and to the first samples handed
to an ALSA fake device); RSS growth while recording 30 minutes through that fake device.
The fake-device parts run in a child process whose HOME holds the fake ALSA configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
HUMAN = ROOT.parent / "shared" / "audio" / "human"
ASOUNDRC = ROOT / "tests" / "fixtures" / "alsa" / "asoundrc.template"
sys.path.insert(0, str(ROOT / "src"))

QUESTION = (
    "Tell me about a time you disagreed with a teammate about a technical decision. "
    "What was your role, what did you do, and what was the result?"
)  # 29 words
PASSAGE_TERMS = ("Dashwood", "prudently", "disposed", "amiable", "respectable", "leisure")
UNRELATED_TERMS = ("database", "cache latency", "throughput", "partition", "deadlock", "kubernetes")

Row = tuple[str, str, str]


def clips() -> list[tuple[Path, str, np.ndarray[Any, np.dtype[np.int16]]]]:
    out = []
    for wav in sorted(HUMAN.glob("*.wav")):
        samples, _ = sf.read(str(wav), dtype="int16")
        out.append((wav, wav.with_suffix(".txt").read_text().strip(), samples))
    return out


def sixty_seconds() -> np.ndarray[Any, np.dtype[np.int16]]:
    """The Austen clips with 0.6 s pauses between them, looped to exactly 60 s."""
    gap = np.zeros(int(0.6 * 16000), np.int16)
    one = np.concatenate([p for w, _, s in clips() if "austen" in w.name for p in (s, gap)])
    return np.resize(one, 60 * 16000).astype(np.int16)


def bench_transcription() -> list[Row]:
    from preppath.voice.stt import StreamingTranscriber, preload, transcribe_pcm
    from preppath.voice.wer import corpus_wer

    rows: list[Row] = []
    t = time.perf_counter()
    preload()
    rows.append(("recogniser load", f"{time.perf_counter() - t:.2f} s", "Decoder() + en-us model"))
    data = clips()
    austen = [(r, s) for w, r, s in data if "austen" in w.name]
    audio_s = sum(len(s) for _, s in austen) / 16000

    wall, cpu = time.perf_counter(), time.process_time()
    plain = [(r, transcribe_pcm(s).text) for r, s in austen]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows.append(
        ("RTF, files", f"{wall / audio_s:.3f}", f"CPU {cpu / audio_s:.3f}; {audio_s:.1f} s")
    )

    wall = time.perf_counter()
    for _, s in austen:
        with StreamingTranscriber() as live:
            for i in range(0, len(s), 1600):
                live.feed(s[i : i + 1600])
            live.finish()
    rows.append(("RTF, streaming", f"{(time.perf_counter() - wall) / audio_s:.3f}", "0.1 s blocks"))

    gf = next(s for w, _, s in data if w.name == "goforward.wav")
    rows.append(
        ("goforward.wav", repr(transcribe_pcm(gf).text), "reference 'go forward ten meters'")
    )
    rows.append(("WER, no vocabulary", f"{corpus_wer(plain):.3f}", "5 Austen clips, 71 words"))
    from pocketsphinx import Decoder

    dec, pairs = Decoder(loglevel="FATAL"), []
    for r, s in austen:
        dec.start_utt()
        dec.process_raw(s.tobytes(), full_utt=True)
        dec.end_utt()
        pairs.append((r, dec.hyp().hypstr if dec.hyp() else ""))
    rows.append(
        ("  pocketsphinx defaults", f"{corpus_wer(pairs):.3f}", "two-pass search, for comparison")
    )
    for label, terms in (("passage terms", PASSAGE_TERMS), ("unrelated terms", UNRELATED_TERMS)):
        pairs = [(r, transcribe_pcm(s, vocabulary=terms).text) for r, s in austen]
        rows.append((f"WER, biased: {label}", f"{corpus_wer(pairs):.3f}", ", ".join(terms)))
    return rows


def _feed_paced(samples: np.ndarray[Any, Any], speed: float) -> tuple[float, str]:
    from preppath.voice.stt import StreamingTranscriber

    block = 1600
    with StreamingTranscriber() as live:
        start = time.perf_counter()
        for n, i in enumerate(range(0, len(samples), block)):
            if speed > 0:  # wait until this block would have been captured
                delay = start + n * block / 16000 / speed - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            live.feed(samples[i : i + block])
        t = time.perf_counter()
        text = live.finish().text
        return time.perf_counter() - t, text


def bench_end_latency(speed: float) -> list[Row]:
    from pocketsphinx import Decoder

    audio = sixty_seconds()
    rows: list[Row] = []
    latency, text = _feed_paced(audio, speed)
    pace = "real time" if speed == 1 else f"{speed:g}x real time"
    rows.append(
        (
            "60-s answer: stop -> transcript",
            f"{latency:.3f} s",
            f"fed at {pace}; {len(text.split())} words",
        )
    )
    latency, _ = _feed_paced(audio, 0)
    rows.append(("  same, fed all at once", f"{latency:.2f} s", "worst case: whole backlog"))
    # For comparison: pocketsphinx defaults, the whole answer as one utterance.
    dec = Decoder(loglevel="FATAL")
    dec.start_utt()
    for i in range(0, len(audio), 1600):
        dec.process_raw(audio[i : i + 1600].tobytes())
    t = time.perf_counter()
    dec.end_utt()
    rows.append(
        (
            "  defaults, one utterance",
            f"{time.perf_counter() - t:.2f} s",
            "end_utt with fwdflat+bestpath",
        )
    )
    return rows


def bench_tts() -> list[Row]:
    from preppath.voice.tts import EspeakTTS

    tts = EspeakTTS()
    tts.synthesize("warm up")
    firsts, totals = [], []
    for _ in range(20):
        got: list[float] = []

        def first(_chunk: bytes, got: list[float] = got) -> None:
            if not got:
                got.append(time.perf_counter())

        start = time.perf_counter()
        tts.stream(QUESTION, first)
        totals.append(time.perf_counter() - start)
        firsts.append(got[0] - start)
    speech = tts.synthesize(QUESTION)
    return [
        (
            "TTS: start -> first PCM chunk",
            f"{statistics.median(firsts) * 1000:.2f} ms",
            "median of 20",
        ),
        (
            "TTS: whole 29-word question",
            f"{statistics.median(totals) * 1000:.1f} ms",
            f"{speech.duration_s:.1f} s of speech",
        ),
    ]


def child_device(work: Path) -> dict[str, Any]:
    """Runs inside the fake-ALSA HOME: time to first audio, then a 30-minute recording."""
    import resource

    from preppath.voice.playback import speak
    from preppath.voice.recorder import RecordingProgress, record_answer
    from preppath.voice.tts import EspeakTTS

    tts = EspeakTTS()
    speak("warm up", tts=tts)
    firsts = [speak(QUESTION, tts=tts) for _ in range(5)]

    def rss_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    samples: list[tuple[float, float]] = []

    def on_progress(p: RecordingProgress) -> None:
        if not samples or p.elapsed_s - samples[-1][0] >= 60:
            samples.append((p.elapsed_s, rss_mb()))

    start = time.perf_counter()
    result = record_answer(
        work / "long.wav", max_seconds=1800, silence_stop_s=None, on_progress=on_progress
    )
    wall = time.perf_counter() - start
    samples.append((result.duration_s, rss_mb()))
    return {
        "first_chunk_ms": statistics.median(f.first_chunk_s for f in firsts) * 1000,
        "first_audio_ms": statistics.median(f.first_audio_s or 0 for f in firsts) * 1000,
        "frames": result.frames,
        "stop_reason": result.stop_reason,
        "dropped": result.dropped_blocks,
        "size_mb": result.size_bytes / 2**20,
        "wall_s": wall,
        "rss": samples,
    }


def bench_device() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="preppath-bench-") as tmp:
        work = Path(tmp)
        # 30 minutes of the shared speech, looped without gaps so silence never stops it.
        speech = np.concatenate([s for w, _, s in clips() if "austen" in w.name])
        np.resize(speech, 1800 * 16000 + 16000).astype("<i2").tofile(work / "mic.raw")
        text = ASOUNDRC.read_text()
        for key, value in {
            "@MIC@": work / "mic.raw",
            "@MIC_ECHO@": "/dev/null",
            "@SPEAKER@": work / "speaker.raw",
            "@SPEAKER_RATE@": 22050,
        }.items():
            text = text.replace(key, str(value))
        (work / ".asoundrc").write_text(text)
        env = dict(os.environ, HOME=str(work), PYTHONPATH=str(ROOT / "src"))
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(work)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            return [("fake device", "n/a", proc.stderr.strip().splitlines()[-1][:80])]
        r = json.loads(proc.stdout)
    rss = r["rss"]
    first_mb, peak_mb, last_mb = rss[0][1], max(m for _, m in rss), rss[-1][1]
    return [
        (
            "speak(): start -> first PCM chunk",
            f"{r['first_chunk_ms']:.2f} ms",
            "fake device, median of 5",
        ),
        (
            "speak(): start -> samples at device",
            f"{r['first_audio_ms']:.1f} ms",
            "first PortAudio callback",
        ),
        (
            "30-min recording: frames",
            f"{r['frames']:,}",
            f"{r['stop_reason']}; {r['dropped']} dropped; "
            f"{r['size_mb']:.1f} MB WAV in {r['wall_s']:.1f} s",
        ),
        (
            "30-min recording: RSS",
            f"+{last_mb - first_mb:.1f} MB",
            f"{first_mb:.1f} MB at 0:00, peak {peak_mb:.1f}, {last_mb:.1f} at 30:00 "
            f"(sampled every minute of audio)",
        ),
    ]


def print_table(rows: list[Row]) -> None:
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    print(f"{'measurement':<{w0}}  {'value':>{w1}}  notes")
    print(f"{'-' * w0}  {'-' * w1}  {'-' * 5}")
    for name, value, note in rows:
        print(f"{name:<{w0}}  {value:>{w1}}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="feed the 60-s answer at 4x speed")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_device(args.child)))
        return
    if not HUMAN.is_dir():
        sys.exit(f"shared recordings not found at {HUMAN}")
    rows = bench_transcription()
    rows += bench_end_latency(4.0 if args.quick else 1.0)
    rows += bench_tts()
    rows += bench_device()
    print_table(rows)


if __name__ == "__main__":
    main()
