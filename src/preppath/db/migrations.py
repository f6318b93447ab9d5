"""Schema migrations: an ordered list of small SQL scripts; `PRAGMA user_version` records how
many have run. A step is never edited once released: a change to the schema is a new step."""

from __future__ import annotations

import sqlite3

M1_INITIAL = """
        CREATE TABLE profile (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at DATETIME NOT NULL
        );
        CREATE TABLE interview (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            role TEXT NOT NULL,
            level TEXT NOT NULL,
            stack JSON NOT NULL,
            status TEXT NOT NULL,
            question_count INTEGER NOT NULL,
            seed INTEGER,
            provider TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            started_at DATETIME,
            completed_at DATETIME,
            overall FLOAT,
            summary JSON
        );
        CREATE INDEX ix_interview_profile_created ON interview(profile_id, created_at);
        CREATE INDEX ix_interview_profile_status ON interview(profile_id, status);
        CREATE INDEX ix_interview_profile_type ON interview(profile_id, type);
        CREATE TABLE interview_question (
            id INTEGER PRIMARY KEY,
            interview_id INTEGER NOT NULL REFERENCES interview(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            bank_id TEXT,
            type TEXT NOT NULL,
            difficulty TEXT NOT NULL,
            text TEXT NOT NULL,
            expected_answer TEXT NOT NULL,
            key_points JSON NOT NULL,
            weights JSON NOT NULL,
            tags JSON NOT NULL,
            stack JSON NOT NULL,
            source TEXT NOT NULL,
            status TEXT NOT NULL,
            UNIQUE (interview_id, position)
        );
        CREATE INDEX ix_question_bank_id ON interview_question(bank_id);
        CREATE TABLE interview_feedback (
            id INTEGER PRIMARY KEY,
            question_id INTEGER NOT NULL REFERENCES interview_question(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            answer_text TEXT NOT NULL,
            answer_source TEXT NOT NULL,
            correctness FLOAT NOT NULL,
            completeness FLOAT NOT NULL,
            clarity FLOAT NOT NULL,
            overall INTEGER NOT NULL,
            strengths JSON NOT NULL,
            improvements JSON NOT NULL,
            key_points JSON NOT NULL,
            star JSON,
            delivery JSON,
            evaluator TEXT NOT NULL,
            created_at DATETIME NOT NULL
        );
        CREATE INDEX ix_feedback_question ON interview_feedback(question_id);
        CREATE TABLE interview_recording (
            id INTEGER PRIMARY KEY,
            question_id INTEGER NOT NULL REFERENCES interview_question(id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            duration_s FLOAT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            created_at DATETIME NOT NULL
        );
        CREATE INDEX ix_recording_question ON interview_recording(question_id);
        CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            points INTEGER NOT NULL,
            occurred_at DATETIME NOT NULL,
            local_day TEXT NOT NULL,
            local_hour INTEGER NOT NULL,
            interview_id INTEGER REFERENCES interview(id) ON DELETE SET NULL,
            note TEXT
        );
        CREATE INDEX ix_activity_profile_day ON activity(profile_id, local_day);
        CREATE INDEX ix_activity_profile_type ON activity(profile_id, type);
        CREATE TABLE daily_activity (
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            count INTEGER NOT NULL,
            points INTEGER NOT NULL,
            answers INTEGER NOT NULL,
            practices INTEGER NOT NULL,
            interviews_completed INTEGER NOT NULL,
            PRIMARY KEY (profile_id, day)
        );
        CREATE TABLE achievement (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT NOT NULL,
            category TEXT NOT NULL,
            kind TEXT NOT NULL,
            threshold FLOAT NOT NULL,
            points INTEGER NOT NULL,
            hidden BOOLEAN NOT NULL,
            sort_order INTEGER NOT NULL
        );
        CREATE TABLE user_achievement (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            achievement_id TEXT NOT NULL REFERENCES achievement(id) ON DELETE CASCADE,
            unlocked_at DATETIME NOT NULL,
            UNIQUE (profile_id, achievement_id)
        );
"""


M2_RETAKE_QUEUE = """
        CREATE TABLE retake (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
            question_key TEXT NOT NULL,
            last_feedback_id INTEGER REFERENCES interview_feedback(id) ON DELETE SET NULL,
            last_score INTEGER NOT NULL,
            interval_days INTEGER NOT NULL,
            due_day TEXT NOT NULL,
            cleared BOOLEAN NOT NULL,
            UNIQUE (profile_id, question_key)
        );
        CREATE INDEX ix_retake_due ON retake(profile_id, cleared, due_day);
"""


# Per-month score sums by interview type, technology and topic, kept up to date with each
# answer, so `preppath stats` reads a few hundred rows however many answers there are.
M3_SCORE_ROLLUP = """
CREATE TABLE score_month (
    profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
    month TEXT NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    answers INTEGER NOT NULL,
    sum_overall INTEGER NOT NULL,
    max_overall INTEGER NOT NULL,
    sum_correctness FLOAT NOT NULL,
    sum_completeness FLOAT NOT NULL,
    sum_clarity FLOAT NOT NULL,
    spoken INTEGER NOT NULL,
    sum_wpm FLOAT NOT NULL,
    sum_fillers_per_100 FLOAT NOT NULL,
    PRIMARY KEY (profile_id, month, dimension, key)
);
"""

MIGRATIONS: tuple[str, ...] = (M1_INITIAL, M2_RETAKE_QUEUE, M3_SCORE_ROLLUP)
LATEST = len(MIGRATIONS)


def apply(db: sqlite3.Connection, current: int, target: int = LATEST) -> None:
    """Run steps current+1..target, each in its own transaction with its version bump.

    One script per step, because sqlite3's executescript commits any transaction it finds open.
    """
    for version in range(current + 1, target + 1):
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[version - 1]}\nPRAGMA user_version = {version};"
        try:
            db.executescript(script + "\nCOMMIT;")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
