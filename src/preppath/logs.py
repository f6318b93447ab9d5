"""The log file: unexpected failures are written here in full, so the terminal only ever shows a
one-line error. Secrets are scrubbed before anything is written."""

from __future__ import annotations

import os
import re
import traceback
from datetime import UTC, datetime
from pathlib import Path

_KEY_PATTERN = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
MAX_LOG_BYTES = 1_000_000


def scrub(text: str) -> str:
    """Remove API keys: the configured one (from the environment) and anything key-shaped."""
    secret = os.environ.get("PREPPATH_OPENAI_API_KEY")
    if secret:
        text = text.replace(secret, "****")
    return _KEY_PATTERN.sub("sk-****", text)


def log_unexpected(exc: BaseException) -> Path | None:
    """Append the traceback to the log file; returns its path, or None if it cannot be written."""
    from preppath.paths import resolve_paths
    from preppath.storage import open_private_append, private_dir

    path = resolve_paths().log_file
    try:
        # Tracebacks can quote what the person typed: the log is as private as their answers.
        private_dir(path.parent)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            path.replace(path.with_suffix(".log.1"))  # keep one old file, bounded
        details = "".join(traceback.format_exception(exc))
        with os.fdopen(open_private_append(path), "a", encoding="utf-8") as log:
            log.write(f"{datetime.now(UTC).isoformat()} unexpected error\n{scrub(details)}\n")
    except OSError:
        return None
    return path
