"""The score rollups hold what stats and the achievement checks read in rows that do not
multiply with months x topics (issue 11, item 4)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from preppath.db import migrations
from preppath.progress.store import add_to_rollup, topic_totals

SCORES = {"correctness": 7.0, "completeness": 6.0, "clarity": 8.0}


def _database(path: Path, version: int = migrations.LATEST) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    migrations.apply(db, 0, version)
    db.execute("INSERT INTO profile (name, created_at) VALUES ('me', '2026-01-01 00:00:00')")
    db.commit()
    return db


def _answer(db: sqlite3.Connection, month: int, tags: list[str], overall: int) -> None:
    with db:
        add_to_rollup(
            db,
            profile_id=1,
            at=datetime(2025, month, 15, 12, tzinfo=UTC),
            tz=UTC,
            qtype="technical",
            stacks=["python"],
            tags=tags,
            scores=SCORES,
            overall=overall,
            delivery=None,
        )


def test_topics_are_summed_over_all_time_not_per_month(tmp_path: Path) -> None:
    """Answers on the same topics in twelve months leave one lifetime row per topic and no
    monthly topic rows; the lifetime sums are the answers' sums."""
    with closing(_database(tmp_path / "p.db")) as db:
        for month in range(1, 13):
            _answer(db, month, ["gil", "threads"], 50 + month)
        assert (
            db.execute("SELECT count(*) FROM score_month WHERE dimension = 'tag'").fetchone()[0]
            == 0
        )
        assert topic_totals(db, 1) == {
            "gil": (12, sum(50 + m for m in range(1, 13))),
            "threads": (12, sum(50 + m for m in range(1, 13))),
        }
        stacks = db.execute(
            "SELECT key, answers, max_overall FROM score_total WHERE dimension = 'stack'"
        ).fetchall()
        assert stacks == [("python", 12, 62)]


def test_migration_moves_monthly_topics_into_lifetime_totals(tmp_path: Path) -> None:
    """A database from before the lifetime table keeps every topic's sums, its best score and
    its stacks, now in score_total, and its monthly topic rows are gone."""
    path = tmp_path / "old.db"
    before = migrations.MIGRATIONS.index(migrations.M10_LIFETIME_SCORE_TOTALS)  # later steps follow
    with closing(_database(path, version=before)) as db, db:
        row = "INSERT INTO score_month VALUES (1, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0)"
        db.executemany(
            row,
            [
                ("2025-01", "tag", "gil", 2, 120, 70),
                ("2025-02", "tag", "gil", 3, 150, 90),
                ("2025-01", "stack", "python", 2, 120, 70),
                ("2025-02", "all", "all", 3, 150, 90),
            ],
        )
    with closing(sqlite3.connect(path)) as db:
        migrations.apply(db, before)
        assert db.execute(
            "SELECT dimension, key, answers, sum_overall, max_overall FROM score_total "
            "ORDER BY dimension"
        ).fetchall() == [
            ("all", "all", 3, 150, 90),
            ("stack", "python", 2, 120, 70),
            ("tag", "gil", 5, 270, 90),
        ]
        assert db.execute("SELECT DISTINCT dimension FROM score_month ORDER BY 1").fetchall() == [
            ("all",),
            ("stack",),
        ]
