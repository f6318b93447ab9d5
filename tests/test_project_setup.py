"""The project as a newcomer meets it: the README's Quick start, the examples, and a test suite
that CI cannot pass while tests quietly skip."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, subprocess_env

SYSTEM_PATH = "/usr/bin:/bin"  # no virtualenv, no preppath


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_quick_start_is_two_commands_leaving_preppath_on_path() -> None:
    """The Quick start is exactly two commands; the first activates the virtualenv before it
    runs a bare `preppath`, so the hints PrepPath prints ("preppath interview start 1") work."""
    commands = _quick_start()
    assert len(commands) == 2, commands
    first = [step.strip() for step in commands[0].split("&&")]
    assert first[0] == "python3 -m venv .venv"
    assert ". .venv/bin/activate" in first
    activate = first.index(". .venv/bin/activate")
    assert first[-1] == "preppath interview start"
    assert activate < len(first) - 1 and all(
        ".venv/bin/" not in step for step in first[activate + 1 :]
    )
    assert commands[1].strip() == "bash .ci/run"


def _examples_copy(tmp_path: Path, with_venv: bool) -> Path:
    """The examples in a project folder of their own, optionally with a .venv/bin/preppath."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples", project / "examples")
    if with_venv:
        launcher = project / ".venv" / "bin" / "preppath"
        launcher.parent.mkdir(parents=True)
        launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m preppath "$@"\n')
        launcher.chmod(0o755)
    return project


def test_examples_find_the_project_virtualenv_without_activation(tmp_path: Path) -> None:
    """With nothing on PATH but the system, examples/scripted-interview.sh finds
    .venv/bin/preppath, runs a whole interview and writes its report."""
    project = _examples_copy(tmp_path, with_venv=True)
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        ["bash", str(project / "examples" / "scripted-interview.sh")],
        env=subprocess_env(tmp_path / "home", PATH=SYSTEM_PATH),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "command not found" not in done.stderr
    assert [p.name for p in work.iterdir()] == ["report-1.md"]


def test_examples_say_how_to_get_preppath_when_it_is_nowhere(tmp_path: Path) -> None:
    """Without preppath on PATH or in .venv, an example exits 127 with one line saying what to
    do, not bash's bare "command not found"."""
    project = _examples_copy(tmp_path, with_venv=False)
    done = subprocess.run(
        ["bash", str(project / "examples" / "pipe-an-answer.sh"), "1", "1"],
        env=subprocess_env(tmp_path / "home", PATH=SYSTEM_PATH),
        input="an answer",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 127
    assert "Quick start" in done.stderr and ". .venv/bin/activate" in done.stderr
    assert "command not found" not in done.stderr


SKIPPING_SUITE = {
    "test_skips.py": (
        "import pytest\n\n"
        "def test_needs_a_recording():\n"
        "    pytest.skip('shared human recordings not found')\n\n"
        "@pytest.mark.skipif(True, reason='Chromium is not installed')\n"
        "def test_needs_chromium():\n"
        "    pass\n\n"
        "@pytest.mark.xfail(reason='a known bug', strict=True)\n"
        "def test_known_bug():\n"
        "    assert False\n\n"
        "def test_passes():\n"
        "    pass\n"
    ),
    "test_module_skip.py": "import pytest\n\npytest.importorskip('no_such_module_here')\n",
}


def _run_suite(tmp_path: Path, name: str, *options: str) -> subprocess.CompletedProcess[str]:
    suite = tmp_path / name.removesuffix(".py")
    suite.mkdir(parents=True)
    (suite / name).write_text(SKIPPING_SUITE[name], encoding="utf-8")
    plugins = ("-p", "strict_skips", "-p", "no:cacheprovider")
    args = ("-q", "-rA", "--rootdir", str(suite), *options, str(suite))
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, *args],
        env={**subprocess_env(tmp_path / "home"), "PYTHONPATH": str(ROOT / "tests")},
        cwd=suite,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_require_all_turns_every_skip_into_a_failure(tmp_path: Path) -> None:
    """Without --require-all skips pass, saying why; with it a skip and a skipif each fail with
    their reason, while an expected failure stays expected."""
    relaxed = _run_suite(tmp_path / "relaxed", "test_skips.py")
    assert relaxed.returncode == 0, relaxed.stdout
    assert "2 skipped" in relaxed.stdout and "1 xfailed" in relaxed.stdout
    strict = _run_suite(tmp_path / "strict", "test_skips.py", "--require-all")
    assert strict.returncode == 1, strict.stdout
    for reason in ("shared human recordings not found", "Chromium is not installed"):
        assert f"skipped under --require-all: {reason}" in strict.stdout
    summary = strict.stdout.strip().splitlines()[-1]
    # The skip fails in its call, the skipif in its setup (which pytest counts as an error).
    assert "1 failed" in summary and "1 error" in summary, summary
    assert "1 passed" in summary and "1 xfailed" in summary and "skipped" not in summary


def test_require_all_fails_a_module_skipped_at_import(tmp_path: Path) -> None:
    """A test module skipped by pytest.importorskip is a collection error under --require-all."""
    relaxed = _run_suite(tmp_path / "relaxed", "test_module_skip.py")
    assert "1 skipped" in relaxed.stdout, relaxed.stdout
    assert relaxed.returncode == 5  # pytest's "no tests ran": the only module was skipped
    strict = _run_suite(tmp_path / "strict", "test_module_skip.py", "--require-all")
    assert strict.returncode not in (0, 5), strict.stdout
    assert "skipped under --require-all: could not import 'no_such_module_here'" in strict.stdout


def test_ci_requires_every_test_to_run() -> None:
    """`.ci/run` hands --require-all to scripts/test, which passes its arguments to pytest."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^exec bash scripts/test --require-all", ci, flags=re.MULTILINE)
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    assert re.search(r'pytest .*"\$@"', script)
