"""Run the same commands on two source trees and say where their output differs.

    .venv/bin/python scripts/same_output.py BASE_SRC [--home DIR]

A start-up change must not change what a command prints: this runs every command below with
BASE_SRC (say, `git archive main src | tar -x -C /tmp/base`) and with this checkout's src/ on
PYTHONPATH, each side in a fresh copy of one home (an empty one, or `--home`, a copy of a
history), in the same order and with the same settings, and compares exit code, standard output
and standard error. Times shown to the minute can differ when a run crosses a minute.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Times of day the two runs cannot share (a record's creation): compared as a placeholder.
TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d)?")
ANSWER = "A list is mutable and a tuple is immutable, so a tuple can be a dict key."

# (label, extra environment, config.toml text or None, .env text or None)
SETTINGS = [
    ("defaults", {}, None, None),
    ("key in env", {"PREPPATH_OPENAI_API_KEY": "sk-compare-0123"}, None, None),
    ("blank key", {"PREPPATH_OPENAI_API_KEY": "  "}, None, None),
    (
        "config file",
        {"PREPPATH_SPEECH_RATE": "200"},
        'speech_rate = 190\nvoice = false\nretake_threshold = 70\nopenai_api_key = "sk-f"\n',
        None,
    ),
    (".env", {}, None, "PREPPATH_DAILY_MINIMUM=2\nexport PREPPATH_PROFILE=work\n"),
    ("setting the light path leaves out", {"PREPPATH_LIMIT_ALL_PER_MIN": "50"}, None, None),
    ("local server", {"PREPPATH_EVALUATION_BASE_URL": "http://127.0.0.1:9/v1"}, None, None),
]
READS = [
    ["config", "show"],
    ["config", "show", "--json"],
    ["interview", "list"],
    ["interview", "list", "--json"],
    ["interview", "list", "--page", "2"],
    ["interview", "list", "--status", "completed", "--type", "technical"],
    ["interview", "list", "--since", "2025-01-01", "--until", "2026-01-01", "--json"],
    ["heatmap"],
    ["heatmap", "--json"],
    ["streak"],
    ["streak", "--json"],
    ["stats"],
    ["stats", "--json"],
    ["achievements", "mine"],
    ["achievements", "list"],
    ["achievements", "list", "--json"],
    ["questions", "list", "--json"],
    ["jobs", "list"],
    ["--help"],
    ["interview", "--help"],
    ["interview", "list", "--page", "0"],
    ["interview", "show", "999999"],
]
# What settings change: run under each of SETTINGS (the rest run on the defaults only).
BY_SETTINGS = [["config", "show"], ["config", "show", "--json"], ["interview", "list"], ["streak"]]
WRITES = [
    ["interview", "create", "--role", "Backend Engineer", "--stack", "python", "--seed", "7"],
    ["interview", "create", "--type", "behavioral", "--role", "Lead", "--seed", "3", "--json"],
    ["interview", "show", "{id}"],
    ["interview", "show", "{id}", "--json"],
    ["interview", "answer", "{id}", "1", "--text", ANSWER],
    ["interview", "answer", "{id}", "2", "--text", ANSWER, "--json"],
    ["interview", "skip", "{id}", "3"],
    ["interview", "report", "{id}"],
    ["interview", "report", "{id}", "--format", "json"],
    ["interview", "report", "{id}", "--format", "markdown"],
    ["interview", "report", "{id}", "--format", "html"],
    ["interview", "answer", "{id}", "4", "--text", ""],
    ["interview", "list"],
    ["streak"],
    ["stats"],
    ["achievements", "mine"],
]


def run_side(src: Path, template: Path | None, work: Path) -> list[tuple[str, str]]:
    """Every command's (label, output) on one source tree, in a fresh copy of the home."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREPPATH_", "OPENAI_"))}
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    base.update(PYTHONPATH=str(src), PREPPATH_TIMEZONE="UTC", NO_COLOR="1", COLUMNS="100")
    out: list[tuple[str, str]] = []
    for label, extra, toml, dotenv in SETTINGS:
        home = work / label.replace(" ", "-")
        if template:
            shutil.copytree(template, home)
        (home / "config").mkdir(parents=True, exist_ok=True)
        if toml is not None:
            (home / "config" / "config.toml").write_text(toml, encoding="utf-8")
        cwd = work / f"cwd-{label.replace(' ', '-')}"
        cwd.mkdir()
        if dotenv is not None:
            (cwd / ".env").write_text(dotenv, encoding="utf-8")
        env = {**base, **extra, "PREPPATH_HOME": str(home)}
        commands = READS + WRITES if label == "defaults" else BY_SETTINGS
        made = ""
        for argv in commands:
            argv = [a.replace("{id}", made) for a in argv]
            done = subprocess.run(
                [sys.executable, "-m", "preppath", *argv],
                env=env,
                cwd=cwd,
                capture_output=True,
                text=True,
                check=False,
            )
            if argv[:2] == ["interview", "create"] and "--json" in argv and done.returncode == 0:
                made = str(json.loads(done.stdout)["id"])
            text = f"exit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
            text = TIME.sub("<time>", text)
            out.append((f"[{label}] preppath {' '.join(argv)}", text))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base_src", type=Path)
    parser.add_argument("--home", type=Path, help="a home to copy for every run (a history)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="preppath-same-"))
    before = run_side(args.base_src.resolve(), args.home, work / "run")
    shutil.rmtree(work / "run")  # both sides run in the same folder: paths in output agree
    after = run_side(ROOT / "src", args.home, work / "run")
    differ = 0
    for (label, old), (_, new) in zip(before, after, strict=True):
        if old != new:
            differ += 1
            print(f"DIFFERS: {label}")
            sys.stdout.writelines(
                difflib.unified_diff(old.splitlines(True), new.splitlines(True), n=1)
            )
    print(f"{len(before)} commands, {differ} with different output")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
