"""SQLite storage: table definitions, schema migrations, and opening the database."""
