"""Sync and share failures: one line, a documented exit code, nothing local lost; a push
killed half way resumes without sending again what arrived; share links work over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import Runner, cli_create, db_rows, subprocess_env

if TYPE_CHECKING:
    from s3_server import S3


def one_line_error(result: object, code: int) -> str:
    assert getattr(result, "code") == code, getattr(result, "stderr")  # noqa: B009
    err = str(getattr(result, "stderr"))  # noqa: B009
    assert err.startswith("preppath: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_no_bucket_set_is_a_usage_error(run: Runner) -> None:
    """Without s3_bucket, every sync command says how to set it and exits 2."""
    for args in (("sync", "push"), ("sync", "pull"), ("sync", "status")):
        assert "s3_bucket" in one_line_error(run(*args), 2)


def test_without_boto3_sync_says_which_extra_to_install(
    run: Runner, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the s3 extra installed, sync names it in one line (exit 6), no traceback."""
    monkeypatch.setitem(sys.modules, "boto3", None)  # what an install without [s3] sees
    assert "preppath[s3]" in one_line_error(run("sync", "status"), 6)


def test_missing_bucket_is_one_line_and_keeps_local_data(
    run: Runner, home: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bucket that does not exist: exit 6, named in the message; the interview stays."""
    cli_create(run, count=1)
    monkeypatch.setenv("PREPPATH_S3_BUCKET", "no-such-bucket-here")
    err = one_line_error(run("sync", "push"), 6)
    assert "no-such-bucket-here" in err and "does not exist" in err
    assert db_rows(home, "SELECT count(*) FROM interview") == [(1,)]


def test_unreachable_endpoint_is_one_line(
    run: Runner, home: Path, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An endpoint where nothing listens (no network): exit 6, nothing local lost."""
    cli_create(run, count=1)
    monkeypatch.setenv("PREPPATH_S3_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    assert "cannot reach" in one_line_error(run("sync", "pull"), 6)
    assert db_rows(home, "SELECT count(*) FROM interview") == [(1,)]


def test_wrong_credentials_are_one_line_and_never_printed(
    run: Runner, s3_server: S3, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the server checking signatures, an unknown key is refused: exit 6, and neither
    the key ID nor the secret appears in the message."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-value-42")
    s3_server.require_signed_requests(True)
    try:
        result = run("sync", "push")
    finally:
        s3_server.require_signed_requests(False)
    err = one_line_error(result, 6)
    assert "credentials" in err
    assert "AKIAWRONG" not in err + result.stdout and "wrong-secret" not in err + result.stdout


def test_share_link_is_fetched_over_http(
    run: Runner, home: Path, bucket: str, tmp_path: Path
) -> None:
    """`interview share ID` prints a presigned link that returns the HTML report over plain
    HTTP; --audio adds a link to each recording, which returns its bytes."""
    from preppath.services.context import open_app
    from preppath.settings import load_settings

    created = cli_create(run, count=1, role="Platform Engineer")
    ctx = open_app(load_settings())
    from conftest import START, Clock
    from test_sync import Machine, record_answer

    voice = b"RIFF-pretend-voice" * 64
    record_answer(Machine(home, ctx, Clock(START)), created["id"], 1, voice)
    result = run("interview", "share", str(created["id"]), "--audio", "--json")
    assert result.code == 0, result.stderr
    links = result.json()["links"]
    assert [link["what"] for link in links] == ["report", "question 1 recording"]
    with urllib.request.urlopen(links[0]["url"], timeout=30) as reply:
        page = reply.read().decode()
        assert reply.headers["Content-Type"].startswith("text/html")
    assert "Platform Engineer" in page
    with urllib.request.urlopen(links[1]["url"], timeout=30) as reply:
        assert reply.read() == voice
    assert "X-Amz-Expires=604800" in links[0]["url"]  # 7 days by default


def test_share_expiry_is_capped_at_seven_days(run: Runner, bucket: str) -> None:
    """--expires shorter than 7 days is honoured; longer, or nonsense, is a usage error
    before anything is uploaded."""
    created = cli_create(run, count=1)
    short = run("interview", "share", str(created["id"]), "--expires", "2h", "--json")
    assert short.code == 0, short.stderr
    assert "X-Amz-Expires=7200" in short.json()["links"][0]["url"]
    assert "7 days" in one_line_error(
        run("interview", "share", str(created["id"]), "--expires", "8d"), 2
    )
    one_line_error(run("interview", "share", str(created["id"]), "--expires", "soon"), 2)
    one_line_error(run("interview", "share", "999"), 3)


def test_push_killed_half_way_resumes_without_resending(
    home: Path, s3_server: S3, bucket: str, tmp_path: Path
) -> None:
    """`sync push` killed with SIGKILL while uploading recordings leaves no manifest; the
    next push sends only the recordings the bucket lacks and completes."""
    from conftest import START, Clock
    from preppath.services.context import open_app
    from preppath.settings import load_settings
    from test_sync import Machine, interview_with_recording, record_answer

    m = Machine(home, open_app(load_settings()), Clock(START))
    count = 40
    interview = interview_with_recording(m, b"0" * 200_000)
    for n in range(1, count):
        record_answer(m, interview, 1, n.to_bytes(4, "big") * 50_000)
    env = subprocess_env(home, PREPPATH_S3_TRANSFERS="1")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    env.update(PREPPATH_S3_BUCKET=bucket, PREPPATH_S3_ENDPOINT_URL=s3_server.endpoint)
    proc = subprocess.Popen(
        [sys.executable, "-m", "preppath", "sync", "push", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    client = s3_server.client()

    def keys() -> list[str]:
        return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]

    deadline = time.monotonic() + 120  # a guard against hanging, not a measurement
    while proc.poll() is None and not any("/blobs/" in k for k in keys()):
        assert time.monotonic() < deadline, "the push never started uploading"
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    arrived = [k for k in keys() if "/blobs/" in k]
    assert proc.returncode == -signal.SIGKILL, "the push finished before it could be killed"
    assert not any(k.endswith("manifest.json") for k in keys())
    assert 0 < len(arrived) < count

    resumed = subprocess.run(
        [sys.executable, "-m", "preppath", "sync", "push", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr == ""  # no progress bar, warning or log line when not on a terminal
    report = json.loads(resumed.stdout)
    assert report["uploads"] == count - len(arrived)
    assert report["manifest_written"]
    blobs = {k.rsplit("/", 1)[-1] for k in keys() if "/blobs/" in k}
    shas = {sha for (sha,) in db_rows(home, "SELECT sha256 FROM interview_recording")}
    assert blobs == shas
    for sha in list(shas)[:3]:
        body = client.get_object(Bucket=bucket, Key=f"preppath/profiles/default/blobs/{sha}")
        assert hashlib.sha256(body["Body"].read()).hexdigest() == sha


def test_progress_bar_shows_on_a_terminal_only(home: Path, s3_server: S3, bucket: str) -> None:
    """On a terminal, a push that uploads recordings draws a progress bar (on standard
    error); the same push piped prints none (checked in the resume test above)."""
    import pexpect

    from conftest import START, Clock
    from preppath.services.context import open_app
    from preppath.settings import load_settings
    from test_sync import Machine, interview_with_recording

    interview_with_recording(Machine(home, open_app(load_settings()), Clock(START)), b"v" * 4000)
    env = subprocess_env(home, TERM="xterm-256color")
    env.pop("COLUMNS")
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_")})
    env.update(PREPPATH_S3_BUCKET=bucket, PREPPATH_S3_ENDPOINT_URL=s3_server.endpoint)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "preppath", "sync", "push"],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect("pushing recordings")
    child.expect(r"1\s+recording\s+uploaded")  # the summary may wrap on the terminal
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
