"""`preppath sync`: two machines of one profile converge through a real S3 server (moto on
127.0.0.1, real boto3); recordings travel verified; deletes and conflicts behave."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conftest import START, Clock, Runner, db_rows
from preppath.domain import ActivityType, AnswerSource
from preppath.services import recordings, sync_records
from preppath.services.answers import RecordingInfo, answer_question
from preppath.services.context import AppContext, open_app
from preppath.services.progress import streak, track_activity
from preppath.services.sync import pull, push
from preppath.settings import load_settings
from s3_server import S3

if TYPE_CHECKING:
    from s3_server import S3

ANSWER = "The GIL is a lock so that only one thread runs Python bytecode at a time."


@dataclass
class Machine:
    home: Path
    ctx: AppContext
    clock: Clock

    def export(self) -> dict[str, Any]:
        with self.ctx.reader() as db:
            return sync_records.export(db, self.ctx.profile_id)

    def points(self) -> int:
        with self.ctx.reader() as db:
            return int(
                db.execute(
                    "SELECT coalesce(sum(points), 0) FROM daily_activity WHERE profile_id = ?",
                    (self.ctx.profile_id,),
                ).fetchone()[0]
            )


def machine(root: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Machine:
    """One PREPPATH_HOME, opened through the real set-up (database, profile, sweep)."""
    monkeypatch.setenv("PREPPATH_HOME", str(root))
    return Machine(root, open_app(load_settings(), clock=clock), clock)


def interview_with_recording(m: Machine, data: bytes, count: int = 1) -> int:
    from preppath.domain import ExperienceLevel, InterviewType
    from preppath.services.interviews import InterviewOptions, create_interview

    view = create_interview(
        m.ctx,
        InterviewOptions(
            InterviewType.TECHNICAL, "Backend Engineer", ExperienceLevel.MID, ("python",), count, 7
        ),
    )
    record_answer(m, view.id, 1, data)
    return view.id


def record_answer(m: Machine, interview_id: int, position: int, data: bytes) -> None:
    incoming = recordings.new_incoming(m.ctx.paths.recordings_dir, ".wav")
    incoming.write_bytes(data)
    info = RecordingInfo(str(incoming), "wav", 1.0, len(data), hashlib.sha256(data).hexdigest())
    answer_question(
        m.ctx, interview_id, position, ANSWER, source=AnswerSource.VOICE, recording=info
    )


def blob_keys(s3: S3, bucket: str) -> set[str]:
    listing = s3.client().list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def local_recordings(m: Machine) -> dict[str, bytes]:
    with m.ctx.reader() as db:
        rows = db.execute("SELECT sha256, path FROM interview_recording").fetchall()
    return {sha: (m.ctx.paths.data_dir / key).read_bytes() for sha, key in rows}


@pytest.fixture
def two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bucket: str) -> tuple[Machine, Machine]:
    """Two machines of the default profile, a day apart, both pointed at the bucket."""
    a = machine(tmp_path / "a", monkeypatch, Clock(START))
    b = machine(tmp_path / "b", monkeypatch, Clock(START + timedelta(days=1)))
    return a, b


def test_two_machines_converge_with_streak_and_points(two: tuple[Machine, Machine]) -> None:
    """Each machine answers and tracks practice offline on its own day; after push, push,
    pull both hold the same records and recordings, the points add up exactly once, and
    the two days make one two-day streak."""
    a, b = two
    interview_with_recording(a, b"voice of machine A" * 100)
    track_activity(a.ctx, ActivityType.PRACTICE)
    interview_with_recording(b, b"voice of machine B" * 100)
    alone = a.points(), b.points()
    assert streak(b.ctx).longest == 1

    push(a.ctx)
    second = push(b.ctx)
    assert second.records_added > 0 and second.downloads == 1
    back = pull(a.ctx)
    assert back.downloads == 1

    assert a.export() == b.export()
    assert a.points() == b.points() == sum(alone)
    a.clock.now = b.clock.now  # the same today on both
    assert streak(a.ctx).longest == streak(b.ctx).longest == 2
    assert local_recordings(a) == local_recordings(b)
    assert len(local_recordings(a)) == 2
    assert push(a.ctx).up_to_date and push(b.ctx).up_to_date
    for m in (a, b):  # the score rollups rebuilt from the merge count each answer once
        with m.ctx.reader() as db:
            answers = db.execute("SELECT count(*) FROM interview_feedback").fetchone()[0]
            lifetime = db.execute(
                "SELECT answers FROM score_total WHERE dimension = 'all'"
            ).fetchone()[0]
            monthly = db.execute(
                "SELECT sum(answers) FROM score_month WHERE dimension = 'all'"
            ).fetchone()[0]
        assert answers == lifetime == monthly == 2


def test_a_sync_without_changes_transfers_nothing(two: tuple[Machine, Machine]) -> None:
    """Once pushed, a second push and a pull send and receive zero bytes."""
    a, _ = two
    interview_with_recording(a, b"some voice" * 1000)
    first = push(a.ctx)
    assert first.uploads == 1 and first.bytes_sent > 10_000
    again = push(a.ctx)
    assert (again.bytes_sent, again.bytes_received, again.uploads) == (0, 0, 0)
    assert again.up_to_date and not again.manifest_written
    quiet = pull(a.ctx)
    assert (quiet.bytes_sent, quiet.bytes_received) == (0, 0)


def test_answers_to_one_question_on_both_machines_are_all_kept(
    two: tuple[Machine, Machine],
) -> None:
    """The same interview answered on both machines after a sync keeps both answers, with
    attempts numbered by time on both; its start and its completion count once."""
    a, b = two
    interview = interview_with_recording(a, b"first" * 50, count=2)
    push(a.ctx)
    pull(b.ctx)
    (b_id,) = {r[0] for r in db_rows(b.home, "SELECT id FROM interview")}
    record_answer(a, interview, 2, b"a answers two" * 40)
    record_answer(b, b_id, 2, b"b answers two" * 40)
    push(a.ctx)
    push(b.ctx)
    pull(a.ctx)
    assert a.export() == b.export()
    attempts = db_rows(
        a.home,
        "SELECT f.attempt FROM interview_feedback f JOIN interview_question q"
        " ON q.id = f.question_id WHERE q.position = 2 ORDER BY f.attempt",
    )
    assert attempts == [(1,), (2,)]
    for m in (a, b):  # completed on both machines, counted once (the earlier, A's)
        events = db_rows(
            m.home, "SELECT type, count(*) FROM activity WHERE type LIKE 'interview_%' GROUP BY 1"
        )
        assert sorted(events) == [("interview_completed", 1), ("interview_started", 1)]
    assert a.points() == b.points()


def test_a_delete_travels_to_the_other_machine_and_the_bucket(
    two: tuple[Machine, Machine], s3_server: S3, bucket: str
) -> None:
    """A deleted interview is deleted on the other machine at its next sync, with its
    recording files there, and its objects leave the bucket at the deleting machine's push."""
    a, b = two
    interview = interview_with_recording(a, b"to be deleted" * 100)
    push(a.ctx)
    pull(b.ctx)
    assert any("/blobs/" in k for k in blob_keys(s3_server, bucket))
    from preppath.services.interviews import delete_interview
    from preppath.services.share import share_interview

    share_interview(a.ctx, interview, audio=True, expires_s=3600)
    assert any("/shares/" in k for k in blob_keys(s3_server, bucket))
    delete_interview(a.ctx, interview)
    report = push(a.ctx)
    assert report.remote_deleted >= 3  # the blob, the shared report and recording
    assert {k.rsplit("/", 1)[-1] for k in blob_keys(s3_server, bucket)} == {"manifest.json"}
    assert pull(b.ctx).records_deleted > 0
    assert db_rows(b.home, "SELECT count(*) FROM interview") == [(0,)]
    assert not [p for p in (b.home / "data" / "recordings").rglob("*") if p.is_file()]


def test_a_corrupted_recording_is_refused_on_pull_and_nothing_changes(
    two: tuple[Machine, Machine], s3_server: S3, bucket: str, run: Runner
) -> None:
    """A blob whose bytes no longer match its sha256 stops the pull with one line and exit 4;
    the pulling machine's records and files stay as they were."""
    a, b = two
    interview_with_recording(a, b"genuine voice" * 100)
    push(a.ctx)
    (key,) = [k for k in blob_keys(s3_server, bucket) if "/blobs/" in k]
    s3_server.client().put_object(Bucket=bucket, Key=key, Body=b"bit rot")
    before = db_rows(b.home, "SELECT count(*) FROM interview")
    result = run("sync", "pull")
    assert result.code == 4, result.stderr
    assert result.stderr.startswith("preppath: error: ") and result.stderr.count("\n") == 1
    assert "checksum" in result.stderr
    assert db_rows(b.home, "SELECT count(*) FROM interview") == before
    assert not [p for p in (b.home / "data" / "recordings").rglob("*") if p.is_file()]


def test_a_stale_manifest_write_is_refused_not_overwritten(
    two: tuple[Machine, Machine], s3_server: S3, bucket: str
) -> None:
    """Two writers holding the same manifest version: the second write is refused (412) and
    the first one's manifest stays; a push then merges and keeps both machines' records."""
    from preppath.services.sync import open_bucket
    from preppath.storage.s3 import ManifestConflict

    a, b = two
    interview_with_recording(a, b"a" * 500)
    push(a.ctx)
    remote = open_bucket(a.ctx)
    body, etag = remote.get_manifest(None)
    assert body is not None and etag
    remote.put_manifest(body + b" ", etag)  # another machine writes first
    with pytest.raises(ManifestConflict):
        remote.put_manifest(b"{}", etag)
    with pytest.raises(ManifestConflict):
        remote.put_manifest(b"{}", None)  # "create" when one exists is refused too
    kept, _ = remote.get_manifest(None)
    assert kept == body + b" "
    interview_with_recording(b, b"b" * 500)
    push(b.ctx)
    pull(a.ctx)
    assert len(a.export()["records"]["interview"]) == 2


def test_status_and_dry_run_change_nothing(two: tuple[Machine, Machine], run: Runner) -> None:
    """`sync status --json` and `sync push --dry-run --json` report what a push would send
    and leave the bucket and the database untouched."""
    a, b = two
    interview_with_recording(b, b"pending" * 100)
    status = run("sync", "status", "--json")
    assert status.code == 0, status.stderr
    pending = status.json()["pending"]
    assert pending["recordings_to_upload"] == 1 and pending["records_to_push"] > 0
    dry = run("sync", "push", "--dry-run", "--json")
    assert dry.code == 0 and dry.json()["dry_run"] and dry.json()["bytes_sent"] == 0
    assert pull(a.ctx).records_added == 0  # nothing reached the bucket


def test_records_keep_global_ids_and_deletes_leave_tombstones(
    two: tuple[Machine, Machine],
) -> None:
    """Every synced row has its own UUID; deleting an interview leaves a tombstone for it
    and for each row that went with it."""
    a, _ = two
    interview = interview_with_recording(a, b"x" * 10)
    tables = ("interview", "interview_question", "interview_feedback", "interview_recording")
    ids = [g for t in tables for (g,) in db_rows(a.home, f"SELECT global_id FROM {t}")]
    assert all(len(g) == 36 and g[14] == "4" for g in ids) and len(set(ids)) == len(ids)
    from preppath.services.interviews import delete_interview

    delete_interview(a.ctx, interview)
    stones = {g for (g,) in db_rows(a.home, "SELECT global_id FROM sync_tombstone")}
    assert set(ids) <= stones


def test_manifest_holds_no_local_paths_or_secrets(
    two: tuple[Machine, Machine], s3_server: S3, bucket: str
) -> None:
    """The uploaded manifest names recordings by content, not by a path on this machine, and
    is stored with server-side encryption."""
    a, _ = two
    interview_with_recording(a, b"y" * 10)
    push(a.ctx)
    (key,) = [k for k in blob_keys(s3_server, bucket) if k.endswith("manifest.json")]
    obj = s3_server.client().get_object(Bucket=bucket, Key=key)
    text = obj["Body"].read().decode()
    assert str(a.home) not in text and "testing" not in text
    assert obj["ServerSideEncryption"] == "AES256"
    assert json.loads(text)["format"] == 1


def test_the_later_of_two_concurrent_edits_wins_on_both_machines(
    two: tuple[Machine, Machine],
) -> None:
    """One synced interview: A skips its question, then B answers it. After both sync, both
    machines hold B's later edit (answered, completed), and A's skip is not double-applied."""
    from preppath.services.answers import skip_question

    a, b = two
    interview = interview_with_recording(a, b"q1" * 10, count=2)
    push(a.ctx)
    pull(b.ctx)
    (b_id,) = {r[0] for r in db_rows(b.home, "SELECT id FROM interview")}
    skip_question(a.ctx, interview, 2)
    record_answer(b, b_id, 2, b"b answers" * 10)  # later in time than A's skip
    push(a.ctx)
    push(b.ctx)
    pull(a.ctx)
    assert a.export() == b.export()
    for m in (a, b):
        assert db_rows(m.home, "SELECT status FROM interview_question WHERE position = 2") == [
            ("answered",)
        ]
        assert db_rows(m.home, "SELECT status FROM interview") == [("completed",)]


class PushElsewhereFirst:
    """A progress display that, when the first transfer starts, lets another machine push:
    a real interleaving of two pushes, with no fake in between."""

    def __init__(self, other: Machine) -> None:
        self.other: Machine | None = other

    def start(self, label: str, total_bytes: int) -> None:
        if self.other is not None:
            other, self.other = self.other, None
            push(other.ctx)

    def advance(self, nbytes: int) -> None:
        pass

    def stop(self) -> None:
        pass


def test_a_push_refused_by_a_concurrent_push_retries_after_a_fresh_pull(
    two: tuple[Machine, Machine],
) -> None:
    """B pushes while A is uploading: A's manifest write is refused (412), A pulls B's
    records and writes again; nothing of either machine is lost."""
    a, b = two
    interview_with_recording(a, b"from a" * 10)
    interview_with_recording(b, b"from b" * 10)
    report = push(a.ctx, progress=PushElsewhereFirst(b))
    assert report.refused_writes == 1 and report.manifest_written
    assert report.downloads == 1  # B's recording, fetched in the fresh round
    pull(b.ctx)
    assert a.export() == b.export()
    assert len(a.export()["records"]["interview"]) == 2
