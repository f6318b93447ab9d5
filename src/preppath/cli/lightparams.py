"""Typer's parameter conversion without pydantic for the values PrepPath's commands take.

Typer 0.29 converts every parameter of the command being run, given or not, through a pydantic
TypeAdapter it builds on first use: importing pydantic and building those adapters is about a
third of a read command's start-up. Here each parameter gets a converter that handles the plain
cases itself (a str, a decimal integer in range, an Enum choice, a domain parser, a path) and
hands anything else, and every value it would reject, to typer's own adapter. So accepted values
are what typer would produce and every error message is typer's own, word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any

from typer import _coercion, core
from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path

_ORIGINAL = _coercion.build_runtime_param
_INTEGER = re.compile(r"-?(0|[1-9][0-9]{0,17})")  # short enough that no int limit applies
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?")


class _Unsure(Exception):
    """The plain path does not decide this value; typer's adapter will."""


@dataclass(frozen=True)
class LightRuntimeParam(_coercion.RuntimeParam):
    descriptor: _coercion.TypeDescriptor

    @cached_property
    def _typer(self) -> _coercion.RuntimeParam:
        return _ORIGINAL(self.descriptor)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return _convert(self.descriptor, value, ctx)
        except _Unsure:
            pass
        except Exception:  # a rejected value: typer words the error
            pass
        return self._typer._coerce_value(value, param=param, ctx=ctx)


def _convert(descriptor: _coercion.TypeDescriptor, value: Any, ctx: Any) -> Any:
    annotation = descriptor.annotation
    if descriptor.is_list:
        if not isinstance(value, list | tuple):
            raise _Unsure
        (item,) = getattr(annotation, "__args__", (None,))
        if item is not str:
            raise _Unsure
        return [_text(v) for v in value]
    info = descriptor.parameter_info
    if info.parser is not None:
        return info.parser(value)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return coerce_cli_choice(
            value, choices=tuple(annotation), case_sensitive=info.case_sensitive, ctx=ctx
        )
    if annotation is str:
        return _text(value)
    if annotation is int or annotation is float:
        return _number(annotation, value, info)
    if routes_to_path(annotation, info) and annotation is Path and info.path_type is None:
        if not isinstance(value, str) or not value:
            raise _Unsure
        return coerce_cli_path(Path(value), info, path_type=Path, ctx=ctx)
    raise _Unsure


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Unsure
    return value


def _number(kind: type[Any], value: Any, info: Any) -> Any:
    if info.clamp:
        raise _Unsure
    if isinstance(value, str):
        if not (_INTEGER if kind is int else _DECIMAL).fullmatch(value):
            raise _Unsure
        number = kind(value)
    elif type(value) is kind:
        number = value
    else:
        raise _Unsure
    if (info.min is not None and number < info.min) or (info.max is not None and number > info.max):
        raise _Unsure
    return number


def _build(descriptor: _coercion.TypeDescriptor) -> _coercion.RuntimeParam:
    if descriptor.file_annotation is not None:
        return _ORIGINAL(descriptor)
    return LightRuntimeParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        descriptor=descriptor,
    )


def install() -> None:
    """Route typer's per-parameter conversion through LightRuntimeParam (idempotent)."""
    core.build_runtime_param = _build  # type: ignore[attr-defined]
