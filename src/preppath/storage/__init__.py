"""Where a person's files live: private local files (`files`), and the recording stores behind
one protocol (`base.RecordingStore`): this machine's data folder (`local`) or S3 (`s3`).

The private-file helpers are re-exported here because most of PrepPath imports them from
`preppath.storage`; this package's own import stays standard library only (every command runs
it), so the S3 store is imported from `preppath.storage.s3` by the commands that use it."""

from __future__ import annotations

from preppath.storage.files import (
    PRIVATE_DIR,
    PRIVATE_FILE,
    exact_mode,
    narrow,
    narrow_contents,
    open_private_append,
    private_dir,
    private_file,
    write_private_text,
)

__all__ = [
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "exact_mode",
    "narrow",
    "narrow_contents",
    "open_private_append",
    "private_dir",
    "private_file",
    "write_private_text",
]
