"""The job pool: slow work (scoring, transcription, speech) persisted in SQLite as jobs, run by
a local thread pool with per-kind concurrency and rate limits, retried with back-off, resumed
after a crash without doing any job twice. `store` holds the rows, `pool` runs them,
`handlers` says what each kind does. See docs/jobs.md."""
