"""The jobs log: one line per finished attempt (kind, id, attempt, outcome, duration), in the
log folder beside preppath.log, private and scrubbed of secrets like every log PrepPath keeps."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from preppath.logs import MAX_LOG_BYTES, scrub


class JobLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()  # pool threads write whole lines, one at a time

    def record(
        self,
        *,
        job_id: int,
        kind: str,
        attempt: int,
        outcome: str,
        duration_s: float,
        error: str | None = None,
    ) -> None:
        line = (
            f"{datetime.now(UTC).isoformat(timespec='milliseconds')} job={job_id} kind={kind} "
            f"attempt={attempt} outcome={outcome} duration_ms={duration_s * 1000:.0f}"
        )
        if error:
            line += " error=" + " ".join(error.split())
        self._write(scrub(line) + "\n")

    def _write(self, line: str) -> None:
        from preppath.storage import open_private_append, private_dir

        with self._lock:
            try:
                private_dir(self.path.parent)
                if self.path.exists() and self.path.stat().st_size > MAX_LOG_BYTES:
                    self.path.replace(self.path.with_suffix(".log.1"))  # one old file, bounded
                with os.fdopen(open_private_append(self.path), "a", encoding="utf-8") as log:
                    log.write(line)
            except OSError:
                pass  # a log that cannot be written must not fail the job it describes
