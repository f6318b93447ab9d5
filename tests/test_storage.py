"""The recording store seam: keys relative to the data folder (old absolute paths migrated),
private files, and no file of a deleted interview surviving into a new one."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import START, Clock, Runner, cli_create, db_rows
from preppath.db import migrations
from preppath.storage.base import check_key
from preppath.storage.local import LocalRecordingStore

if TYPE_CHECKING:
    from s3_server import S3


def test_migration_makes_recording_paths_relative_and_fills_global_ids(tmp_path: Path) -> None:
    """A version-5 database whose recording row names an absolute path is upgraded to the
    key recordings/<interview>/<file>, and its existing rows get distinct UUIDs."""
    path = tmp_path / "v5.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        migrations.apply(db, 0, 5)
        db.executescript(
            """
            INSERT INTO profile (id, name, created_at) VALUES (1, 'default', '2026-01-01');
            INSERT INTO interview (id, profile_id, type, role, level, stack, status,
                question_count, provider, created_at)
                VALUES (7, 1, 'technical', 'r', 'mid', '[]', 'completed', 1, 'offline',
                '2026-01-01');
            INSERT INTO interview_question (id, interview_id, position, type, difficulty, text,
                expected_answer, key_points, weights, tags, stack, source, status)
                VALUES (3, 7, 1, 'technical', 'easy', 't', 'e', '[]', '{}', '[]', '[]',
                'bank', 'answered');
            INSERT INTO interview_recording (question_id, path, format, duration_s,
                size_bytes, sha256, created_at)
                VALUES (3, '/home/someone/.local/share/preppath/recordings/7/q1-x.wav',
                'wav', 1.0, 1, 'ab', '2026-01-01');
            """
        )
        migrations.apply(db, 5)
        assert db.execute("SELECT path FROM interview_recording").fetchall() == [
            ("recordings/7/q1-x.wav",)
        ]
        ids = [
            g
            for t in ("profile", "interview", "interview_question", "interview_recording")
            for (g,) in db.execute(f"SELECT global_id FROM {t}")
        ]
        assert len(set(ids)) == 4 and all(len(g) == 36 for g in ids)


def test_store_keys_cannot_leave_the_store(tmp_path: Path) -> None:
    """Absolute keys, '..' and backslashes are refused before any file is touched."""
    store = LocalRecordingStore(tmp_path)
    for bad in ("/etc/passwd", "../x", "recordings/../../x", "a\\b", "", "a//b"):
        with pytest.raises(ValueError):
            store.path(bad)
    check_key("recordings/1/q1.wav")


def test_local_store_put_open_delete(tmp_path: Path) -> None:
    """put moves the file into a private folder, open reads it back, delete removes it and
    the emptied folder, and a second delete reports there was nothing."""
    store = LocalRecordingStore(tmp_path / "data")
    source = tmp_path / "in.wav"
    source.write_bytes(b"voice")
    store.put(source, "recordings/4/q1.wav")
    assert not source.exists()
    with store.open("recordings/4/q1.wav") as f:
        assert f.read() == b"voice"
    assert stat.S_IMODE(store.path("recordings/4").stat().st_mode) == 0o700
    assert store.share_url("recordings/4/q1.wav", 60).startswith("file://")
    assert store.delete("recordings/4/q1.wav") and not store.delete("recordings/4/q1.wav")
    assert not store.path("recordings/4").exists()


def test_deleted_interview_id_is_never_reused_and_its_files_never_surface(
    run: Runner, home: Path
) -> None:
    """An interview deleted with its recording, plus a stray file left in its folder by a
    killed process: the next interview gets a new ID and an empty folder, and the stray file
    is swept away."""
    from preppath.services.context import open_app
    from preppath.settings import load_settings
    from test_sync import Machine, interview_with_recording

    m = Machine(home, open_app(load_settings()), Clock(START))
    first = interview_with_recording(m, b"old voice" * 10)
    (key,) = db_rows(home, "SELECT path FROM interview_recording")[0]
    assert key.startswith(f"recordings/{first}/")
    assert run("interview", "delete", str(first), "--yes").code == 0
    stray = home / "data" / "recordings" / str(first) / "q1-left-by-a-kill.wav"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"interrupted")
    second = cli_create(run, count=1)["id"]
    assert second > first
    assert not stray.exists()
    folder = home / "data" / "recordings" / str(second)
    assert not folder.exists() or not any(folder.iterdir())
    voice = b"new voice" * 10
    from test_sync import record_answer

    record_answer(m, second, 1, voice)
    rows = db_rows(home, "SELECT path, sha256 FROM interview_recording")
    assert [(Path(k).parent.name, s) for k, s in rows] == [
        (str(second), hashlib.sha256(voice).hexdigest())
    ]


def test_s3_store_puts_opens_verifies_and_shares(
    s3_server: S3, bucket: str, tmp_path: Path
) -> None:
    """The S3 recording store keeps blobs by content: put, open (checked against the sha256
    in its key), a presigned link, delete; a blob whose bytes changed is refused on open."""
    import urllib.request

    from preppath.storage.s3 import CorruptObject, S3RecordingStore, connect

    remote = connect(
        bucket=bucket, prefix="p", endpoint_url=s3_server.endpoint, region="us-east-1",
        profile="default", transfers=2,
    )  # fmt: skip
    store = S3RecordingStore(remote)
    data = b"voice bytes" * 100
    sha = hashlib.sha256(data).hexdigest()
    source = tmp_path / "r.wav"
    source.write_bytes(data)
    store.put(source, f"blobs/{sha}")
    with store.open(f"blobs/{sha}") as f:
        assert f.read() == data
    with urllib.request.urlopen(store.share_url(f"blobs/{sha}", 60), timeout=30) as reply:
        assert reply.read() == data
    s3_server.client().put_object(Bucket=bucket, Key=f"p/profiles/default/blobs/{sha}", Body=b"x")
    with pytest.raises(CorruptObject):
        store.open(f"blobs/{sha}")
    assert store.delete(f"blobs/{sha}")
    with pytest.raises(ValueError):
        store.share_url("../escape", 60)
