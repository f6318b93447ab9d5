"""`pytest --require-all`: every skip becomes a failure that keeps its reason.

Some tests need things outside the repository (the shared human recordings in ../shared,
PortAudio, Chromium, setpriv); on a developer's machine they skip and say why. CI passes
`--require-all` (see .ci/run) so that a missing package or folder fails the run instead of
letting it pass with part of the suite unrun.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--require-all",
        action="store_true",
        default=False,
        help="fail every test that would skip (CI: nothing the suite needs may be missing)",
    )


def _reason(longrepr: Any) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and item.config.getoption("require_all")
        and not hasattr(report, "wasxfail")  # an expected failure is not a missing dependency
    ):
        report.outcome = "failed"
        report.longrepr = f"skipped under --require-all: {_reason(report.longrepr)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    """A whole module skipped at import (pytest.importorskip) fails too."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and collector.config.getoption("require_all"):
        report.outcome = "failed"
        report.longrepr = f"skipped under --require-all: {_reason(report.longrepr)}"
