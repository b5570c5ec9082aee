"""``benchmarks/bench_rate_budget.py --quick`` runs end to end and writes its results.

No timing is asserted (speed claims live in the benchmark's own ratios, never in tests): this
checks that every client runs against the loopback emulator (in its own process, rate limit
on), that our clients import every file, and that the script writes a Markdown table, a data
file and a well-formed SVG chart.

The official ``rossum-api`` clients need ``rossum-api==3.17.0`` from the package index. Only if
that install fails for want of the network does the run leave them out; the test then checks
our part and reports itself as skipped, saying why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_rate_budget.py"
SVG = "{http://www.w3.org/2000/svg}"


def test_quick_run_writes_table_data_and_chart(tmp_path: Path, official_venv: Path | str) -> None:
    no_official = isinstance(official_venv, str)
    command = [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)]
    command += ["--skip-official"] if no_official else ["--official-venv", str(official_venv)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]

    data = json.loads((tmp_path / "benchmarks" / "rate-budget.json").read_text())
    expected = ["ours-bulk", "ours-nursery"] + (
        [] if no_official else ["official-async", "official-sync"]
    )
    assert [row["client"] for row in data["budget"]] == expected
    assert [(r["client"], r["pacing"]) for r in data["no_budget"]] == [
        ("ours-bulk", "default"),
        ("ours-nursery", "default"),
        ("ours-bulk", "off"),
        ("ours-nursery", "off"),
    ]
    for row in data["budget"] + data["no_budget"]:
        assert row["files"] > 0 and row["requests"] > 0, row
        assert row["done"] + row["failed"] == row["files"], row
        if row["client"].startswith("ours"):
            # Every file imported, and our own counters agree with the server's.
            assert row["done"] == row["files"], row
            assert row["client_requests"] == row["requests"], row
    assert data["targets"], "no targets evaluated"

    page = (tmp_path / "benchmarks.md").read_text()
    section = page.split("<!-- rate-budget:start -->", 1)[1].split("<!-- rate-budget:end -->")[0]
    assert "| client | imported | on server | wall (s) | requests | per file |" in section
    assert "quick smoke run" in section
    rows = data["budget"] + data["no_budget"]
    table_rows = [
        line for line in section.splitlines() if line.startswith("| (") and "rossum" in line
    ]
    # One line per measured row, named by its letter: (a) ... (d).
    assert [line[2:5] for line in table_rows] == [r["label"][:3] for r in rows]
    assert "](benchmarks/rate-budget.svg)" in section

    svg = ElementTree.parse(tmp_path / "benchmarks" / "rate-budget.svg").getroot()
    assert svg.tag == f"{SVG}svg"
    assert float(svg.get("width", 0)) > 0 and float(svg.get("height", 0)) > 0
    texts = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    for label in ("(a) rossum-trio bulk", "(b) rossum-trio per file"):
        assert label in texts
    # Two bars (wall time, requests per file) per client at least.
    bars = [r for r in svg.iter(f"{SVG}rect") if r.get("height") == "18"]
    assert len(bars) >= 2 * len(data["budget"])

    if no_official:
        pytest.skip(f"our part checked; the official clients were left out: {official_venv}")
