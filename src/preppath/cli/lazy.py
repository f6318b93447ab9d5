"""Command groups imported only when they are run.

Building every group's commands means importing every CLI module (audio's alone is ~10 ms) and
describing every parameter, on every run, for the one command that is actually used. The root's
table of commands is a LazyCommands mapping instead: its names are known up front (so `--help`,
usage errors and "did you mean" list them all), and a command is imported and built the first
time it is looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING

from typer._click import Command
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_command_name, get_group
from typer.models import CommandInfo

if TYPE_CHECKING:
    from typer.core import MarkupMode

Builder = Callable[[str], Command]


def _load(module: str) -> object:
    """The module, imported as an import statement would: unlike importlib.import_module,
    `python -X importtime` reports it, and tests/test_startup.py reads that report."""
    return __import__(module, fromlist=["_"])


def group(module: str, attribute: str = "app") -> Builder:
    """A typer group defined as `attribute` (a typer.Typer) in `module`. Its own commands are
    built as they are looked up too: `interview answer` describes the parameters of one
    command, not of the group's nine (~5 ms)."""

    def build(name: str) -> Command:
        app = getattr(_load(module), attribute)
        commands = app.registered_commands
        app.registered_commands = []  # the group alone (and any groups inside it)
        try:
            built = get_group(app)
        finally:
            app.registered_commands = commands
        builders = {
            info.name or get_command_name(info.callback.__name__): _from_info(
                info, app.pretty_exceptions_short, app.rich_markup_mode
            )
            for info in commands
        }
        built.commands = LazyCommands(builders, built.commands)  # typer's order: commands first
        built.name = name
        return built

    return build


def _from_info(info: CommandInfo, short: bool, markup: MarkupMode) -> Builder:
    """What typer's get_group would have built for this command, built when asked for."""
    return lambda name: get_command_from_info(
        info, pretty_exceptions_short=short, rich_markup_mode=markup
    )


def command(module: str, function: str) -> Builder:
    """A single command: the function `function` in `module`, as `app.command()` would take it."""

    def build(name: str) -> Command:
        callback = getattr(_load(module), function)
        info = CommandInfo(name=name, callback=callback)
        return get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)

    return build


class LazyCommands(MutableMapping[str, Command]):
    """A group's commands by name: those built already, then those built on first lookup."""

    def __init__(self, builders: dict[str, Builder], built: MutableMapping[str, Command]) -> None:
        self._builders = dict(builders)
        self._built = dict(built)

    def __getitem__(self, name: str) -> Command:
        if name not in self._built:
            self._built[name] = self._builders.pop(name)(name)  # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name: str, value: Command) -> None:
        self._builders.pop(name, None)
        self._built[name] = value

    def __delitem__(self, name: str) -> None:
        if self._builders.pop(name, None) is None:
            del self._built[name]

    def __iter__(self) -> Iterator[str]:
        # The names as they stand now: typer lists a group's commands through `.items()`,
        # which builds each while this iterates.
        return iter([*self._builders, *self._built])

    def __len__(self) -> int:
        return len(self._builders) + len(self._built)

    def __contains__(self, name: object) -> bool:
        return name in self._builders or name in self._built


class LazyGroup(TyperGroup):
    """A typer group whose listing names its commands without building them (TyperGroup's
    goes through `.items()`, which would build them all)."""

    def list_commands(self, ctx: object) -> list[str]:
        return list(self.commands)


def make_lazy(root: Command, builders: dict[str, Builder]) -> Command:
    """`root`, a LazyGroup, with `builders` listed ahead of the commands it already has."""
    assert isinstance(root, LazyGroup)
    root.commands = LazyCommands(builders, root.commands)
    return root
