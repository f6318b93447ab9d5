"""The SQLite database: versioned migrations with a backup, refusal of newer or corrupt files,
the models matching the migrated schema, foreign keys with cascades, and WAL mode."""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from conftest import BACKEND_PYTHON
from preppath.db import migrations


def db_path(home: Path) -> Path:
    return home / "data" / "preppath.db"


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def user_version(path: Path) -> int:
    with closing(connect(path)) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def assert_one_line_error(result: Any, code: int) -> str:
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("preppath: error:"), lines[0]
    return lines[0]


def build_v1(path: Path) -> None:
    """A database as the first release wrote it, with one profile, interview and question."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(connect(path)) as db:
        migrations.apply(db, 0, 1)
        db.execute(
            "INSERT INTO profile (id, name, created_at) VALUES "
            "(1, 'default', '2024-01-02 03:04:05.000000')"
        )
        db.execute(
            "INSERT INTO interview (id, profile_id, type, role, level, stack, status, "
            "question_count, seed, provider, created_at) VALUES (7, 1, 'technical', "
            "'Legacy Role', 'senior', '[\"python\"]', 'pending', 1, 42, 'offline', "
            "'2024-01-02 03:05:00.000000')"
        )
        db.execute(
            "INSERT INTO interview_question (interview_id, position, bank_id, type, difficulty, "
            "text, expected_answer, key_points, weights, tags, stack, source, status) VALUES "
            "(7, 1, 'python-gil', 'technical', 'medium', 'What is the GIL?', 'A lock.', "
            '\'[{"point": "lock", "phrasings": ["lock"]}, '
            '{"point": "threads", "phrasings": ["thread"]}, '
            '{"point": "cpu", "phrasings": ["cpu"]}]\', '
            '\'{"correctness": 0.5, "completeness": 0.3, "clarity": 0.2}\', '
            "'[]', '[\"python\"]', 'bank', 'pending')"
        )
    assert user_version(path) == 1


# --- migrations ---------------------------------------------------------------------------------


def test_v1_database_is_upgraded_with_backup_and_data_intact(run: Any, home: Path) -> None:
    """Opening a version-1 database upgrades it to LATEST, keeps its rows and leaves a .v1.bak."""
    path = db_path(home)
    build_v1(path)
    assert migrations.LATEST > 1

    result = run("interview", "list", "--json")
    assert result.code == 0, result.stderr
    assert user_version(path) == migrations.LATEST
    items = result.json()["items"]
    assert [(i["id"], i["role"], i["level"], i["status"]) for i in items] == [
        (7, "Legacy Role", "senior", "pending")
    ]

    shown = run("interview", "show", "7", "--json")
    assert shown.code == 0, shown.stderr
    assert shown.json()["seed"] == 42
    assert [q["text"] for q in shown.json()["questions"]] == ["What is the GIL?"]

    backup = path.with_name("preppath.db.v1.bak")
    assert backup.is_file()
    assert user_version(backup) == 1
    with closing(connect(backup)) as db:
        assert db.execute("SELECT role FROM interview").fetchall() == [("Legacy Role",)]

    # The upgraded database is fully usable: answering writes feedback into the old interview.
    answered = run("interview", "answer", "7", "1", "--text", "It is a lock so one thread runs.")
    assert answered.code == 0, answered.stderr
    with closing(connect(path)) as db:
        assert db.execute("SELECT count(*) FROM interview_feedback").fetchone() == (1,)


def test_every_migration_step_is_applied_once(tmp_path: Path) -> None:
    """Upgrading step by step from each version reaches the same schema as a fresh database."""
    fresh = tmp_path / "fresh.db"
    with closing(connect(fresh)) as db:
        migrations.apply(db, 0)
        expected = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    for start in range(1, migrations.LATEST):
        path = tmp_path / f"from-{start}.db"
        with closing(connect(path)) as db:
            migrations.apply(db, 0, start)
            assert db.execute("PRAGMA user_version").fetchone()[0] == start
            migrations.apply(db, start)
            assert db.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST
            got = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        assert got == expected


def test_current_database_is_not_backed_up_again(run: Any, home: Path) -> None:
    """A database already at LATEST opens without making backups."""
    assert run("interview", "list").code == 0
    assert run("interview", "list").code == 0
    assert sorted(p.name for p in db_path(home).parent.glob("*.bak")) == []


def test_newer_database_is_refused_and_untouched(run: Any, home: Path) -> None:
    """A database with user_version above LATEST is refused (exit 4), byte for byte intact."""
    path = db_path(home)
    path.parent.mkdir(parents=True)
    with closing(connect(path)) as db:
        migrations.apply(db, 0)
        db.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    before = path.read_bytes()
    siblings = sorted(p.name for p in path.parent.iterdir())

    for args in (("interview", "list"), ("interview", "create", "--role", "Backend Engineer")):
        line = assert_one_line_error(run(*args), 4)
        assert "newer" in line
        assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == siblings


def test_corrupt_database_is_refused_and_untouched(run: Any, home: Path) -> None:
    """A database file of random bytes gives exit 4 with one line, and the file is not changed."""
    path = db_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes(random.Random(1).randbytes(16384))
    before = path.read_bytes()
    line = assert_one_line_error(run("interview", "list"), 4)
    assert str(path) in line
    assert path.read_bytes() == before
    assert not path.with_name("preppath.db.v0.bak").exists()


# --- schema -------------------------------------------------------------------------------------


def test_models_match_migrated_schema(tmp_path: Path) -> None:
    """Every SQLModel table has exactly the migrated table's columns, with the same nullability,
    and every migrated table has a model."""
    from sqlmodel import SQLModel

    import preppath.db.models as models

    declared = {
        obj.__tablename__
        for obj in vars(models).values()
        if isinstance(obj, type)
        and issubclass(obj, SQLModel)
        and isinstance(getattr(obj, "__tablename__", None), str)
        and obj.__tablename__ in SQLModel.metadata.tables
    }
    path = tmp_path / "schema.db"
    with closing(connect(path)) as db:
        migrations.apply(db, 0)
        tables = {
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert tables == declared
        for name in sorted(tables):
            table = SQLModel.metadata.tables[name]
            info = {r[1]: r for r in db.execute(f"PRAGMA table_info({name})")}
            assert {c.name for c in table.columns} == set(info), name
            for column in table.columns:
                if column.primary_key:
                    continue
                not_null = bool(info[column.name][3])
                assert not_null == (not column.nullable), (name, column.name)


def test_query_layer_tables_match_the_models() -> None:
    """Every table the thin query layer reads names exactly the model's columns, and decodes
    as JSON, DATETIME and BOOLEAN exactly the columns the model declares with those types."""
    from sqlalchemy import JSON, Boolean, DateTime
    from sqlmodel import SQLModel

    import preppath.db.models  # noqa: F401  (registers the tables)
    from preppath.db import query

    for spec in query.TABLES:
        table = SQLModel.metadata.tables[spec.name]
        assert list(spec.columns) == [c.name for c in table.columns], spec.name

        def typed(kind: type, table: Any = table) -> frozenset[str]:
            # SQLModel's UTCDateTime decorates a DateTime: what it stores is its `impl`.
            return frozenset(
                c.name
                for c in table.columns
                if isinstance(c.type, kind) or isinstance(getattr(c.type, "impl", None), kind)
            )

        assert spec.json == typed(JSON), spec.name
        assert spec.times == typed(DateTime), spec.name
        assert spec.bools == typed(Boolean), spec.name


def test_query_layer_reads_what_the_orm_reads(run: Any, home: Path) -> None:
    """Rows read through the query layer equal the ORM's reading of the same rows, JSON,
    timestamps and NULLs included."""
    from sqlmodel import Session, create_engine, select

    from preppath.db import query
    from preppath.db.models import Interview, InterviewFeedback, InterviewQuestion

    assert run("interview", "create", *BACKEND_PYTHON, "--count", "2").code == 0
    assert run("interview", "answer", "1", "1", "--text", "Indexes speed up reads.").code == 0
    assert run("interview", "answer", "1", "1", "--text", "A B-tree index, then.").code == 0
    assert run("interview", "skip", "1", "2").code == 0
    path = db_path(home)
    with closing(connect(path)) as db:
        interview = query.interview(db, 1)
        questions = query.questions(db, 1)
        latest = query.latest_feedback(db, [q["id"] for q in questions])
    engine = create_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        orm_interview = session.get(Interview, 1)
        assert orm_interview is not None
        assert interview == orm_interview.model_dump()
        orm_questions = session.exec(
            select(InterviewQuestion).order_by(InterviewQuestion.position)  # type: ignore[arg-type]
        ).all()
        assert questions == [q.model_dump() for q in orm_questions]
        orm_latest = session.exec(
            select(InterviewFeedback).where(InterviewFeedback.attempt == 2)
        ).one()
        assert latest == {orm_latest.question_id: orm_latest.model_dump()}
    engine.dispose()


def test_schema_has_the_issue_tables_and_indexes(run: Any, home: Path) -> None:
    """The database holds all the original system's tables and indexes what commands filter on."""
    assert run("interview", "list").code == 0
    with closing(connect(db_path(home))) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexed = {
            r[0]: r[1]
            for r in db.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
            )
        }
    assert {
        "profile",
        "interview",
        "interview_question",
        "interview_feedback",
        "interview_recording",
        "activity",
        "daily_activity",
        "achievement",
        "user_achievement",
    } <= tables
    assert "interview" in indexed.values() and "activity" in indexed.values()


# --- pragmas and cascades -----------------------------------------------------------------------


def test_wal_mode_is_on(run: Any, home: Path) -> None:
    """The database the CLI creates is in WAL journal mode."""
    assert run("interview", "list").code == 0
    with closing(connect(db_path(home))) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_engine_connections_have_foreign_keys_and_busy_timeout(run: Any, home: Path) -> None:
    """Every engine connection has foreign keys on and a busy timeout."""
    from sqlalchemy import text

    from preppath.db.engine import create_engine_for

    assert run("interview", "list").code == 0
    engine = create_engine_for(db_path(home))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() > 0
            try:
                conn.execute(
                    text(
                        "INSERT INTO interview (profile_id, type, role, level, stack, status, "
                        "question_count, provider, created_at) VALUES (999, 'technical', 'r', "
                        "'mid', '[]', 'pending', 1, 'offline', '2024-01-01 00:00:00')"
                    )
                )
            except Exception as exc:
                assert "FOREIGN KEY" in str(exc)
            else:
                raise AssertionError("an interview for a missing profile was accepted")
    finally:
        engine.dispose()


def test_deleting_a_profile_cascades(run: Any, home: Path) -> None:
    """Deleting a profile (foreign keys on) removes its interviews, questions, feedback and
    activity, and leaves other profiles alone."""
    from sqlalchemy import text

    from preppath.db.engine import create_engine_for

    for profile in ("alice", "bob"):
        made = run(
            "--profile",
            profile,
            "interview",
            "create",
            *BACKEND_PYTHON,
            "--count",
            "2",
            "--json",
        )
        assert made.code == 0, made.stderr
        ident = str(made.json()["id"])
        answered = run(
            "--profile",
            profile,
            "interview",
            "answer",
            ident,
            "1",
            "--text",
            "A reasonably long answer about Python for the cascade test.",
        )
        assert answered.code == 0, answered.stderr

    engine = create_engine_for(db_path(home))
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM profile WHERE name = 'alice'"))
    finally:
        engine.dispose()

    with closing(connect(db_path(home))) as db:
        bob = db.execute("SELECT id FROM profile WHERE name = 'bob'").fetchone()[0]
        assert db.execute("SELECT DISTINCT profile_id FROM interview").fetchall() == [(bob,)]
        assert db.execute(
            "SELECT count(*) FROM interview_question q LEFT JOIN interview i "
            "ON i.id = q.interview_id WHERE i.id IS NULL"
        ).fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM interview_question").fetchone() == (2,)
        assert db.execute("SELECT count(*) FROM interview_feedback").fetchone() == (1,)
        assert db.execute("SELECT DISTINCT profile_id FROM activity").fetchall() == [(bob,)]
        assert db.execute("SELECT DISTINCT profile_id FROM daily_activity").fetchall() == [(bob,)]


def test_answer_path_reads_do_not_grow_with_history(tmp_path: Path) -> None:
    """The answer path's history reads walk an index: the 20 latest scores are read newest
    first without sorting all answers, and an earlier attempt at a question without a bank id
    is looked up by its text, not found by scanning every stored question."""
    from preppath.progress.achievements import RECENT_SCORES
    from preppath.services.answers import PREVIOUS_BY_BANK_ID, PREVIOUS_BY_TEXT

    with closing(connect(tmp_path / "plan.db")) as db:
        migrations.apply(db, 0)

        def plan(sql: str, *args: object) -> list[str]:
            return [r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", args)]

        recent = plan(RECENT_SCORES, 1)
        assert recent[0] == "SCAN f USING INDEX ix_feedback_created", recent
        assert not any("TEMP B-TREE" in step for step in recent), recent
        for sql, index in (
            (PREVIOUS_BY_TEXT, "ix_question_text_unbanked"),
            (PREVIOUS_BY_BANK_ID, "ix_question_bank_id"),
        ):
            steps = plan(sql, 1, "x")
            assert steps[0].startswith(f"SEARCH q USING INDEX {index}"), steps
            assert not any(step.startswith("SCAN") for step in steps), steps
