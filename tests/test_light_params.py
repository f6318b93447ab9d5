"""Parameter conversion without pydantic (cli/lightparams.py) gives what typer's adapters give,
for every parameter of every command, on values it takes and values it rejects."""

from __future__ import annotations

from typing import Any

import pytest
from typer import _coercion
from typer._click import Context

from preppath.cli import lightparams
from preppath.cli.app import build_command
from preppath.cli.lightparams import LightRuntimeParam

SAMPLES = [
    "5",
    "-3",
    "0",
    "80",
    "450",
    "451",
    "007",
    "+5",
    " 5",
    "5.0",
    "1.5",
    "60.5",
    "1e3",
    "",
    "abc",
    "99999999999999999999999",
    "technical",
    "TECH",
    "behavioural",
    "sd",
    "quiz",
    "pending",
    "Completed",
    "senior",
    "sr",
    "2026-11-20",
    "notes.txt",
    "/no/such/dir/file.wav",
    ("python", "sql"),
    (),
    5,
    1.5,
]


def _every_parameter() -> list[tuple[str, Any, Any]]:
    found = []

    def walk(path: str, command: Any) -> None:
        for param in command.params:
            found.append((f"{path} {param.name}", command, param))
        for name in list(getattr(command, "commands", {})):
            walk(f"{path} {name}", command.commands[name])

    walk("preppath", build_command())
    return found


PARAMETERS = _every_parameter()


def _outcome(runtime: Any, value: Any, param: Any, ctx: Context) -> tuple[str, Any]:
    try:
        return "value", runtime._coerce_value(value, param=param, ctx=ctx)
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize(("where", "command", "param"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_light_conversion_agrees_with_typer(where: str, command: Any, param: Any) -> None:
    """Each sample value converts to the same value as typer's own adapter gives, or fails with
    the same error."""
    runtime = param.get_runtime_param()
    if param.type_descriptor.file_annotation is not None:
        # A file parameter keeps typer's own conversion (none exists today).
        assert not isinstance(runtime, LightRuntimeParam), where
        return
    assert isinstance(runtime, LightRuntimeParam)
    typer_own = _coercion.build_runtime_param(param.type_descriptor)
    ctx = Context(command)
    for value in SAMPLES:
        light = _outcome(runtime, value, param, ctx)
        assert light == _outcome(typer_own, value, param, ctx), (where, value)


def test_plain_values_skip_pydantic() -> None:
    """A whole number, an interview type and a text value are converted without building
    typer's pydantic adapter."""
    commands = build_command()
    ctx = Context(commands)
    create = commands.commands["interview"].commands["create"]  # type: ignore[attr-defined]
    names = {p.name: p for p in create.params}
    for name, value in (("count", "3"), ("type_", "sd"), ("role", "Backend"), ("stack", ("go",))):
        param = names[name]
        runtime = lightparams._build(param.type_descriptor)  # fresh: nothing built yet
        runtime._coerce_value(value, param=param, ctx=ctx)
        assert "_typer" not in runtime.__dict__, name
