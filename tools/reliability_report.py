"""Run the reliability suite and rewrite the figures of ``docs/reliability.md``.

One command (from the repository root, with the project's virtualenv)::

    .venv/bin/python tools/reliability_report.py            # run, then rewrite the figures
    .venv/bin/python tools/reliability_report.py --dry-run  # run, print, change nothing

It runs ``pytest tests/reliability`` with ``RELIABILITY_FIGURES`` set, so that the suite's
``conftest.py`` writes every test's outcome and counters (``FIGURE_NAMES`` of
``tests/support/figures.py``) to a JSON file; then it sums them and replaces the text between
``<!-- figures:start -->`` and ``<!-- figures:end -->`` in ``docs/reliability.md``. Tests marked
``xfail`` (known gaps, with the reason) are listed apart and their counters are not in the
totals. The exit status is pytest's: a failing suite still rewrites the page (with its non-zero
figures), and fails.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "reliability.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"

#: The suite's modules, by the class of issue #9 they cover (in the page's order).
CLASSES = {
    "test_reliability_credentials": "1. Credentials stay home",
    "test_reliability_secrets": "2. No secret in any text",
    "test_reliability_bulk": "3. Bulk runs never lose what happened",
    "test_reliability_hostile": "4. Whatever a server sends ends in our errors",
    "test_reliability_ending": "5. Every call ends",
    "test_reliability_rate_limits": "6. One refused 429 does not stall the client",
    "test_reliability_inputs": "7. Caller input is checked before anything is sent",
    "test_reliability_faults": "End to end under the emulator's faults",
}


def run_suite(output: Path, extra: list[str]) -> int:
    env = dict(os.environ, RELIABILITY_FIGURES=str(output))
    command = [sys.executable, "-m", "pytest", "tests/reliability", "-q", *extra]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def _module(nodeid: str) -> str:
    return Path(nodeid.split("::", 1)[0]).stem


def _n(value: int) -> str:
    return f"{value:,}"


def render(data: dict[str, Any], names: dict[str, str]) -> str:
    """The figures section (Markdown) from the suite's JSON."""
    tests: dict[str, dict[str, Any]] = data["tests"]
    totals: Counter[str] = Counter()
    per_class: dict[str, Counter[str]] = {name: Counter() for name in CLASSES}
    gaps: dict[str, list[str]] = {}
    for nodeid, entry in sorted(tests.items()):
        outcome = entry["outcome"]
        per_class.setdefault(_module(nodeid), Counter())[outcome] += 1
        if outcome == "xfailed":
            gaps.setdefault(entry["reason"], []).append(nodeid.split("::", 1)[1])
        else:
            totals.update(entry["counts"])
    t = totals
    lines = [
        f"Measured by {_n(len(tests))} tests in about {round(data['seconds'] / 10) * 10 or 10} s.",
        "",
        "| what | measured |",
        "|---|---|",
        f"| list items delivered under 25-60% faults | {_n(t['items_delivered'])} of "
        f"{_n(t['items_expected'])}: **{_n(t['items_duplicated'])} duplicated, "
        f"{_n(t['items_missing'])} missing** |",
        f"| bulk files with a final result | {_n(t['results_final'])} of {_n(t['files'])}: "
        f'**{_n(t["results_lost"])} lost** ({_n(t["results_unknown"])} said "unknown") |',
        f"| files on the server twice after a bulk run | **{_n(t['server_duplicates'])}** |",
        f"| files reported failed or not sent while on the server | "
        f"**{_n(t['on_server_reported_failed'])}** |",
        f"| secrets found in texts scanned | **{_n(t['secrets_found'])}** in "
        f"{_n(t['secrets_texts'])} |",
        f"| requests to another origin, for links offered | **{_n(t['foreign_requests'])}** for "
        f"{_n(t['foreign_links'])} |",
        f"| calls that ended on their own | {_n(t['calls_ended'])} of {_n(t['calls_started'])}: "
        f"**{_n(t['calls_started'] - t['calls_ended'])} left running** |",
        f"| in-flight slots held after calls and dropped streams | **{_n(t['slots_held'])}** at "
        f"{_n(t['slots_checked'])} checks |",
        f"| raw exceptions (not `RossumError`) for hostile answers and inputs | "
        f"**{_n(t['raw_exceptions'])}** of {_n(t['hostile_inputs'])} |",
        f"| requests sent for invalid caller input | **{_n(t['bad_inputs_sent'])}** for "
        f"{_n(t['bad_inputs'])} inputs |",
        "",
        "By class of issue #9:",
        "",
        "| class | tests | passed | failed | known gaps (xfail) |",
        "|---|---|---|---|---|",
    ]
    for module, counts in per_class.items():
        title = CLASSES.get(module, module)
        total = sum(counts.values())
        failed = counts["failed"] + counts["xpassed"]
        lines.append(f"| {title} | {total} | {counts['passed']} | {failed} | {counts['xfailed']} |")
    lines += ["", "All counters (sums over the tests that ran, known gaps excluded):", ""]
    lines += ["| counter | value | meaning |", "|---|---|---|"]
    lines += [f"| `{key}` | {_n(totals[key])} | {meaning} |" for key, meaning in names.items()]
    lines += ["", "### Known gaps", ""]
    if not gaps:
        lines.append("None: no test is marked as an expected failure.")
    for reason, nodes in gaps.items():
        shown = ", ".join(f"`{n}`" for n in nodes[:3]) + (" ..." if len(nodes) > 3 else "")
        lines.append(f"- {reason}. ({len(nodes)} test(s): {shown})")
    return "\n".join(lines)


def figure_names() -> dict[str, str]:
    """The suite's figures and what they mean (``FIGURE_NAMES`` of ``tests.support.figures``)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # as pytest's ``pythonpath = ["."]`` does
    module = importlib.import_module("tests.support.figures")
    return dict(module.FIGURE_NAMES)


def rewrite(page: Path, section: str) -> None:
    text = page.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{page} has no {START} ... {END} section")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    page.write_text(f"{head}{START}\n{section}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not rewrite the page")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "figures.json"
        status = run_suite(output, options.pytest_args)
        if not output.exists():
            print("the suite wrote no figures", file=sys.stderr)
            return status or 1
        data = json.loads(output.read_text(encoding="utf-8"))
    section = render(data, figure_names())
    if options.dry_run:
        print(section)
    else:
        rewrite(PAGE, section)
        print(f"rewrote the figures of {PAGE.relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
