"""What the database and the recording files promise whatever happens: interview IDs are never
handed out twice, delete leaves nothing behind, two processes on one interview count it once, a
SIGKILL mid-import leaves no orphan file, stored recordings never share a name, and the upgrade
from a database written before these promises repairs what it can."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from conftest import BACKEND_PYTHON, Runner, cli_create, db_rows, subprocess_env
from preppath.db import migrations

PREPPATH = Path(sys.executable).with_name("preppath")
ANSWER = "A context manager runs setup in __enter__ and cleanup in __exit__ for a with block."


def db_file(home: Path) -> Path:
    return home / "data" / "preppath.db"


def recordings(home: Path) -> Path:
    return home / "data" / "recordings"


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@pytest.fixture(scope="module")
def speech_wavs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different spoken answers as WAV files, made with the offline voice."""
    import numpy as np
    import soundfile as sf

    from preppath.voice.tts import EspeakTTS

    folder = tmp_path_factory.mktemp("speech")
    made = []
    for name, text in (
        ("first", "I would use a context manager so the file is always closed."),
        ("second", "A generator yields values lazily, one at a time, to save memory."),
    ):
        speech = EspeakTTS().synthesize(text)
        path = folder / f"{name}.wav"
        sf.write(str(path), np.frombuffer(speech.pcm, "<i2"), speech.sample_rate, "PCM_16")
        made.append(path)
    return made[0], made[1]


def cli(home: Path, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """A real `preppath` process on `home`."""
    return subprocess.Popen(
        [str(PREPPATH), *args],
        env=subprocess_env(home),
        cwd=home.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def finished(proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def assert_database_intact(home: Path) -> None:
    with closing(sqlite3.connect(db_file(home))) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        # The per-day totals are exactly what the activity log adds up to.
        daily = db.execute(
            "SELECT coalesce(sum(count), 0), coalesce(sum(points), 0), "
            "coalesce(sum(interviews_completed), 0) FROM daily_activity"
        ).fetchone()
        events = db.execute(
            "SELECT count(*), coalesce(sum(points), 0), "
            "coalesce(sum(type = 'interview_completed'), 0) FROM activity"
        ).fetchone()
        assert daily == events


# --- 1. IDs are never reused; delete leaves nothing ----------------------------------------


def test_a_deleted_interviews_id_is_never_handed_out_again(run: Runner, home: Path) -> None:
    """Deleting the newest interview does not make its ID the next one's."""
    first = cli_create(run, count=1)["id"]
    second = cli_create(run, count=1)["id"]
    assert run("interview", "delete", str(second), "--yes").code == 0
    third = cli_create(run, count=1)["id"]
    assert third > second > first


def test_a_create_that_fails_midway_leaves_no_interview(
    run: Runner, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interview and its questions are written in one transaction: a failure after the
    first question leaves no interview and no question behind."""
    from preppath.db import query

    first = cli_create(run, count=1)["id"]
    real_insert = query.insert
    inserted: list[str] = []

    def failing_insert(db: sqlite3.Connection, table: query.Table, values: dict[str, Any]) -> int:
        inserted.append(table.name)
        if inserted.count("interview_question") == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real_insert(db, table, values)

    monkeypatch.setattr(query, "insert", failing_insert)
    assert run("interview", "create", *BACKEND_PYTHON, "--count", "3").code != 0
    monkeypatch.setattr(query, "insert", real_insert)
    assert inserted == ["interview", "interview_question", "interview_question"]
    assert db_rows(home, "SELECT id FROM interview") == [(first,)]
    assert db_rows(home, "SELECT count(*) FROM interview_question") == [(1,)]
    assert cli_create(run, count=1)["id"] > first


def test_delete_removes_every_file_of_the_interview(
    run: Runner, home: Path, speech_wavs: tuple[Path, Path]
) -> None:
    """Delete removes the interview's recordings and its folder, leaving no file behind,
    and other interviews' recordings stay."""
    kept = cli_create(run, type_="behavioral", count=1)["id"]
    gone = cli_create(run, type_="behavioral", count=2)["id"]
    for interview, position in ((kept, 1), (gone, 1), (gone, 2)):
        result = run("audio", "import", str(interview), str(position), str(speech_wavs[0]))
        assert result.code == 0, result.stderr
    folder = recordings(home) / str(gone)
    assert len(files_under(folder)) == 2

    result = run("interview", "delete", str(gone), "--yes")
    assert result.code == 0, result.stderr
    assert not folder.exists()
    assert db_rows(home, "SELECT count(*) FROM interview_recording") == [(1,)]
    assert len(files_under(recordings(home) / str(kept))) == 1


def build_v3_with_history(path: Path) -> None:
    """A database as release 3 wrote it, with what its bugs left: interview 3 deleted (its ID
    free to be reused), and interview 2 answered by two processes at once (two attempt-1
    answers, its start and completion recorded twice and counted twice in the day's totals)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        migrations.apply(db, 0, 3)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("INSERT INTO profile VALUES (1, 'default', '2026-01-05 10:00:00.000000')")
        for interview in (1, 2, 3):
            db.execute(
                "INSERT INTO interview (id, profile_id, type, role, level, stack, status, "
                "question_count, provider, created_at) VALUES (?, 1, 'technical', 'Backend', "
                "'mid', '[]', 'completed', 1, 'offline', '2026-01-05 10:00:00.000000')",
                (interview,),
            )
            db.execute(
                "INSERT INTO interview_question (id, interview_id, position, type, difficulty, "
                "text, expected_answer, key_points, weights, tags, stack, source, status) "
                "VALUES (?, ?, 1, 'technical', 'easy', 'Why?', 'Because.', '[]', '{}', '[]', "
                "'[]', 'bank', 'answered')",
                (interview, interview),
            )
        events = [
            (1, "interview_started", 5),
            (1, "question_answered", 10),
            (1, "interview_completed", 50),
            *[(2, "interview_started", 5), (2, "question_answered", 10)] * 2,
            (2, "interview_completed", 50),
            (2, "interview_completed", 50),
        ]
        for interview, kind, points in events:
            db.execute(
                "INSERT INTO activity (profile_id, type, points, occurred_at, local_day, "
                "local_hour, interview_id) VALUES (1, ?, ?, '2026-01-05 10:00:00.000000', "
                "'2026-01-05', 10, ?)",
                (kind, points, interview),
            )
        db.execute(
            "INSERT INTO daily_activity VALUES (1, '2026-01-05', ?, ?, 3, 0, 3)",
            (len(events), sum(p for _, _, p in events)),
        )
        for question in (1, 2, 2):
            db.execute(
                "INSERT INTO interview_feedback (question_id, attempt, answer_text, "
                "answer_source, correctness, completeness, clarity, overall, strengths, "
                "improvements, key_points, evaluator, created_at) VALUES (?, 1, 'x', 'typed', "
                "50, 50, 50, 50, '[]', '[]', '[]', 'rubric', '2026-01-05 10:00:00.000000')",
                (question,),
            )
        db.execute("DELETE FROM interview WHERE id = 3")


def test_upgrade_keeps_ids_repairs_double_counts_and_stops_reuse(run: Runner, home: Path) -> None:
    """Upgrading a release-3 database keeps every row and ID, renumbers duplicate attempts,
    drops a repeated start or completion from the log and the day's totals, removes the folder
    a deleted interview left behind, and never hands out that interview's ID again."""
    build_v3_with_history(db_file(home))
    leftover = recordings(home) / "3" / "q1-20260105T100000.wav"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"RIFF audio of a deleted interview")

    listed = run("interview", "list", "--json")
    assert listed.code == 0, listed.stderr
    assert sorted(i["id"] for i in listed.json()["items"]) == [1, 2]
    assert db_rows(home, "SELECT question_id, attempt FROM interview_feedback ORDER BY id") == [
        (1, 1),
        (2, 1),
        (2, 2),
    ]
    assert db_rows(
        home,
        "SELECT type, count(*) FROM activity WHERE interview_id = 2 GROUP BY type ORDER BY type",
    ) == [("interview_completed", 1), ("interview_started", 1), ("question_answered", 2)]
    assert db_rows(home, "SELECT count, points, interviews_completed FROM daily_activity") == [
        (7, 140, 2)
    ]
    assert_database_intact(home)
    assert not leftover.parent.exists()
    assert cli_create(run, count=1)["id"] == 4

    with closing(sqlite3.connect(db_file(home))) as db:
        for sql in (
            "INSERT INTO interview_feedback (question_id, attempt, answer_text, answer_source, "
            "correctness, completeness, clarity, overall, strengths, improvements, key_points, "
            "evaluator, created_at) SELECT question_id, attempt, answer_text, answer_source, "
            "correctness, completeness, clarity, overall, strengths, improvements, key_points, "
            "evaluator, created_at FROM interview_feedback WHERE id = 1",
            "INSERT INTO activity (profile_id, type, points, occurred_at, local_day, local_hour, "
            "interview_id) SELECT profile_id, type, points, occurred_at, local_day, local_hour, "
            "interview_id FROM activity WHERE type = 'interview_completed' LIMIT 1",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
                db.execute(sql)


# --- 4. two processes on one interview -----------------------------------------------------


def test_two_processes_answering_at_once_count_the_interview_once(run: Runner, home: Path) -> None:
    """Two `interview answer` processes on the same question at once, several times: the
    answers are attempts 1 and 2, the interview starts and completes once, and the day's
    totals match the log."""
    for trial in range(5):
        interview = cli_create(run, count=1, seed=trial + 1)["id"]
        procs = [
            cli(home, "interview", "answer", str(interview), "1", "--text", ANSWER)
            for _ in range(2)
        ]
        for proc in procs:
            code, err = finished(proc)
            assert code == 0, err
        assert db_rows(
            home,
            "SELECT f.attempt FROM interview_feedback f JOIN interview_question q "
            "ON q.id = f.question_id WHERE q.interview_id = ? ORDER BY f.attempt",
            interview,
        ) == [(1,), (2,)], f"trial {trial}"
        assert db_rows(
            home,
            "SELECT type, count(*) FROM activity WHERE interview_id = ? GROUP BY type "
            "ORDER BY type",
            interview,
        ) == [
            ("interview_completed", 1),
            ("interview_started", 1),
            ("question_answered", 2),
        ], f"trial {trial}"
    assert db_rows(home, "SELECT sum(interviews_completed) FROM daily_activity") == [(5,)]
    assert_database_intact(home)


def opened(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open (Linux's /proc)."""
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if fd.readlink() == path:
                    return True
    return False


def test_two_sessions_starting_one_interview_record_one_start(home: Path, run: Runner) -> None:
    """Two `interview start ID` sessions opened at once, several times: the interview's start
    is recorded (and its points given) once, and both sessions go on to ask the question."""
    pexpect = pytest.importorskip("pexpect")
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc to see when both sessions have opened the database")
    for trial in range(3):
        interview = cli_create(run, count=1, seed=trial + 1)["id"]
        # Hold the write lock while both sessions open the interview, so both reach the point
        # of starting it before either can write: the race, made to happen every time.
        with closing(sqlite3.connect(db_file(home), isolation_level=None)) as blocker:
            blocker.execute("BEGIN IMMEDIATE")
            children = [
                pexpect.spawn(
                    str(PREPPATH),
                    ["interview", "start", str(interview)],
                    env=subprocess_env(home, TERM="dumb"),
                    encoding="utf-8",
                    timeout=60,
                    dimensions=(40, 120),
                    cwd=str(home.parent),
                )
                for _ in range(2)
            ]
            deadline = time.monotonic() + 60  # a guard against hanging, not a measurement
            while not all(opened(c.pid, db_file(home).resolve()) for c in children):
                assert time.monotonic() < deadline, "the sessions never opened the database"
                time.sleep(0.01)
            time.sleep(1.0)  # well inside their 5 s busy timeout
            blocker.execute("ROLLBACK")
        for child in children:
            child.expect("Question 1/1")
            child.expect_exact("> ")
            child.sendline("/quit")
        for child in children:
            child.expect(pexpect.EOF)
            child.close()
            assert child.exitstatus == 0, child.before
        assert db_rows(
            home,
            "SELECT count(*), sum(points) FROM activity WHERE interview_id = ? "
            "AND type = 'interview_started'",
            interview,
        ) == [(1, 5)], f"trial {trial}"
    assert_database_intact(home)


# --- 5. SIGKILL during audio import ----------------------------------------------------------


def assert_recordings_match_rows(home: Path) -> None:
    """Every recording file is named by exactly one row, and every row's file is there intact."""
    from preppath.voice.recorder import file_sha256

    rows = db_rows(home, "SELECT path, sha256, size_bytes FROM interview_recording")
    on_disk = files_under(recordings(home))
    assert sorted(p.name for p in on_disk) == sorted(Path(p).name for p, _, _ in rows)
    for key, sha, size in rows:
        path = home / "data" / key  # rows name files relative to the data folder
        assert path.stat().st_size == size and file_sha256(path) == sha
    answers = db_rows(
        home, "SELECT count(*) FROM interview_feedback WHERE answer_source = 'audio_import'"
    )
    assert answers == [(len(rows),)]


def test_sigkill_during_audio_import_leaves_no_orphan_file(
    run: Runner, home: Path, speech_wavs: tuple[Path, Path]
) -> None:
    """`audio import` killed with SIGKILL at several points, then one completed: the next open
    leaves only recordings that have their answer, `jobs resume` scores each once, and the
    database is intact."""
    interview = cli_create(run, type_="behavioral", count=1)["id"]
    incoming = recordings(home) / ".incoming"
    pause = random.Random(5)
    killed = 0
    for trial in range(6):
        before = files_under(recordings(home))
        proc = cli(home, "audio", "import", str(interview), "1", str(speech_wavs[trial % 2]))
        deadline = time.monotonic() + 120  # a guard against hanging, not a measurement
        # Its copy appears in .incoming, then (published at once) among the recordings.
        while proc.poll() is None and not files_under(recordings(home)) - before:
            assert time.monotonic() < deadline, "audio import never started copying"
            time.sleep(0.005)
        # The first kill lands while the copy is being written, the others somewhere in
        # transcription, scoring or storing.
        time.sleep(0 if trial == 0 else pause.uniform(0.0, 2.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=120)
    assert killed >= 3, "too few imports were interrupted to test anything"

    assert run("interview", "list").code == 0  # any command's open sweeps the leftovers
    assert not files_under(incoming)
    # An import killed after its recording was stored is transcribed and scored by the next
    # run of the jobs: then every recording has its answer's feedback. (Each import also runs
    # the jobs earlier ones left, so a job killed in every trial can run out of attempts;
    # `jobs retry` gives it fresh ones.)
    assert run("jobs", "resume").code == 0
    run("jobs", "retry", "--all-failed")
    assert_recordings_match_rows(home)
    assert_database_intact(home)
    final = run("audio", "import", str(interview), "1", str(speech_wavs[0]))
    assert final.code == 0, final.stderr
    assert_recordings_match_rows(home)


@pytest.fixture
def writer_process(home: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another live process holding an incoming recording, as `audio import` does mid-way."""
    code = (
        "import sys; from pathlib import Path; from preppath.services import recordings; "
        "p = recordings.new_incoming(Path(sys.argv[1]), '.wav'); print(p, flush=True); "
        "sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(recordings(home))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    path = Path(proc.stdout.readline().strip())
    yield proc, path
    proc.kill()
    proc.communicate()


def test_open_sweeps_leftovers_but_not_a_live_processes_recording(
    run: Runner, home: Path, writer_process: tuple[subprocess.Popen[str], Path]
) -> None:
    """On open, a stored file no row names and an incoming file whose writer died are removed;
    an incoming file a live process is writing stays until that process is gone."""
    proc, live = writer_process
    interview = cli_create(run, count=1)["id"]
    unnamed = recordings(home) / str(interview) / "q1-20260105T120000-0a1b2c.wav"
    unnamed.parent.mkdir()
    unnamed.write_bytes(b"published, then killed before its row was committed")
    dead = live.with_name("0123456789abcdef.wav")
    dead.write_bytes(b"its writer was killed")

    assert run("interview", "list").code == 0
    assert not unnamed.exists() and not dead.exists()
    assert live.exists()

    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run("interview", "list").code == 0
    assert not live.exists()
    assert_database_intact(home)


# --- 6. stored recordings never share a name -------------------------------------------------


def test_imports_in_the_same_second_keep_both_recordings(
    run: Runner, home: Path, speech_wavs: tuple[Path, Path]
) -> None:
    """Two `audio import` processes into one question at once (so in the same second), twice:
    four rows, four files, each file the recording its row describes."""
    interview = cli_create(run, type_="behavioral", count=1)["id"]
    for _ in range(2):
        procs = [
            cli(home, "audio", "import", str(interview), "1", str(source)) for source in speech_wavs
        ]
        for proc in procs:
            code, err = finished(proc)
            assert code == 0, err
    rows = db_rows(home, "SELECT path FROM interview_recording")
    assert len({p for (p,) in rows}) == 4
    sources = {s.read_bytes() for s in speech_wavs}
    assert all((home / "data" / p).read_bytes() in sources for (p,) in rows)
    assert_recordings_match_rows(home)


def test_an_answer_that_fails_keeps_no_recording(run: Runner, home: Path, tmp_path: Path) -> None:
    """An import whose audio holds no speech is refused and leaves no file at all."""
    import numpy as np
    import soundfile as sf

    interview = cli_create(run, type_="behavioral", count=1)["id"]
    hum = tmp_path / "hum.wav"
    tone = (3000 * np.sin(np.arange(16000 * 2) * 2 * np.pi * 50 / 16000)).astype(np.int16)
    sf.write(str(hum), tone, 16000, "PCM_16")
    result = run("audio", "import", str(interview), "1", str(hum))
    assert result.code == 5, result.stderr
    assert not files_under(recordings(home))
    assert db_rows(home, "SELECT count(*) FROM interview_feedback") == [(0,)]


# --- storage half of 8: private from creation -----------------------------------------------


def test_existing_world_readable_data_is_made_private_on_open(
    run: Runner, home: Path, speech_wavs: tuple[Path, Path]
) -> None:
    """The database, its sidecar files, backups, recordings and their folders left 0644/0755
    by an older release are narrowed to 0600/0700 the next time PrepPath opens them."""
    interview = cli_create(run, type_="behavioral", count=1)["id"]
    assert run("audio", "import", str(interview), "1", str(speech_wavs[0])).code == 0
    db_file(home).with_name("preppath.db.v2.bak").write_bytes(b"an old backup")
    for path in (home / "data", *(home / "data").rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert run("interview", "list").code == 0
    found = {p: p.stat().st_mode & 0o777 for p in (home / "data", *(home / "data").rglob("*"))}
    assert len(found) >= 6  # data, the database, the backup, recordings, a folder, a file
    assert {p: m for p, m in found.items() if m != (0o700 if p.is_dir() else 0o600)} == {}


def test_upgrade_backup_is_private(run: Runner, home: Path) -> None:
    """The copy kept before an upgrade is as private as the database it copies."""
    path = db_file(home)
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        migrations.apply(db, 0, 3)
    old = os.umask(0)
    try:
        assert run("interview", "list").code == 0
    finally:
        os.umask(old)
    backup = path.with_name("preppath.db.v3.bak")
    assert backup.stat().st_mode & 0o777 == 0o600


def test_everything_a_session_leaves_is_private_whatever_the_umask(
    home: Path, speech_wavs: tuple[Path, Path]
) -> None:
    """Under umask 000, a guided session, an audio import and a logged error leave every
    folder under PREPPATH_HOME 0700 and every file 0600, the database's -wal and -shm too."""
    pexpect = pytest.importorskip("pexpect")

    def modes() -> dict[str, int]:
        return {
            str(p.relative_to(home.parent)): p.stat().st_mode & 0o777
            for p in (home, *home.rglob("*"))
        }

    def wider(found: dict[str, int]) -> dict[str, str]:
        return {
            name: oct(mode)
            for name, mode in found.items()
            if mode != (0o700 if (home.parent / name).is_dir() else 0o600)
        }

    child = pexpect.spawn(
        "sh",
        ["-c", 'umask 000 && exec "$0" "$@"', str(PREPPATH), "interview", "start", "--yes",
         "--type", "technical", *BACKEND_PYTHON, "--count", "2"],
        env=subprocess_env(home, TERM="dumb"),
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
        cwd=str(home.parent),
    )  # fmt: skip
    child.expect("Question 1/2")
    child.expect_exact("> ")
    child.sendline(ANSWER)
    child.expect_exact("… ")
    child.sendline("")
    child.expect("next")
    # The session holds no connection between its transactions, so SQLite removes the -wal
    # and -shm files after each; a connection opened here under the same umask keeps them
    # in place. SQLite gives them the database file's mode, which PrepPath made 0600.
    previous = os.umask(0)
    try:
        with closing(sqlite3.connect(db_file(home))) as held:
            held.execute("SELECT count(*) FROM interview").fetchone()
            during = modes()
    finally:
        os.umask(previous)
    assert {"home/data/preppath.db-wal", "home/data/preppath.db-shm"} <= set(during)
    assert wider(during) == {}
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    interview = db_rows(home, "SELECT id FROM interview")[0][0]
    imported = subprocess.run(
        [str(PREPPATH), "audio", "import", str(interview), "2", str(speech_wavs[0])],
        env=subprocess_env(home), capture_output=True, text=True, umask=0, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    logged = subprocess.run(
        [sys.executable, "-c",
         "from preppath.logs import log_unexpected; print(log_unexpected(RuntimeError('x')))"],
        env=subprocess_env(home), capture_output=True, text=True, umask=0, check=False,
    )  # fmt: skip
    assert logged.stdout.strip() == str(home / "logs" / "preppath.log"), logged.stderr

    after = modes()
    assert {"home/data/last-choices-default.json", "home/logs/preppath.log"} <= set(after)
    assert any(name.startswith("home/data/recordings/") for name in after)
    assert wider(after) == {}
