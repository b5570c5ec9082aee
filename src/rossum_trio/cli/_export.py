"""Exports: the API's own export of a set of annotations, merged into one file.

Annotations are exported by id, 100 per request (``GET /queues/{id}/export?id=...``; a POST
with ``to_status``), so the set cannot shift while it is being read, and the parts are merged
into one document of the chosen format:

* ``json``: one JSON array of the API's export items (the ``results`` of every page), byte
  for byte as the API sent them;
* ``csv``: the header once, then the rows of every part, as the API wrote them;
* ``xml``: one ``<export>`` with every ``<annotation>`` under ``<results>`` (a single part is
  written as it came).

``rossum-trio export`` first lists the annotations that match its filters (read-only), then
exports them this way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any, Final, Literal
from xml.etree import ElementTree

import msgspec
import trio

from rossum_trio._client import AsyncRossumAPIClient
from rossum_trio._params import chunked
from rossum_trio.cli._checks import Output, UsageError
from rossum_trio.cli._connect import Target, check_queue, connect, fatal_errors
from rossum_trio.cli._progress import make_display, retries_shown_on, run_guarded
from rossum_trio.cli._summary import EXIT_INTERRUPTED, EXIT_OK, EXIT_TIMEOUT
from rossum_trio.errors import RossumError

#: Annotations per export request (the API's largest page).
CHUNK: Final = 100


class _Page(msgspec.Struct):
    results: list[msgspec.Raw] = []


_PAGE = msgspec.json.Decoder(_Page)
_XML_TAIL = (
    "</results><pagination><next/><previous/><total>{total}</total>"
    "<total_pages>1</total_pages></pagination></export>"
)


async def export_ids(
    client: AsyncRossumAPIClient,
    queue_id: int,
    ids: Sequence[int],
    export_format: str,
    out: IO[bytes],
    *,
    to_status: str | None = None,
    on_chunk: Callable[[int], Any] | None = None,
) -> int:
    """Export these annotations into ``out`` as one document; returns how many were exported.

    ``on_chunk(n)`` is called after each part with the number of annotations in it.
    """
    chunks = [list(chunk) for chunk in chunked(ids, CHUNK)]
    filters: dict[str, Any] = {"page_size": CHUNK}
    if to_status is not None:
        filters["to_status"] = to_status
    if export_format == "json":
        return await _export_json(client, queue_id, chunks, filters, out, on_chunk)
    if not chunks:
        if export_format == "xml":
            out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<export><results>')
            out.write(_XML_TAIL.format(total=0).encode())
        return 0
    total = 0
    for number, chunk in enumerate(chunks):
        stream = client.export_annotations_to_file(
            queue_id, export_format, id=",".join(map(str, chunk)), **filters
        )
        async with stream:
            if export_format == "csv":
                skip_header = number > 0
                async for part in stream:
                    if skip_header:
                        if b"\n" not in part:
                            continue
                        part = part.split(b"\n", 1)[1]
                        skip_header = False
                    out.write(part)
            elif len(chunks) == 1:
                async for part in stream:
                    out.write(part)
            else:
                _write_xml_part(out, await stream.read_all(), first=number == 0)
        total += len(chunk)
        if on_chunk is not None:
            on_chunk(len(chunk))
    if export_format == "xml" and len(chunks) > 1:
        out.write(_XML_TAIL.format(total=total).encode())
    return total


async def _export_json(
    client: AsyncRossumAPIClient,
    queue_id: int,
    chunks: list[list[int]],
    filters: dict[str, Any],
    out: IO[bytes],
    on_chunk: Callable[[int], Any] | None,
) -> int:
    method: Literal["GET", "POST"] = "POST" if "to_status" in filters else "GET"
    count = 0
    out.write(b"[")
    for chunk in chunks:
        params = {"format": "json", "id": ",".join(map(str, chunk)), **filters}
        response = await client.request(method, f"queues/{queue_id}/export", params=params)
        try:
            items = _PAGE.decode(response.content).results
        except msgspec.DecodeError as exc:
            raise client._problem(response, exc) from None
        for item in items:
            out.write(b"\n" if count == 0 else b",\n")
            out.write(bytes(item))
            count += 1
        if on_chunk is not None:
            on_chunk(len(chunk))
    out.write(b"\n]\n" if count else b"]\n")
    return count


def _write_xml_part(out: IO[bytes], data: bytes, *, first: bool) -> None:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise RossumError(f"the API's XML export cannot be read: {exc}") from None
    results = root.find("results")
    if first:
        out.write(b'<?xml version="1.0" encoding="utf-8"?>\n<export><results>')
    for annotation in results if results is not None else []:
        out.write(ElementTree.tostring(annotation, encoding="utf-8", xml_declaration=False))


async def list_ids(
    client: AsyncRossumAPIClient, queue_id: int, filters: dict[str, Any]
) -> list[int]:
    """The ids of the queue's annotations that match ``filters``, oldest first."""
    listing = client.request_paginated(
        "annotations", ordering=["id"], queue=queue_id, page_size=CHUNK, **filters
    )
    return [item["id"] async for item in listing if isinstance(item.get("id"), int)]


def export_filters(options: argparse.Namespace) -> dict[str, Any]:
    """The API filters of ``rossum-trio export``/``list`` options."""
    filters: dict[str, Any] = {}
    if options.status:
        filters["status"] = ",".join(s for group in options.status for s in group)
    if options.arrived_after:
        filters["arrived_at_after"] = options.arrived_after
    if options.arrived_before:
        filters["arrived_at_before"] = options.arrived_before
    return filters


def export_main(options: argparse.Namespace) -> int:
    """``rossum-trio export``: a queue's export (filtered) into one file."""
    if options.queue is None and options.base_url:
        raise UsageError("--queue is required with --base-url")
    output = Output(options.output)
    try:
        target = connect(options, preload=options.samples)
        return trio.run(_export, options, output, target)
    finally:
        output.discard()


async def _export(options: argparse.Namespace, output: Output, target: Target) -> int:
    display = make_display(sys.stderr, target.client, plain=options.plain)
    found: list[int] = []
    written = 0

    async def work() -> None:
        nonlocal written
        await check_queue(target)
        assert target.queue_id is not None
        found.extend(await list_ids(target.client, target.queue_id, export_filters(options)))
        display.note(f"{len(found)} annotation(s) of queue {target.queue_id} match; exporting")
        display.add_stage("exported", len(found))
        display.start()
        written = await export_ids(
            target.client,
            target.queue_id,
            found,
            options.format,
            output.open(),
            to_status=options.to_status,
            on_chunk=lambda n: display.advance("exported", n),
        )
        output.commit()

    async with target.client:
        with retries_shown_on(display, verbose=options.verbose), fatal_errors(target):
            reason = await run_guarded(work, timeout=options.timeout, display=display)
    return _export_outcome(reason, written, len(found), output.name, options.format, target)


def _export_outcome(
    reason: str | None, written: int, total: int, where: str, fmt: str, target: Target
) -> int:
    if reason is not None:
        what = "interrupted" if reason == "interrupt" else "timed out"
        print(
            f"{what}: the export is incomplete and was not written "
            f"({written} of {total} annotations exported)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED if reason == "interrupt" else EXIT_TIMEOUT
    stats = target.client.request_stats
    print(
        f"exported {written} annotation(s) ({fmt}) to {where} · {stats.requests} requests"
        + (f", {stats.rate_limited} answers 429 waited out" if stats.rate_limited else ""),
        file=sys.stderr,
    )
    return EXIT_OK
