"""Voice benchmark: prints a table of measurements, never a pass/fail.

    python bench/bench_voice.py            # everything (about 10 minutes: four paced 60-s answers)
    python bench/bench_voice.py --quick    # 60-s answers fed 4x faster (too fast to keep up)
    python bench/bench_voice.py --loo      # only the choice of decoder settings (about 3 minutes)

Measures: a leave-one-out choice of pocketsphinx settings over the six shared human clips
(candidates: search settings x vocabulary biasing; rule: pocketsphinx's defaults unless a change
wins on every clip, biasing only if it helps on every clip); transcription real-time factor;
WER on the shared human clips with and without vocabulary biasing; time from the end of a 60-s
answer (the clips looped, with 0.6-s pauses or none) to its transcript, old and new settings,
streaming path, with the CPU real-time factor; time to first audio of a spoken question (to the
first PCM chunk, and to the first samples handed to an ALSA fake device); RSS growth while
recording 30 minutes through that fake device.
The fake-device parts run in a child process whose HOME holds the fake ALSA configuration.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
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

# Leave-one-out candidates: pocketsphinx search settings x vocabulary given to the recogniser.
SEARCH: dict[str, dict[str, Any]] = {
    "defaults": {},
    "single pass": {"fwdflat": False, "bestpath": False},
    "defaults+hmm3000": {"maxhmmpf": 3000},
    "single+hmm3000": {"fwdflat": False, "bestpath": False, "maxhmmpf": 3000},
}
OLD_SEARCH = "single+hmm3000"  # PrepPath's setting before this measurement, biasing on
VOCABS = ("none", "rare", "question")  # nothing; the clip's rare words; a bank question's words
RARE_LOG10 = -5.0  # "rare": the language model's unigram probability is below 1e-5
QUESTION_ID = "behavioral-conflict-peer"  # its words are unrelated to every clip


def clips() -> list[tuple[Path, str, np.ndarray[Any, np.dtype[np.int16]]]]:
    out = []
    for wav in sorted(HUMAN.glob("*.wav")):
        samples, _ = sf.read(str(wav), dtype="int16")
        out.append((wav, wav.with_suffix(".txt").read_text().strip(), samples))
    return out


def speech_only(samples: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.int16]]:
    """What the endpointer keeps of a clip: its speech without the leading and trailing silence."""
    from pocketsphinx import Endpointer, Vad

    ep = Endpointer(vad_mode=Vad.LOOSE)
    n = ep.frame_bytes // 2
    kept = [ep.process(samples[i : i + n].tobytes()) for i in range(0, len(samples) - n + 1, n)]
    kept.append(ep.end_stream(bytes(ep.frame_bytes)))
    return np.frombuffer(b"".join(k for k in kept if k), np.int16)


def sixty_seconds(pauses: bool = True) -> np.ndarray[Any, np.dtype[np.int16]]:
    """A 60-s answer from the six human clips, looped: 0.6 s pauses between clips, or none at all
    (each clip cut to its speech, so the endpointer never closes an utterance)."""
    gap = np.zeros(int(0.6 * 16000), np.int16)
    parts = [p for _, _, s in clips() for p in ((s, gap) if pauses else (speech_only(s),))]
    return np.resize(np.concatenate(parts), 60 * 16000).astype(np.int16)


@contextlib.contextmanager
def decoder_options(options: Mapping[str, Any]) -> Iterator[None]:
    """Run the project's recogniser with other pocketsphinx search options (cached per set)."""
    from preppath.voice import stt

    saved = stt.DECODER_OPTIONS
    stt.DECODER_OPTIONS = dict(options)
    try:
        yield
    finally:
        stt.DECODER_OPTIONS = saved


def rare_words(reference: str) -> tuple[str, ...]:
    """The reference's words the bundled language model finds unlikely (unigram p < 1e-5)."""
    from pocketsphinx import Decoder

    dec = Decoder(loglevel="FATAL")
    lm, logmath = dec.get_lm(), dec.logmath
    return tuple(
        w
        for w in dict.fromkeys(reference.split())
        if logmath.log_to_log10(lm.prob([w])) < RARE_LOG10
    )


def question_vocabulary() -> tuple[str, ...]:
    """What a live session would bias toward for one bank question (as cli/voice_session.py)."""
    from preppath.bank.loader import load_bank

    q = load_bank().by_id()[QUESTION_ID]
    return (q.text, q.expected_answer, *(k.point for k in q.key_points))


LooKey = tuple[str, str, str]  # (search, vocabulary, "file" | "live")


def loo_results() -> dict[LooKey, list[tuple[str, str]]]:
    """(reference, hypothesis) per clip for every candidate, decoded as a file and as live audio.

    "file": the clip as one utterance with batch CMN (`transcribe_pcm`). "live": the streaming
    path of a second answer (cut at pauses, every utterance decoded incrementally, live CMN
    starting from the previous clip's, as from the previous answer on the same microphone).
    """
    from preppath.voice.stt import _Recognizer, _Utterances, vocabulary_words

    data = clips()
    question = vocabulary_words(question_vocabulary())
    # A decoder that has once been fed incrementally decodes whole utterances differently
    # afterwards (its batch CMN is gone), so files and live audio each get their own.
    plain = _Recognizer((), {})
    warm = []
    for _, _, samples in data:
        plain.decode_whole(samples.tobytes())
        warm.append(str(plain.decoder.get_cmn(False)))
    warm = warm[-1:] + warm[:-1]  # clip i starts from clip i-1's mean
    out: dict[LooKey, list[tuple[str, str]]] = {}
    for search, options in SEARCH.items():
        for vocab in VOCABS:
            words = question if vocab == "question" else ()
            file_rec, live_rec = _Recognizer(words, options), _Recognizer(words, options)
            files, lives = [], []
            for (_, ref, samples), cmn in zip(data, warm, strict=True):
                if vocab == "rare":
                    words = vocabulary_words(rare_words(ref))
                    file_rec, live_rec = _Recognizer(words, options), _Recognizer(words, options)
                pcm = samples.tobytes()
                files.append((ref, " ".join(w.word for w in file_rec.decode_whole(pcm))))
                live_rec.decoder.set_cmn(cmn)
                utts = _Utterances(live_rec, whole=False)
                utts.push(pcm)
                lives.append((ref, " ".join(w.word for w in utts.close())))
            out[(search, vocab, "file")] = files
            out[(search, vocab, "live")] = lives
    return out


def loo_report(results: dict[LooKey, list[tuple[str, str]]]) -> list[str]:
    """Per-clip WER of every candidate, the leave-one-out choice, and the decision rule."""
    from preppath.voice.wer import corpus_wer, edit_distance, normalise

    names = [w.stem.removeprefix("austen-") for w, _, _ in clips()]
    n = len(names)

    def errs(key: LooKey) -> list[tuple[int, int]]:
        return [
            (edit_distance(normalise(r), normalise(h)), len(normalise(r))) for r, h in results[key]
        ]

    def wer(key: LooKey, only: list[int]) -> float:
        e = errs(key)
        return sum(e[i][0] for i in only) / max(1, sum(e[i][1] for i in only))

    lines: list[str] = []
    cands = [(s, v) for s in SEARCH for v in VOCABS]
    for mode in ("file", "live"):
        head = f"{'candidate (' + mode + ')':<27}" + "".join(f"{c:>7}" for c in names)
        lines += ["", head + f"{'all':>7}  beats defaults on every clip?", "-" * (len(head) + 38)]
        base = errs(("defaults", "none", mode))
        for s, v in cands:
            e = errs((s, v, mode))
            every = all(a[0] < b[0] for a, b in zip(e, base, strict=True))
            cells = "".join(f"{x / w:>7.3f}" for x, w in e)
            all_wer = corpus_wer(results[(s, v, mode)])
            flag = "" if (s, v) == ("defaults", "none") else ("yes" if every else "no")
            lines.append(f"{s + ' / ' + v:<27}{cells}{all_wer:>7.3f}  {flag}")
        lines += [
            "",
            f"leave-one-out ({mode}): chosen on the other {n - 1}, scored on the held-out clip",
        ]
        lines.append(f"{'held out':<10}{'chosen':<28}{'its WER':>8}{'defaults':>9}{'old':>7}")
        for i, name in enumerate(names):
            rest = [j for j in range(n) if j != i]
            # Ties go to the earlier candidate: defaults first, no vocabulary before biasing.
            best = min(cands, key=lambda c: wer((c[0], c[1], mode), rest))
            default, old = ("defaults", "none", mode), (OLD_SEARCH, "rare", mode)
            lines.append(
                f"{name:<10}{best[0] + ' / ' + best[1]:<28}{wer((*best, mode), [i]):>8.3f}"
                f"{wer(default, [i]):>9.3f}{wer(old, [i]):>7.3f}"
            )

    # The rule: pocketsphinx's defaults unless a change wins on every clip, in both modes; then
    # biasing stays only if the clip's rare words lower WER on every clip.
    modes = ("file", "live")

    def beats(a: tuple[str, str], b: tuple[str, str]) -> list[bool]:
        return [
            x[0] < y[0] for m in modes for x, y in zip(errs((*a, m)), errs((*b, m)), strict=True)
        ]

    winners = [
        s for s in SEARCH if s != "defaults" and all(beats((s, "none"), ("defaults", "none")))
    ]
    search = winners[0] if winners else "defaults"
    helps = beats((search, "rare"), (search, "none"))
    hurts = beats((search, "none"), (search, "question"))
    bias = all(helps) and not any(hurts)
    lines += [
        "",
        f"decision: search = {search} "
        f"({'wins' if winners else 'no change wins'} on every clip in both modes); "
        f"vocabulary biasing {'on' if bias else 'off'}: rare words helped on "
        f"{sum(helps)} of {len(helps)} clip decodes, a bank question's words hurt on {sum(hurts)}",
    ]
    new_key = (search, "rare" if bias else "none")
    lines += ["", "per clip, old vs new (the clip's rare words given as vocabulary)"]
    lines.append(f"{'setting':<34}" + "".join(f"{c:>10}" for c in names) + f"{'all':>7}")
    for m in modes:
        for label, key in (
            (f"old: {OLD_SEARCH}, biased", (OLD_SEARCH, "rare", m)),
            (f"new: {new_key[0]}, {'biased' if bias else 'no biasing'}", (*new_key, m)),
        ):
            cells = "".join(f"{x / w:>10.3f}" for x, w in errs(key))
            lines.append(f"{label + ' (' + m + ')':<34}{cells}{corpus_wer(results[key]):>7.3f}")
    return lines


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
    with decoder_options(SEARCH[OLD_SEARCH]):
        pairs = [(r, transcribe_pcm(s).text) for r, s in austen]
    rows.append(
        ("  old single-pass search", f"{corpus_wer(pairs):.3f}", "fwdflat/bestpath off, maxhmmpf")
    )
    for label, terms in (("passage terms", PASSAGE_TERMS), ("unrelated terms", UNRELATED_TERMS)):
        pairs = [(r, transcribe_pcm(s, vocabulary=terms, bias=True).text) for r, s in austen]
        rows.append((f"WER, bias=True: {label}", f"{corpus_wer(pairs):.3f}", ", ".join(terms)))
    return rows


def _feed_paced(samples: np.ndarray[Any, Any], speed: float) -> tuple[float, float, str, int]:
    """Feed 0.1-s blocks as a microphone would; (stop -> transcript s, CPU s, text, utterances)."""
    from preppath.voice.stt import StreamingTranscriber

    block = 1600
    cpu = time.process_time()
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
        latency = time.perf_counter() - t
        return latency, time.process_time() - cpu, text, len(live.utterances)


def bench_end_latency(speed: float) -> list[Row]:
    """Stop -> transcript of a 60-s answer with the old single-pass setting and the new one."""
    from pocketsphinx import Decoder

    from preppath.voice.stt import transcribe_pcm
    from preppath.voice.wer import corpus_wer

    rows: list[Row] = []
    pace = "real time" if speed == 1 else f"{speed:g}x real time"
    warm = clips()[-1][2]  # builds the recognisers and measures the microphone's mean first
    for pauses in (True, False):
        audio = sixty_seconds(pauses)
        kind = "pauses" if pauses else "no pause"
        for label, options in (("old", SEARCH[OLD_SEARCH]), ("new", {})):
            with decoder_options(options):
                _feed_paced(warm, 0)
                latency, cpu, text, n_utts = _feed_paced(audio, speed)
                # Against the same audio decoded as a file (whole 30-s halves): WER drift.
                halves = [audio[: len(audio) // 2], audio[len(audio) // 2 :]]
                as_file = " ".join(transcribe_pcm(h).text for h in halves)
            drift = corpus_wer([(as_file, text)])
            rows.append(
                (
                    f"60-s answer, {kind}: stop -> text, {label}",
                    f"{latency:.3f} s",
                    f"fed at {pace}; RTF (CPU) {cpu / 60:.3f}; {n_utts} utterances; "
                    f"{len(text.split())} words, {drift:.2f} WER vs file decode",
                )
            )
    latency, _, _, _ = _feed_paced(sixty_seconds(), 0)
    rows.append(("  new, fed all at once", f"{latency:.2f} s", "worst case: whole backlog"))
    # For comparison: pocketsphinx defaults, the whole answer as one utterance (no cuts).
    audio = sixty_seconds(False)
    dec = Decoder(loglevel="FATAL")
    dec.start_utt()
    for i in range(0, len(audio), 1600):
        dec.process_raw(audio[i : i + 1600].tobytes())
    t = time.perf_counter()
    dec.end_utt()
    rows.append(
        (
            "  defaults, one 60-s utterance",
            f"{time.perf_counter() - t:.2f} s",
            "end_utt (fwdflat+bestpath) if nothing bounded it",
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
    parser.add_argument(
        "--loo", action="store_true", help="only the leave-one-out choice of decoder settings"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_device(args.child)))
        return
    if not HUMAN.is_dir():
        sys.exit(f"shared recordings not found at {HUMAN}")
    print("\n".join(loo_report(loo_results())))
    print()
    if args.loo:
        return
    rows = bench_transcription()
    rows += bench_end_latency(4.0 if args.quick else 1.0)
    rows += bench_tts()
    rows += bench_device()
    print_table(rows)


if __name__ == "__main__":
    main()
