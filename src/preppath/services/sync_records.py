"""A profile's records as a manifest (what sync uploads), and a manifest merged into them.

Records are matched by global ID, never by their local integer IDs (which differ between
machines); the links between them travel as the parent's global ID. Merging is deterministic,
so two machines that merge each other's manifests reach the same records:

- a record only one side has is added, unless either side holds its tombstone (delete wins);
- an interview or question both sides changed keeps the later `updated_at` (a tie goes to the
  larger canonical JSON, so both sides pick the same one); the other side's edit to that
  record is replaced, but no record is ever dropped for it;
- activity and achievements merge as sets: an achievement unlocked on both machines, or the
  start or completion of one interview recorded on both, is kept once (the earliest, ties by
  global ID), so points and streaks add up without double counting;
- answers to one question from both machines are all kept and their attempts renumbered by
  time; the day totals and monthly score sums are rebuilt from the merged records.

Standard library only, like the rest of the write path.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

FORMAT = 1


@dataclass(frozen=True)
class Kind:
    table: str
    select: str
    """Rows of one profile (`?`), with the parent's global ID as `_parent`."""
    parent_column: str | None = None
    parent_table: str | None = None
    mutable: bool = False
    local_only: tuple[str, ...] = ()


_BASE_LOCAL = ("id", "profile_id", "_parent")
KINDS = (
    Kind("interview", "SELECT t.*, NULL AS _parent FROM interview t WHERE t.profile_id = ?",
         mutable=True),
    Kind(
        "interview_question",
        "SELECT t.*, i.global_id AS _parent FROM interview_question t"
        " JOIN interview i ON i.id = t.interview_id WHERE i.profile_id = ?",
        "interview_id", "interview", mutable=True,
    ),
    Kind(
        "interview_feedback",
        "SELECT t.*, q.global_id AS _parent FROM interview_feedback t"
        " JOIN interview_question q ON q.id = t.question_id"
        " JOIN interview i ON i.id = q.interview_id WHERE i.profile_id = ?",
        "question_id", "interview_question",
    ),
    Kind(
        "interview_recording",
        "SELECT t.*, q.global_id AS _parent FROM interview_recording t"
        " JOIN interview_question q ON q.id = t.question_id"
        " JOIN interview i ON i.id = q.interview_id WHERE i.profile_id = ?",
        "question_id", "interview_question", local_only=("path",),
    ),
    Kind(
        "activity",
        "SELECT t.*, i.global_id AS _parent FROM activity t"
        " LEFT JOIN interview i ON i.id = t.interview_id WHERE t.profile_id = ?",
        "interview_id", "interview",
    ),
    Kind("user_achievement",
         "SELECT t.*, NULL AS _parent FROM user_achievement t WHERE t.profile_id = ?"),
)  # fmt: skip
BY_TABLE = {k.table: k for k in KINDS}


def canonical(value: Any) -> bytes:
    """The one byte form of a manifest or record: equal content, equal bytes (and hash)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def export(db: sqlite3.Connection, profile_id: int) -> dict[str, Any]:
    """The profile's records and every tombstone, as the manifest holds them."""
    db.row_factory = sqlite3.Row
    try:
        (name, gid) = db.execute(
            "SELECT name, global_id FROM profile WHERE id = ?", (profile_id,)
        ).fetchone()
        records: dict[str, dict[str, Any]] = {}
        for kind in KINDS:
            rows = db.execute(kind.select, (profile_id,)).fetchall()
            records[kind.table] = {row["global_id"]: _record(kind, row) for row in rows}
        tombstones: dict[str, dict[str, str]] = {}
        for kind_name, tgid, at in db.execute(
            "SELECT kind, global_id, deleted_at FROM sync_tombstone"
        ):
            tombstones.setdefault(kind_name, {})[tgid] = at
    finally:
        db.row_factory = None
    return {
        "format": FORMAT,
        "profile": {"name": name, "global_id": gid},
        "records": records,
        "tombstones": tombstones,
    }


def _record(kind: Kind, row: sqlite3.Row) -> dict[str, Any]:
    skip = {*_BASE_LOCAL, *kind.local_only, *(c for c in [kind.parent_column] if c)}
    out = {k: row[k] for k in row.keys() if k not in skip}  # noqa: SIM118 (Row has no iter)
    if kind.parent_column:
        out["parent"] = row["_parent"]
    if kind.table == "interview_recording":
        out["name"] = str(row["path"]).rsplit("/", 1)[-1]
    return out


def blobs_of(manifest: dict[str, Any]) -> dict[str, int]:
    """The recordings a manifest needs, by sha256, with their sizes."""
    recordings = manifest.get("records", {}).get("interview_recording", {})
    return {r["sha256"]: int(r["size_bytes"]) for r in recordings.values()}


def empty(profile: str) -> dict[str, Any]:
    return {"format": FORMAT, "profile": {"name": profile, "global_id": None},
            "records": {k.table: {} for k in KINDS}, "tombstones": {}}  # fmt: skip


@dataclass
class MergeResult:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    removed_files: list[tuple[int, list[str]]] = field(default_factory=list)
    """(interview id, recording keys) whose files go once the merge is committed."""


Placer = Callable[[str, int, str], str]
"""Given a blob's sha256, its interview's local ID and its file name, publish the downloaded
file and return its key (called inside the merge transaction, just before the commit)."""


def merge(
    db: sqlite3.Connection,
    profile_id: int,
    remote: dict[str, Any],
    tz: tzinfo,
    place: Placer,
) -> MergeResult:
    """Merge `remote` into the profile's records, inside the caller's write transaction."""
    if remote.get("format") != FORMAT:
        from preppath.errors import ExitCode, PrepPathError

        raise PrepPathError(
            f"the remote manifest has format {remote.get('format')!r}; this PrepPath reads "
            f"format {FORMAT}",
            ExitCode.DATA,
        )
    from preppath.progress.achievements import sync_catalogue

    sync_catalogue(db)  # unlocks point at the catalogue, which a new database may not hold yet
    known_achievements = {a for (a,) in db.execute("SELECT id FROM achievement")}
    result = MergeResult()
    gid = remote.get("profile", {}).get("global_id")
    if gid:  # the first machine to push named the profile; the others adopt its ID
        db.execute("UPDATE profile SET global_id = ? WHERE id = ?", (gid, profile_id))
    for kind_name, stones in remote.get("tombstones", {}).items():
        db.executemany(
            "INSERT OR IGNORE INTO sync_tombstone (kind, global_id, deleted_at) VALUES (?, ?, ?)",
            [(kind_name, g, at) for g, at in stones.items()],
        )
    dead = _tombstoned(db)
    touched_questions: set[int] = set()
    local_ids: dict[str, dict[str, int]] = {}
    for kind in KINDS:
        columns = _columns(db, kind.table)
        ids = _local_ids(db, kind, profile_id)
        local_ids[kind.table] = ids
        for rgid, record in sorted(remote.get("records", {}).get(kind.table, {}).items()):
            if (kind.table, rgid) in dead:
                continue
            if kind.table == "user_achievement" and record["achievement_id"] not in (
                known_achievements
            ):
                continue  # unlocked in a newer PrepPath: kept there, not known here
            if rgid in ids:
                if kind.mutable and _update_if_newer(db, kind, ids[rgid], record, columns):
                    result.updated += 1
                continue
            parent_id: int | None = None
            if kind.parent_table:
                parent = record.get("parent")
                parent_id = local_ids[kind.parent_table].get(parent) if parent else None
                if parent and parent_id is None and kind.table != "activity":
                    continue  # its parent is gone (deleted here): it goes with it
                # Activity outlives its interview (its points and streak days stay), as a
                # local delete leaves it with the link cleared.
            new_id = _insert(db, kind, profile_id, record, parent_id, columns, place)
            if new_id is not None:
                ids[rgid] = new_id
                result.added += 1
                if kind.table == "interview_feedback" and parent_id is not None:
                    touched_questions.add(parent_id)
    result.deleted, result.removed_files = _apply_tombstones(db, profile_id, dead)
    for question_id in sorted(touched_questions):
        _renumber_attempts(db, question_id)
    if result.added or result.updated or result.deleted:
        rebuild_derived(db, profile_id, tz)
    return result


def _tombstoned(db: sqlite3.Connection) -> set[tuple[str, str]]:
    return {(k, g) for k, g in db.execute("SELECT kind, global_id FROM sync_tombstone")}


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _local_ids(db: sqlite3.Connection, kind: Kind, profile_id: int) -> dict[str, int]:
    db.row_factory = sqlite3.Row
    try:
        return {r["global_id"]: r["id"] for r in db.execute(kind.select, (profile_id,))}
    finally:
        db.row_factory = None


def _update_if_newer(
    db: sqlite3.Connection, kind: Kind, local_id: int, record: dict[str, Any], columns: set[str]
) -> bool:
    db.row_factory = sqlite3.Row
    try:
        row = db.execute(
            kind.select.replace("WHERE", "WHERE t.id = ? AND", 1),
            (local_id, _profile_of(db, kind, local_id)),
        ).fetchone()
    finally:
        db.row_factory = None
    mine = _record(kind, row)
    if _rank(record) <= _rank(mine):
        return False
    values = {k: v for k, v in record.items() if k in columns and k not in ("global_id",)}
    values.pop("parent", None)
    sets = ", ".join(f"{k} = ?" for k in values)
    db.execute(f"UPDATE {kind.table} SET {sets} WHERE id = ?", (*values.values(), local_id))
    return True


def _profile_of(db: sqlite3.Connection, kind: Kind, local_id: int) -> int:
    if kind.table == "interview":
        sql = "SELECT profile_id FROM interview WHERE id = ?"
    else:  # interview_question
        sql = (
            "SELECT i.profile_id FROM interview_question q JOIN interview i"
            " ON i.id = q.interview_id WHERE q.id = ?"
        )
    return int(db.execute(sql, (local_id,)).fetchone()[0])


def _rank(record: dict[str, Any]) -> tuple[str, bytes]:
    return (str(record.get("updated_at") or ""), canonical(record))


def _insert(
    db: sqlite3.Connection,
    kind: Kind,
    profile_id: int,
    record: dict[str, Any],
    parent_id: int | None,
    columns: set[str],
    place: Placer,
) -> int | None:
    values = {k: v for k, v in record.items() if k in columns}
    if kind.table in ("interview", "activity", "user_achievement"):
        values["profile_id"] = profile_id
    if kind.parent_column:
        values[kind.parent_column] = parent_id
    if kind.table == "user_achievement" and _lost_to_local(
        db,
        "user_achievement",
        "SELECT id, unlocked_at, global_id FROM user_achievement"
        " WHERE profile_id = ? AND achievement_id = ?",
        (profile_id, values["achievement_id"]),
        (values["unlocked_at"], values["global_id"]),
    ):
        return None
    if (
        kind.table == "activity"
        and parent_id is not None
        and values["type"] in ("interview_started", "interview_completed")
        and _lost_to_local(
            db,
            "activity",
            "SELECT id, occurred_at, global_id FROM activity WHERE interview_id = ? AND type = ?",
            (parent_id, values["type"]),
            (values["occurred_at"], values["global_id"]),
        )
    ):
        return None
    if kind.table == "interview_feedback":
        # Placed below every attempt so far; renumbered by time once all are in.
        (low,) = db.execute(
            "SELECT coalesce(min(attempt), 1) FROM interview_feedback WHERE question_id = ?",
            (parent_id,),
        ).fetchone()
        values["attempt"] = int(low) - 1
    if kind.table == "interview_recording":
        interview_id = db.execute(
            "SELECT interview_id FROM interview_question WHERE id = ?", (parent_id,)
        ).fetchone()[0]
        values["path"] = place(str(record["sha256"]), int(interview_id), str(record["name"]))
    names = list(values)
    cursor = db.execute(
        f"INSERT INTO {kind.table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
        [values[n] for n in names],
    )
    return cursor.lastrowid


def _lost_to_local(
    db: sqlite3.Connection,
    table: str,
    sql: str,
    args: tuple[Any, ...],
    theirs: tuple[str, str],
) -> bool:
    """One fact (an unlock, an interview's start) recorded on both machines under two IDs:
    keep the earliest. True when the local one stays; otherwise the local row is removed so
    the remote one takes its place (no tombstone: the fact itself lives on)."""
    row = db.execute(sql, args).fetchone()
    if row is None:
        return False
    if (str(row[1]), str(row[2])) <= (str(theirs[0]), str(theirs[1])):
        return True
    db.execute(f"DELETE FROM {table} WHERE id = ?", (row[0],))
    db.execute("DELETE FROM sync_tombstone WHERE kind = ? AND global_id = ?", (table, str(row[2])))
    return False


def _apply_tombstones(
    db: sqlite3.Connection, profile_id: int, dead: set[tuple[str, str]]
) -> tuple[int, list[tuple[int, list[str]]]]:
    deleted = 0
    files: list[tuple[int, list[str]]] = []
    local = {kind.table: _local_ids(db, kind, profile_id) for kind in KINDS}
    for kind in reversed(KINDS):  # children first, so each delete counts once
        for tgid, local_id in local[kind.table].items():
            if (kind.table, tgid) not in dead:
                continue
            if kind.table == "interview":
                keys = [
                    k for (k,) in db.execute(
                        "SELECT r.path FROM interview_recording r JOIN interview_question q"
                        " ON q.id = r.question_id WHERE q.interview_id = ?", (local_id,))
                ]  # fmt: skip
                files.append((local_id, keys))
            elif kind.table == "interview_recording":
                (key,) = db.execute(
                    "SELECT path FROM interview_recording WHERE id = ?", (local_id,)
                ).fetchone()
                files.append((-1, [key]))
            deleted += db.execute(f"DELETE FROM {kind.table} WHERE id = ?", (local_id,)).rowcount
    return deleted, files


def _renumber_attempts(db: sqlite3.Connection, question_id: int) -> None:
    rows = db.execute(
        "SELECT id FROM interview_feedback WHERE question_id = ? ORDER BY created_at, global_id",
        (question_id,),
    ).fetchall()
    # Out of the way first, so no two rows ever share an attempt number on the way.
    db.execute(
        "UPDATE interview_feedback SET attempt = -1000000 - id WHERE question_id = ?",
        (question_id,),
    )
    db.executemany(
        "UPDATE interview_feedback SET attempt = ? WHERE id = ?",
        [(n, fid) for n, (fid,) in enumerate(rows, start=1)],
    )


def rebuild_derived(db: sqlite3.Connection, profile_id: int, tz: tzinfo) -> None:
    """Day totals and monthly score sums, recomputed from the merged records."""
    db.execute("DELETE FROM daily_activity WHERE profile_id = ?", (profile_id,))
    db.execute(
        "INSERT INTO daily_activity (profile_id, day, count, points, answers, practices,"
        " interviews_completed) SELECT profile_id, local_day, count(*), sum(points),"
        " sum(type = 'question_answered'), sum(type = 'practice'),"
        " sum(type = 'interview_completed') FROM activity WHERE profile_id = ?"
        " GROUP BY local_day",
        (profile_id,),
    )
    _rebuild_rollup(db, profile_id, tz)


def _rebuild_rollup(db: sqlite3.Connection, profile_id: int, tz: tzinfo) -> None:
    from preppath.db import query
    from preppath.progress.store import add_to_rollup
    from preppath.services.reading import scores_of

    # Both rollups are sums: emptied first, so a rebuild never counts an answer twice.
    db.execute("DELETE FROM score_month WHERE profile_id = ?", (profile_id,))
    db.execute("DELETE FROM score_total WHERE profile_id = ?", (profile_id,))
    columns = ", ".join(f"f.{c}" for c in query.FEEDBACK.columns)
    rows = db.execute(
        f"SELECT {columns}, q.type, q.stack, q.tags FROM interview_feedback f"
        " JOIN interview_question q ON q.id = f.question_id"
        " JOIN interview i ON i.id = q.interview_id WHERE i.profile_id = ?",
        (profile_id,),
    ).fetchall()
    width = len(query.FEEDBACK.columns)
    for row in rows:
        feedback = query.FEEDBACK.decode(row[:width])
        qtype, stack, tags = row[width:]
        add_to_rollup(
            db,
            profile_id=profile_id,
            at=feedback["created_at"],
            tz=tz,
            qtype=qtype,
            stacks=json.loads(stack),
            tags=json.loads(tags),
            scores=scores_of(feedback),
            overall=feedback["overall"],
            delivery=feedback["delivery"],
        )


def differences(local: dict[str, Any], remote: dict[str, Any]) -> dict[str, int]:
    """How many records each side has that the other lacks or holds differently."""
    out = {"local_only": 0, "remote_only": 0, "changed": 0, "tombstones_to_send": 0}
    for kind in KINDS:
        mine = local["records"].get(kind.table, {})
        theirs = remote.get("records", {}).get(kind.table, {})
        out["local_only"] += len(mine.keys() - theirs.keys())
        out["remote_only"] += len(theirs.keys() - mine.keys())
        out["changed"] += sum(
            1 for g in mine.keys() & theirs.keys() if canonical(mine[g]) != canonical(theirs[g])
        )
    mine_t = _pairs(local.get("tombstones", {}).items())
    out["tombstones_to_send"] = len(mine_t - _pairs(remote.get("tombstones", {}).items()))
    return out


def _pairs(items: Iterable[tuple[str, dict[str, str]]]) -> set[tuple[str, str]]:
    return {(k, g) for k, stones in items for g in stones}
