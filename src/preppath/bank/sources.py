"""Which files the compiled bank is built from: named without importing the loader, so a
command that finds the build cache fresh never loads the parser, validator or their classes."""

from __future__ import annotations

from pathlib import Path

BUILTIN_DIR = Path(__file__).parent / "packs"


def pack_files(user_dir: Path | None) -> list[Path]:
    files = sorted(BUILTIN_DIR.glob("*.toml"))
    if user_dir is not None and user_dir.is_dir():
        files += sorted(user_dir.glob("*.toml"))
    return files


def code_files() -> list[Path]:
    """The modules whose change alters what a pack compiles to (types, stems, validation)."""
    root = Path(__file__).parent.parent
    return [
        root / "bank" / "loader.py",
        root / "values.py",
        root / "evaluation" / "text.py",
        root / "evaluation" / "tokens.py",
    ]
