"""Reporting for ``bench_rate_budget.py``: one row per measured client, the targets, the
Markdown section of ``docs/benchmarks.md`` and a hand-written SVG bar chart (no plotting
dependency). Standard library only."""

from __future__ import annotations

import json
import os
import pathlib
import platform
from dataclasses import asdict, dataclass, field, fields
from html import escape
from typing import Any

API_BUDGET = 10.0  # requests per second, the real API's
START, END = "<!-- rate-budget:start -->", "<!-- rate-budget:end -->"
SVG_NAME = "rate-budget.svg"
COLOURS = {"ours": "#2b6cb0", "official": "#8a8a8a"}
THROTTLED = "#ed8936"  # the 429 share of a requests bar

CLIENTS = {
    "ours-bulk": "(a) rossum-trio bulk_upload_and_wait",
    "ours-nursery": "(b) rossum-trio upload_and_wait_until_imported × N, trio nursery",
    "official-async": "(c) rossum-api async: asyncio.gather of upload_and_wait_until_imported",
    "official-sync": "(d) rossum-api sync: upload_and_wait_until_imported in a loop",
}
SHORT = {
    "ours-bulk": "(a) rossum-trio bulk",
    "ours-nursery": "(b) rossum-trio per file",
    "official-async": "(c) rossum-api async",
    "official-sync": "(d) rossum-api sync",
}


@dataclass
class Row:
    """One client's run, as measured."""

    client: str
    label: str
    files: int
    done: int = 0
    failed: int = 0
    wall_s: float = 0.0
    requests: int = 0
    rate_limited: int = 0
    uploaded: int = 0
    import_delay_s: float = 0.0
    pacing: str = "default"
    errors: dict[str, int] = field(default_factory=dict)
    client_requests: int | None = None
    client_429s: int | None = None
    note: str = ""

    @property
    def requests_per_file(self) -> float:
        return self.requests / max(1, self.files)

    @property
    def share_429(self) -> float:
        return self.rate_limited / max(1, self.requests)

    @property
    def floor_s(self) -> float:
        return self.requests / API_BUDGET + self.import_delay_s

    @property
    def wall_over_floor(self) -> float:
        return self.wall_s / self.floor_s if self.floor_s else 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        """A row back from :meth:`to_dict` (the derived figures are computed again)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            requests_per_file=round(self.requests_per_file, 3),
            share_429=round(self.share_429, 4),
            floor_s=round(self.floor_s, 2),
            wall_over_floor=round(self.wall_over_floor, 3),
            wall_s=round(self.wall_s, 2),
        )
        return data


def targets(budget: list[Row], free: list[Row]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for the goals of issue #8."""
    out: list[tuple[str, str, bool]] = []
    by = {r.client: r for r in budget}
    for kind in ("ours-bulk", "ours-nursery"):
        row = by.get(kind)
        if row is None:
            continue
        tag = SHORT[kind][:3]
        out.append((f"{tag} every file imported", f"{row.done}/{row.files}", row.done == row.files))
        if kind == "ours-bulk":
            rpf = row.requests_per_file
            out.append((f"{tag} ≤ 1.3 requests per file", f"{rpf:.2f}", rpf <= 1.3))
        out.append((f"{tag} 429s ≤ 5 % of requests", f"{row.share_429:.1%}", row.share_429 <= 0.05))
        ratio = row.wall_over_floor
        out.append((f"{tag} wall ≤ 1.3 × floor", f"{ratio:.2f} ×", ratio <= 1.3))
    for pacing in ("default", "off"):
        pair = {r.client: r for r in free if r.pacing == pacing}
        a, b = pair.get("ours-bulk"), pair.get("ours-nursery")
        if a is None or b is None:
            continue
        where = f"no budget, pacing {pacing}:"
        fast = a.wall_s <= b.wall_s and a.done == a.files
        out.append(
            (f"{where} (a) at least as fast as (b)", f"{a.wall_s:.1f} s vs {b.wall_s:.1f} s", fast)
        )
        few = a.requests < b.requests
        out.append((f"{where} (a) fewer requests than (b)", f"{a.requests} vs {b.requests}", few))
    return out


def _failures(r: Row) -> str:
    """What went wrong in a run, in one sentence (empty if nothing did)."""
    if not r.failed and not r.note:
        return ""
    kinds = sorted(r.errors.items(), key=lambda x: -x[1])
    text = f"{SHORT[r.client]}: {r.failed} of {r.files} files failed"
    if kinds:
        text += " (" + ", ".join(f"{n} × {name}" for name, n in kinds) + ")"
    if r.note:
        text += f"; {r.note}"
    orphans = r.uploaded - r.done
    if r.failed and orphans > 0:
        text += (
            f", and {orphans} of those had reached the server (the upload was accepted, the "
            "client gave up later): sending the failed files again would duplicate them"
        )
    return text + "."


def _consequences(rows: list[Row]) -> list[str]:
    """Sentences on what the table alone does not say: failures, orphans, cross-checks."""
    lines = [text for text in map(_failures, rows) if text]
    counted = [r for r in rows if r.client_requests is not None]
    if counted:
        same = all(r.client_requests == r.requests for r in counted)
        lines.append(
            "rossum-trio's own counters (`run.stats`, `client.request_stats`) "
            + ("agree with the server's count." if same else "differ from the server's count: ")
            + ("" if same else ", ".join(f"{r.client}: {r.client_requests}" for r in counted))
        )
    return lines


def markdown(data: dict[str, Any], budget: list[Row], free: list[Row]) -> str:
    """The generated section of benchmarks.md: the setup, two tables, the targets."""
    s = data["settings"]
    quick = " (a quick smoke run: the targets are for the full run)" if s["quick"] else ""
    lines = [
        START,
        "<!-- Generated by benchmarks/bench_rate_budget.py: edit the script, not this part. -->",
        "",
        f"Measured on **{data['date']}**{quick} on {data['machine']}. The emulator ran in its "
        "own process, a fresh one for each client.",
        "",
        f"### Under the real budget: {s['rate_limit']:g} requests/s, {s['import_delay']:g} s "
        "import",
        "",
        f"Emulator `--rate-limit {s['rate_limit']:g} --import-delay {s['import_delay']:g}`. "
        "Requests and 429s are counted on the server (429 answers included); *imported*: files "
        "imported / files; *on server*: uploads the server accepted; *per file*: requests per "
        f"file; floor = requests / {API_BUDGET:g} + import delay.",
        "",
        "| client | imported | on server | wall (s) | requests | per file | 429s | floor (s) "
        "| wall / floor |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in budget:
        lines.append(
            f"| {SHORT[r.client]} | {r.done}/{r.files} | {r.uploaded} | {r.wall_s:.1f} "
            f"| {r.requests} | {r.requests_per_file:.2f} | {r.rate_limited} ({r.share_429:.0%}) "
            f"| {r.floor_s:.1f} | {r.wall_over_floor:.2f} |"
        )
    notes = _consequences(budget)
    if s["official"] is None:
        notes.append("The official clients were not measured in this run (`--skip-official`).")
    for r in budget:
        if r.files != s["files"]:
            notes.append(
                f"{SHORT[r.client]} ran {r.files} files, not {s['files']}: one file after "
                "another, each waits out at least one poll interval (3 s by default), so "
                f"{s['files']} files would take about {s['files'] / r.files * r.wall_s / 60:.0f} "
                "minutes."
            )
    lines += [""] + [f"- {n}" for n in notes]
    lines += [
        "",
        f"![Wall time and requests per file of each client under the rate budget]"
        f"(benchmarks/{SVG_NAME})",
        "",
        f"### Without a budget: {s['latency'] * 1000:g} ms per request",
        "",
        f"Emulator `--rate-limit 0 --latency {s['latency']:g} --import-delay "
        f"{s['import_delay']:g}`. Pacing *default*: the client's default settings (it still "
        "keeps to 9 requests/s against a network host); *off*: `rate_limit_per_second=None`.",
        "",
        "| client | pacing | imported | wall (s) | requests | per file | 429s |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for r in free:
        lines.append(
            f"| {SHORT[r.client]} | {r.pacing} | {r.done}/{r.files} | {r.wall_s:.1f} "
            f"| {r.requests} | {r.requests_per_file:.2f} | {r.rate_limited} |"
        )
    lines += ["", "### Targets", "", "| target | measured | |", "|---|---|---|"]
    for goal, measured, met in data["targets"]:
        lines.append(f"| {goal} | {measured} | {'met' if met else '**missed**'} |")
    lines += ["", END]
    return "\n".join(lines)


def svg_chart(rows: list[Row], title: str) -> str:
    """A hand-written bar chart: wall time (floor marked) and requests per file (429s in orange)."""
    label_w, panel_w, gap, bar_h, row_h, top = 200, 310, 30, 18, 36, 70
    width = label_w + 2 * panel_w + gap + 10
    height = top + row_h * len(rows) + 48
    max_wall = max([r.wall_s for r in rows] + [r.floor_s for r in rows] + [1.0])
    max_rpf = max([r.requests_per_file for r in rows] + [1.0])
    usable = panel_w - 120  # room for the value labels
    x1, x2 = label_w, label_w + panel_w + gap
    bottom = top + row_h * len(rows)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="10" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
        f'<text x="{x1}" y="{top - 14}" font-weight="bold">wall time (s)</text>',
        f'<line x1="{x1 + 95}" y1="{top - 22}" x2="{x1 + 95}" y2="{top - 10}" '
        'stroke="#c53030" stroke-width="2"/>',
        f'<text x="{x1 + 100}" y="{top - 14}" fill="#555555">floor</text>',
        f'<text x="{x2}" y="{top - 14}" font-weight="bold">requests per file</text>',
        f'<rect x="{x2 + 115}" y="{top - 24}" width="12" height="12" fill="{THROTTLED}"/>',
        f'<text x="{x2 + 131}" y="{top - 14}" fill="#555555">429 answers</text>',
    ]
    for x in (x1, x2):
        out.append(f'<line x1="{x}" y1="{top - 4}" x2="{x}" y2="{bottom}" stroke="#444444"/>')
    for i, r in enumerate(rows):
        y = top + i * row_h
        side = "ours" if r.client.startswith("ours") else "official"
        colour = COLOURS[side]
        status = "#c53030" if r.done < r.files else "#555555"
        out.append(f'<text x="10" y="{y + 13}">{escape(SHORT[r.client])}</text>')
        out.append(
            f'<text x="10" y="{y + 28}" font-size="11" fill="{status}">'
            f"{r.done}/{r.files} files imported</text>"
        )
        w = usable * r.wall_s / max_wall
        fx = x1 + usable * r.floor_s / max_wall
        out.append(f'<rect x="{x1}" y="{y + 2}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
        out.append(
            f'<line x1="{fx:.1f}" y1="{y - 1}" x2="{fx:.1f}" y2="{y + bar_h + 5}" '
            'stroke="#c53030" stroke-width="2"/>'
        )
        out.append(
            f'<text x="{max(x1 + w, fx) + 6:.1f}" y="{y + 15}">{r.wall_s:.1f} s '
            f"({r.wall_over_floor:.2f} × floor)</text>"
        )
        answered = (r.requests - r.rate_limited) / max(1, r.files)
        w_ok = usable * answered / max_rpf
        w_all = usable * r.requests_per_file / max_rpf
        out.append(
            f'<rect x="{x2}" y="{y + 2}" width="{w_ok:.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        if w_all > w_ok:
            out.append(
                f'<rect x="{x2 + w_ok:.1f}" y="{y + 2}" width="{w_all - w_ok:.1f}" '
                f'height="{bar_h}" fill="{THROTTLED}"/>'
            )
        out.append(
            f'<text x="{x2 + w_all + 6:.1f}" y="{y + 15}">{r.requests_per_file:.2f} '
            f"({r.share_429:.0%} were 429)</text>"
        )
    out.append(
        f'<text x="10" y="{bottom + 28}" font-size="11" fill="#555555">'
        f"floor = requests / {API_BUDGET:g} + import delay. Requests and 429s counted by the "
        "server (a loopback emulator in its own process).</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_results(
    out: pathlib.Path, data: dict[str, Any], budget: list[Row], free: list[Row]
) -> pathlib.Path:
    """Write the data file, the chart, and the section of ``benchmarks.md``; the page's path."""
    folder = out / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rate-budget.json").write_text(json.dumps(data, indent=2) + "\n")
    s = data["settings"]
    title = (
        f"Upload {s['files']} files and wait for their import: "
        f"{s['rate_limit']:g} requests/s budget, {s['import_delay']:g} s import "
        f"(measured {data['date']})"
    )
    (folder / SVG_NAME).write_text(svg_chart(budget, title))
    page = out / "benchmarks.md"
    section = markdown(data, budget, free)
    text = page.read_text() if page.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        raise SystemExit(f"{page} has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    page.write_text(head + section + tail)
    return page


def machine_note() -> str:
    model = ""
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpu = f"{os.cpu_count()} cores" + (f" ({model})" if model else "")
    return f"{cpu}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
