"""`preppath sync push` of 500 recordings (about 100 MB of synthesised WAVs) to a local S3
server (moto, in this process), then the push that follows with nothing changed, and a pull
of everything into a second, empty home.

Prints wall times, MB/s, bytes sent and received, and the no-change push as a ratio of the
first (the target is under 2 %, with zero bytes sent). Figures, never pass or fail. moto runs
in this process and shares its CPU (and GIL) with the client, so a real bucket's throughput is
set by the network instead.

    .venv/bin/python bench/bench_sync.py [--recordings 500] [--kb 200]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import wave
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def synth_wav(size: int, seed: int) -> bytes:
    """A 16 kHz mono WAV of about `size` bytes: noise seeded per recording, so each differs
    (and nothing compresses or deduplicates it)."""
    body = random.Random(seed).randbytes(size - 44)
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(body)
    return out.getvalue()


def fill(home: Path, count: int, size: int) -> int:
    """One interview whose first question holds `count` recordings, as rows and files."""
    from preppath.domain import ExperienceLevel, InterviewType
    from preppath.services.context import open_app
    from preppath.services.interviews import InterviewOptions, create_interview
    from preppath.settings import load_settings

    os.environ["PREPPATH_HOME"] = str(home)
    ctx = open_app(load_settings())
    view = create_interview(
        ctx,
        InterviewOptions(
            InterviewType.TECHNICAL, "Backend Engineer", ExperienceLevel.MID, ("python",), 1, 7
        ),
    )
    folder = ctx.paths.recordings_dir / str(view.id)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    with closing(sqlite3.connect(ctx.paths.database)) as db, db:
        (qid,) = db.execute(
            "SELECT id FROM interview_question WHERE interview_id = ?", (view.id,)
        ).fetchone()
        for n in range(count):
            data = synth_wav(size, n)
            name = f"q1-bench-{n:04d}.wav"
            (folder / name).write_bytes(data)
            total += len(data)
            db.execute(
                "INSERT INTO interview_recording (question_id, path, format, duration_s,"
                " size_bytes, sha256, created_at) VALUES (?, ?, 'wav', 6.0, ?, ?,"
                " '2026-01-05 12:00:00.000000')",
                (qid, f"recordings/{view.id}/{name}", len(data), hashlib.sha256(data).hexdigest()),
            )
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=500)
    parser.add_argument("--kb", type=int, default=200)
    args = parser.parse_args()

    import boto3
    from moto.server import ThreadedMotoServer

    from preppath.services.context import open_app
    from preppath.services.sync import pull, push
    from preppath.settings import load_settings

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        PREPPATH_S3_BUCKET="bench",
        PREPPATH_S3_ENDPOINT_URL=endpoint,
        PREPPATH_TIMEZONE="UTC",
    )
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="bench")
    with tempfile.TemporaryDirectory() as tmp:
        total = fill(Path(tmp) / "a", args.recordings, args.kb * 1000)
        ctx = open_app(load_settings())
        start = time.perf_counter()
        first = push(ctx)
        first_s = time.perf_counter() - start
        start = time.perf_counter()
        second = push(ctx)
        second_s = time.perf_counter() - start

        # The same unchanged push as a user runs it: a new process, paying Python, PrepPath's
        # start-up, boto3's import and a client of its own.
        start = time.perf_counter()
        cli = subprocess.run(
            [sys.executable, "-m", "preppath", "sync", "push", "--json"],
            env={**os.environ, "PREPPATH_HOME": str(Path(tmp) / "a")},
            capture_output=True,
            text=True,
            check=True,
        )
        cli_s = time.perf_counter() - start
        cli_report = json.loads(cli.stdout)

        os.environ["PREPPATH_HOME"] = str(Path(tmp) / "b")
        other = open_app(load_settings())
        start = time.perf_counter()
        fetched = pull(other)
        pull_s = time.perf_counter() - start
    server.stop()

    mb = total / 1e6
    print(f"\nsync push of {args.recordings} recordings, {mb:.1f} MB, to moto on 127.0.0.1")
    print(f"{'step':<28} {'wall s':>8} {'MB/s':>8} {'sent':>14} {'received':>14}")
    rows = [
        ("first push", first_s, first.bytes_sent, first.bytes_received),
        ("push, nothing changed", second_s, second.bytes_sent, second.bytes_received),
        ("pull into an empty home", pull_s, fetched.bytes_sent, fetched.bytes_received),
    ]
    for name, secs, sent, got in rows:
        moved = max(sent, got) / 1e6
        print(f"{name:<28} {secs:>8.2f} {moved / secs:>8.1f} {sent:>14,} {got:>14,}")
    print(f"no-change push / first push: {second_s / first_s:.2%} (target under 2 %)")
    print(
        f"no-change `preppath sync push` as a new process: {cli_s:.2f} s wall, "
        f"{cli_s / first_s:.1%} of the first push, {cli_report['bytes_sent']} bytes sent, "
        f"{cli_report['bytes_received']} received"
    )
    print(f"uploads {first.uploads}, then {second.uploads}; downloads on pull {fetched.downloads}")


if __name__ == "__main__":
    main()
