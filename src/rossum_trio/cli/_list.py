"""``rossum-trio list queues|annotations``: a table on a terminal, JSON lines otherwise.

JSON lines are the API's objects as it sent them (one per line); the table picks a few
columns (and, for annotations, sideloads the documents for their file names).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import msgspec
import trio

from rossum_trio._params import parse_resource_id_from_url
from rossum_trio.cli._checks import UsageError
from rossum_trio.cli._connect import Target, check_queue, connect, fatal_errors
from rossum_trio.cli._export import export_filters
from rossum_trio.cli._progress import make_display, retries_shown_on, run_guarded

_COLUMNS = {
    "queues": ("id", "name", "workspace", "to_review", "importing", "exported"),
    "annotations": ("id", "status", "arrived_at", "file name", "queue"),
}


def _id_of(url: object) -> str:
    if isinstance(url, str):
        try:
            return str(parse_resource_id_from_url(url))
        except ValueError:
            return url
    return ""


def _row(what: str, item: dict[str, Any]) -> list[str]:
    if what == "queues":
        counts = item.get("counts") or {}
        return [
            str(item.get("id", "")),
            str(item.get("name", "")),
            _id_of(item.get("workspace")),
            *(str(counts.get(key, "")) for key in ("to_review", "importing", "exported")),
        ]
    document = item.get("document")
    name = document.get("original_file_name", "") if isinstance(document, dict) else ""
    return [
        str(item.get("id", "")),
        str(item.get("status", "")),
        str(item.get("arrived_at") or ""),
        str(name),
        _id_of(item.get("queue")),
    ]


def _print_table(what: str, rows: list[list[str]], out: TextIO, *, rich: bool) -> None:
    columns = _COLUMNS[what]
    if rich:
        try:
            from rich.console import Console
            from rich.table import Table
        except ImportError:
            pass
        else:
            table = Table(*columns, title=f"{len(rows)} {what}")
            for row in rows:
                table.add_row(*row)
            Console(file=out).print(table)
            return
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def list_main(options: argparse.Namespace) -> int:
    """``rossum-trio list``."""
    if options.what == "queues":
        given = [f for f in ("status", "arrived_after", "arrived_before") if getattr(options, f)]
        if options.queue is not None:
            given.append("queue")
    else:
        given = [f for f in ("workspace", "name") if getattr(options, f)]
    if given:
        flag = "--" + given[0].replace("_", "-")
        raise UsageError(f"{flag} does not apply to rossum-trio list {options.what}")
    return trio.run(_list, options, connect(options, preload=options.samples))


async def _list(options: argparse.Namespace, target: Target) -> int:
    out = sys.stdout
    table = options.format == "table" or (options.format is None and out.isatty())
    display = make_display(sys.stderr, target.client, plain=True)
    rows: list[list[str]] = []
    count = 0

    async def work() -> None:
        nonlocal count
        filters: dict[str, Any] = {}
        if options.what == "annotations":
            filters.update(export_filters(options))
            if options.queue is not None or target.base_url is None:
                await check_queue(target)
                filters["queue"] = target.queue_id
            if table:
                filters["sideloads"] = ["documents"]
        else:
            if options.workspace is not None:
                filters["workspace"] = options.workspace
            if options.name:
                filters["name"] = options.name
        listing = target.client.request_paginated(
            options.what, ordering=["id"], page_size=100, **filters
        )
        async for item in listing:
            if options.limit is not None and count >= options.limit:
                await listing.aclose()
                break
            count += 1
            if table:
                rows.append(_row(options.what, item))
            else:
                out.write(msgspec.json.encode(item).decode() + "\n")

    async with target.client:
        with retries_shown_on(display, verbose=options.verbose), fatal_errors(target):
            reason = await run_guarded(work, timeout=options.timeout)
    if table:
        _print_table(options.what, rows, out, rich=out.isatty())
    out.flush()
    if reason is not None:
        what = "interrupted" if reason == "interrupt" else "timed out"
        print(f"{what} after {count} {options.what}", file=sys.stderr)
        return 130 if reason == "interrupt" else 124
    return 0
