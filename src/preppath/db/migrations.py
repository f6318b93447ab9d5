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

# Interview IDs are never handed out twice: with AUTOINCREMENT SQLite remembers the highest ID
# ever used (in sqlite_sequence), where a plain INTEGER PRIMARY KEY reuses a deleted last ID, and
# a new interview would inherit the deleted one's recordings folder and history. SQLite cannot
# add AUTOINCREMENT to a table, so the table is rebuilt (foreign keys are off while migrating;
# the rows keep their IDs, so the questions and activity that point at them stay valid).
#
# Two processes answering the same interview used to record its start and completion twice and
# store two answers as attempt 1. Writes now take the lock before reading; these indexes make
# the database itself refuse such duplicates. Duplicates already stored are repaired first:
# attempts are renumbered in the order they were saved, and a repeated start or completion of
# one interview is removed from the activity log and from its day's totals.
M4_UNIQUE_IDS_AND_ONCE_ONLY_EVENTS = """
CREATE TABLE interview_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO interview_new (id, profile_id, type, role, level, stack, status, question_count,
    seed, provider, created_at, started_at, completed_at, overall, summary)
SELECT id, profile_id, type, role, level, stack, status, question_count,
    seed, provider, created_at, started_at, completed_at, overall, summary FROM interview;
DROP TABLE interview;
ALTER TABLE interview_new RENAME TO interview;
CREATE INDEX ix_interview_profile_created ON interview(profile_id, created_at);
CREATE INDEX ix_interview_profile_status ON interview(profile_id, status);
CREATE INDEX ix_interview_profile_type ON interview(profile_id, type);

UPDATE interview_feedback SET attempt = (
    SELECT count(*) FROM interview_feedback AS earlier
    WHERE earlier.question_id = interview_feedback.question_id
      AND earlier.id <= interview_feedback.id
);
CREATE UNIQUE INDEX ux_feedback_question_attempt ON interview_feedback(question_id, attempt);

CREATE TEMP TABLE repeated_event AS
    SELECT id, profile_id, local_day, type, points FROM activity AS a
    WHERE a.interview_id IS NOT NULL
      AND a.type IN ('interview_started', 'interview_completed')
      AND a.id > (SELECT min(b.id) FROM activity AS b
                  WHERE b.interview_id = a.interview_id AND b.type = a.type);
UPDATE daily_activity SET
    count = count - (SELECT count(*) FROM repeated_event AS r
                     WHERE r.profile_id = daily_activity.profile_id
                       AND r.local_day = daily_activity.day),
    points = points - (SELECT coalesce(sum(r.points), 0) FROM repeated_event AS r
                       WHERE r.profile_id = daily_activity.profile_id
                         AND r.local_day = daily_activity.day),
    interviews_completed = interviews_completed - (
        SELECT count(*) FROM repeated_event AS r
        WHERE r.profile_id = daily_activity.profile_id AND r.local_day = daily_activity.day
          AND r.type = 'interview_completed')
WHERE EXISTS (SELECT 1 FROM repeated_event AS r
              WHERE r.profile_id = daily_activity.profile_id AND r.local_day = daily_activity.day);
DELETE FROM daily_activity WHERE count <= 0;
DELETE FROM activity WHERE id IN (SELECT id FROM repeated_event);
DROP TABLE repeated_event;
CREATE UNIQUE INDEX ux_activity_interview_once ON activity(interview_id, type)
    WHERE interview_id IS NOT NULL AND type IN ('interview_started', 'interview_completed');
"""

# The answer path reads two things that grew with history: the 20 latest scores ("Consistently
# Strong") were found by sorting all of a profile's answers by time, and a question without a
# bank id was matched to its earlier attempts by scanning every stored question's text. With
# these the first reads the newest answers in order and stops at 20, and the second looks the
# text up; the text index holds only the questions that need it (no bank id).
M5_ANSWER_PATH_INDEXES = """
CREATE INDEX ix_feedback_created ON interview_feedback(created_at);
CREATE INDEX ix_question_text_unbanked ON interview_question(text) WHERE bank_id IS NULL;
"""

# Spend guards: tokens, audio seconds and characters each cloud call used, with its estimated
# cost (NULL when the model is not in the price table). Rows outside an interview (doctor,
# `audio speak`) keep interview_id NULL; deleting an interview deletes its usage.
M7_USAGE = """
CREATE TABLE usage (
    id INTEGER PRIMARY KEY,
    profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
    interview_id INTEGER REFERENCES interview(id) ON DELETE CASCADE,
    capability TEXT NOT NULL,
    model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    audio_seconds FLOAT NOT NULL DEFAULT 0,
    characters INTEGER NOT NULL DEFAULT 0,
    cost_usd FLOAT,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_usage_interview ON usage(interview_id);
CREATE INDEX ix_usage_profile ON usage(profile_id, created_at);
"""

# The job pool (preppath/jobs/): slow work (scoring, transcription, speech) runs as persisted
# jobs so that a killed process leaves work to resume rather than lost. (kind, key) is unique:
# enqueueing the same work twice finds the first job. An answer is stored the moment it is
# given, before its score: `scoring` is pending until its job writes the feedback row (and
# `feedback_id`) in the same transaction that finishes the job, or failed with the reason.
M6_JOB_POOL = """
CREATE TABLE job (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    payload JSON NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    next_attempt_at DATETIME NOT NULL,
    last_error TEXT,
    result JSON,
    lease_owner TEXT,
    lease_expires_at DATETIME,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (kind, key)
);
CREATE INDEX ix_job_status_next ON job(status, next_attempt_at);
CREATE INDEX ix_job_profile_status ON job(profile_id, status);
CREATE TABLE answer (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id INTEGER NOT NULL REFERENCES interview_question(id) ON DELETE CASCADE,
    answer_text TEXT NOT NULL,
    answer_source TEXT NOT NULL,
    delivery JSON,
    scoring TEXT NOT NULL,
    scoring_error TEXT,
    feedback_id INTEGER REFERENCES interview_feedback(id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX ix_answer_question ON answer(question_id, scoring);
"""
# Sync (issue 9, items 1-2). Every record that syncs gets a stable global ID (a UUID4, filled
# here for existing rows and by a trigger for new ones, so no insert elsewhere has to know)
# beside its integer ID, which stays local; a delete leaves a tombstone so the deletion can
# travel to other machines; interviews and questions, the records that change after they are
# made, carry updated_at (set by a trigger on every change) so concurrent edits resolve by
# time. sync_state remembers the remote manifest a profile last merged. Recording paths become
# keys relative to the data folder: an older absolute path is rewritten as
# recordings/<interview>/<file name>.
_UUID4_SQL = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'"
    " || substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (random() & 3), 1)"
    " || substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))"
)
_NOW_SQL = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"  # the ORM's layout, to the microsecond
_SYNCED_TABLES = (
    "profile",
    "interview",
    "interview_question",
    "interview_feedback",
    "interview_recording",
    "activity",
    "user_achievement",
)


def _identity_sql(table: str) -> str:
    return f"""
ALTER TABLE {table} ADD COLUMN global_id TEXT;
UPDATE {table} SET global_id = {_UUID4_SQL};
CREATE UNIQUE INDEX ux_{table}_global_id ON {table}(global_id);
CREATE TRIGGER {table}_global_id AFTER INSERT ON {table} WHEN NEW.global_id IS NULL BEGIN
    UPDATE {table} SET global_id = {_UUID4_SQL} WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table} BEGIN
    INSERT OR IGNORE INTO sync_tombstone (kind, global_id, deleted_at)
    VALUES ('{table}', OLD.global_id, {_NOW_SQL});
END;
"""


def _updated_at_sql(table: str, fill: str) -> str:
    return f"""
ALTER TABLE {table} ADD COLUMN updated_at DATETIME;
UPDATE {table} SET updated_at = {fill};
CREATE TRIGGER {table}_updated_at AFTER UPDATE ON {table}
WHEN NEW.updated_at IS OLD.updated_at BEGIN
    UPDATE {table} SET updated_at = {_NOW_SQL} WHERE rowid = NEW.rowid;
END;
"""


M8_SYNC_IDENTITY = (
    """
CREATE TABLE sync_tombstone (
    kind TEXT NOT NULL,
    global_id TEXT NOT NULL,
    deleted_at DATETIME NOT NULL,
    PRIMARY KEY (kind, global_id)
);
CREATE TABLE sync_state (
    profile_id INTEGER PRIMARY KEY REFERENCES profile(id) ON DELETE CASCADE,
    manifest_etag TEXT,
    manifest_sha256 TEXT,
    synced_at DATETIME
);
"""
    + "".join(_identity_sql(t) for t in _SYNCED_TABLES)
    + _updated_at_sql("interview", "coalesce(completed_at, started_at, created_at)")
    + _updated_at_sql(
        "interview_question",
        "(SELECT coalesce(i.completed_at, i.started_at, i.created_at) FROM interview AS i"
        " WHERE i.id = interview_id)",
    )
    + """
UPDATE interview_recording SET path = 'recordings/'
    || (SELECT q.interview_id FROM interview_question AS q WHERE q.id = question_id) || '/'
    || replace(path, rtrim(path, replace(path, '/', '')), '')
WHERE substr(path, 1, 1) = '/';
"""
)

# Batch plans (`preppath batch run`): which interview each of a plan's entries created, keyed by
# the plan file's hash, so a re-run after an interruption answers into the same interviews. The
# row is written in the transaction that creates the interview; deleting the interview drops it.
M9_BATCH_PLAN_INTERVIEWS = """
CREATE TABLE batch_interview (
    profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
    plan_sha256 TEXT NOT NULL,
    plan_index INTEGER NOT NULL,
    interview_id INTEGER NOT NULL REFERENCES interview(id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (profile_id, plan_sha256, plan_index)
);
CREATE INDEX ix_batch_interview_interview ON batch_interview(interview_id);
"""

# Lifetime score sums per dimension and key (issue 11): what stats' weakest topics and the
# Polyglot and Perfect Answer checks need is over all time, and reading it from the monthly
# rollup meant reading months x topics rows (tens of thousands after five years) on every answer
# and every `stats`. Topics, which nothing shows by month, leave the monthly rollup.
M10_LIFETIME_SCORE_TOTALS = """
CREATE TABLE score_total (
    profile_id INTEGER NOT NULL REFERENCES profile(id) ON DELETE CASCADE,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    answers INTEGER NOT NULL,
    sum_overall INTEGER NOT NULL,
    max_overall INTEGER NOT NULL,
    PRIMARY KEY (profile_id, dimension, key)
);
INSERT INTO score_total
    SELECT profile_id, dimension, key, sum(answers), sum(sum_overall), max(max_overall)
    FROM score_month GROUP BY profile_id, dimension, key;
DELETE FROM score_month WHERE dimension = 'tag';
"""

# `stats` in a terminal (issue 11): the monthly rows of a few keys (all, each type, the 15
# most-practised technologies) found by key, instead of scanning every technology's months.
M11_SCORE_MONTH_BY_KEY = """
CREATE INDEX ix_score_month_key ON score_month(profile_id, dimension, key, month);
"""

MIGRATIONS: tuple[str, ...] = (
    M1_INITIAL,
    M2_RETAKE_QUEUE,
    M3_SCORE_ROLLUP,
    M4_UNIQUE_IDS_AND_ONCE_ONLY_EVENTS,
    M5_ANSWER_PATH_INDEXES,
    M6_JOB_POOL,
    M7_USAGE,
    M8_SYNC_IDENTITY,
    M9_BATCH_PLAN_INTERVIEWS,
    M10_LIFETIME_SCORE_TOTALS,
    M11_SCORE_MONTH_BY_KEY,
)
LATEST = len(MIGRATIONS)


def apply(db: sqlite3.Connection, current: int, target: int = LATEST) -> None:
    """Run steps current+1..target, each in its own transaction with its version bump.

    One script per step, because sqlite3's executescript commits any transaction it finds open.
    Foreign keys are off while migrating (a pragma that cannot change inside a transaction): a
    step that rebuilds a table drops the old one, which must not cascade to the rows that point
    at it. A step that leaves more broken references than it found is rolled back.
    """
    db.execute("PRAGMA foreign_keys = OFF")
    for version in range(current + 1, target + 1):
        script = f"BEGIN IMMEDIATE;\n{MIGRATIONS[version - 1]}\nPRAGMA user_version = {version};"
        try:
            broken = len(db.execute("PRAGMA foreign_key_check").fetchall())
            db.executescript(script)  # leaves the step's transaction open for the check
            if len(db.execute("PRAGMA foreign_key_check").fetchall()) > broken:
                raise sqlite3.IntegrityError(f"schema step {version} would break references")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
