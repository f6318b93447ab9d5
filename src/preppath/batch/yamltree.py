"""YAML read as plain values plus the line each value stands on, for `FILE:LINE: message`.

PyYAML's composer keeps a mark on every node; `safe_load` throws them away. So the document is
composed, and its node tree turned into dicts, lists and scalars here, noting each value's line
under its path (("interviews", 0, "role") -> 7). Scalars are built by PyYAML's own safe
constructor, so `3`, `true` and `"3"` keep the types YAML gives them. Repeated keys, which
`safe_load` silently resolves to the last one, are reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

KeyPath = tuple[str | int, ...]

MAX_NODES = 50_000
"""Aliases can make a small file expand enormously ("billion laughs"); a plan is never this big."""


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class YamlTree:
    value: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def line(self, path: KeyPath) -> int:
        """The line of `path`, or of its nearest ancestor that has one."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def load_tree(text: str) -> YamlTree:
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        tree = YamlTree(None)
        if node is not None:
            budget = [MAX_NODES]
            tree.value = _convert(loader, node, (), tree, budget)
        return tree
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _convert(
    loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, tree: YamlTree, budget: list[int]
) -> Any:
    import yaml

    budget[0] -= 1
    if budget[0] < 0:
        raise YamlSyntaxError(node.start_mark.line + 1, "the plan is too large (aliases?)")
    tree.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            )
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                tree.problems.append((line, "keys must be names (text)"))
                continue
            if key in out:
                tree.problems.append((line, f"{key!r} is given twice"))
                continue
            tree.lines[(*path, key)] = line
            out[key] = _convert(loader, value_node, (*path, key), tree, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, (*path, i), tree, budget) for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node)
