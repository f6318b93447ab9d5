"""A command group builds its commands as they are looked up (cli/lazy.py), and still lists,
suggests and runs every one of them as typer would."""

from __future__ import annotations

import re
from typing import Any

INTERVIEW_COMMANDS = ("create", "list", "show", "start", "answer", "skip", "report", "delete")


def test_a_groups_help_lists_each_command_with_its_summary(run: Any) -> None:
    """`interview --help` builds and lists every interview command in typer's order, each with
    the first line of its docstring."""
    result = run("interview", "--help")
    assert result.code == 0, result.stderr
    listed = re.findall(r"^  (\w+)  +(\S.*)$", result.stdout, re.M)
    names = [name for name, _ in listed]
    assert [n for n in names if n in INTERVIEW_COMMANDS] == list(INTERVIEW_COMMANDS)
    assert dict(listed)["answer"].startswith("Answer one question")


def test_commands_run_after_their_group_was_listed(run: Any) -> None:
    """A command works the same whether or not its group was listed before in the process,
    and a mistyped one is told the command it resembles."""
    assert run("interview", "--help").code == 0
    made = run("interview", "create", "--role", "Backend Engineer", "--stack", "python", "--json")
    assert made.code == 0, made.stderr
    shown = run("interview", "show", str(made.json()["id"]), "--json")
    assert shown.code == 0, shown.stderr
    assert len(shown.json()["questions"]) == len(made.json()["questions"])
    typo = run("interview", "answr")
    assert typo.code == 2
    assert "answer" in typo.stderr
