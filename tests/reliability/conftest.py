"""The reliability suite's figures: each test's counters, collected for docs/reliability.md.

A test asks for the ``figures`` fixture and counts what it measured (see
``tests.support.figures.FIGURE_NAMES``). With ``RELIABILITY_FIGURES=path`` in the environment,
the counters of every test and its outcome are written to ``path`` (JSON) when the session ends;
``tools/reliability_report.py`` does that and rewrites the figures in ``docs/reliability.md``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.figures import Figures

_FIGURES = pytest.StashKey[Figures]()
_RESULTS: dict[str, dict[str, Any]] = {}
_STARTED = time.monotonic()


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Figures:
    """This test's counters (merged into the suite's figures when the session ends)."""
    counters = Figures()
    request.node.stash[_FIGURES] = counters
    return counters


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    entry = _RESULTS.setdefault(
        item.nodeid, {"outcome": "passed", "counts": {}, "duration": 0.0, "reason": ""}
    )
    entry["duration"] += report.duration
    if hasattr(report, "wasxfail"):
        entry["outcome"] = "xfailed" if report.skipped else "xpassed"
        entry["reason"] = str(report.wasxfail)
    elif report.failed:
        entry["outcome"] = "failed"
    elif report.skipped and entry["outcome"] == "passed":
        entry["outcome"] = "skipped"
    if report.when == "teardown":
        counters = item.stash.get(_FIGURES, None)
        if counters is not None:
            entry["counts"] = dict(counters.counts)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = os.environ.get("RELIABILITY_FIGURES")
    if not path or not _RESULTS:
        return
    with open(path, "w", encoding="utf-8") as out:
        json.dump(
            {"seconds": time.monotonic() - _STARTED, "tests": _RESULTS},
            out,
            indent=1,
            sort_keys=True,
        )
