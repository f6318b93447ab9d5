"""Names a module offers but defines elsewhere, imported on first use (PEP 562).

A module keeps its public names importable from where they always were while their definitions
(dataclasses cost about a millisecond each to create, the voice stack tens) load only when
someone uses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def look_up(
    module: str,
    namespace: dict[str, Any],
    homes: Mapping[str, str],
    name: str,
    *,
    keep: bool = True,
) -> Any:
    """`name` from the module `homes` names for it; with `keep`, stored in `namespace` so the
    next use is a plain lookup (without, every use asks the defining module, so a test that
    patches it there is seen). For a module's `__getattr__`: AttributeError for other names."""
    home = homes.get(name)
    if home is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    # __import__ rather than importlib.import_module: the same import, but one that
    # `python -X importtime` reports (the start-up tests read that report).
    value = getattr(__import__(home, fromlist=[name]), name)
    if keep:
        namespace[name] = value
    return value
