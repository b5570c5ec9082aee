"""The ``rossum-trio`` command.

``rossum-trio bulk``: upload files to a queue, wait until every document is imported, and
export the results. Without ``--base-url`` it runs against the embedded emulator (with sample
invoices when no files are given); with ``--base-url`` and a token (or username/password) it
runs against a real Rossum account.

``rossum-trio emulator``: serve the emulator on loopback (see ``rossum-trio emulator --help``).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import TextIO
from xml.etree import ElementTree

import msgspec
import trio

from rossum_trio._bulk import BulkUploadResult
from rossum_trio._client import AsyncRossumAPIClient
from rossum_trio.dtos import Token, UserCredentials
from rossum_trio.errors import RossumError

EXPORT_CHUNK = 100


class Progress:
    """One status line on a terminal (rewritten in place), plain lines otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.counts: dict[str, tuple[int, int]] = {}
        self._last_plain = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.counts[stage] = (done, total)
        line = "  ".join(f"{name} {d}/{t}" for name, (d, t) in self.counts.items())
        if self.tty:
            self.stream.write(f"\r{line}\033[K")
            self.stream.flush()
        elif time.monotonic() - self._last_plain > 1.0 or done == total:
            self._last_plain = time.monotonic()
            self.stream.write(line + "\n")

    def finish(self) -> None:
        if self.tty and self.counts:
            self.stream.write("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rossum-trio", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    bulk = sub.add_parser(
        "bulk",
        help="upload files, wait until imported, export (default target: the embedded emulator)",
    )
    bulk.add_argument("files", nargs="*", type=pathlib.Path, help="files to upload")
    bulk.add_argument(
        "--base-url",
        default=os.environ.get("ROSSUM_BASE_URL"),
        help="API root, e.g. https://acme.rossum.app/api/v1 (env ROSSUM_BASE_URL); "
        "omit to use the embedded emulator",
    )
    bulk.add_argument("--token", default=os.environ.get("ROSSUM_TOKEN"), help="env ROSSUM_TOKEN")
    bulk.add_argument("--username", default=os.environ.get("ROSSUM_USERNAME"))
    bulk.add_argument(
        "--password", default=os.environ.get("ROSSUM_PASSWORD"), help="env ROSSUM_PASSWORD"
    )
    bulk.add_argument("--queue", type=int, help="queue id (default: the emulator's queue)")
    bulk.add_argument(
        "--samples",
        type=int,
        default=None,
        help="generate N sample invoice PDFs to upload (default 20 when no files are given)",
    )
    bulk.add_argument(
        "--export-format", choices=("csv", "json", "xml"), default="csv", help="default: csv"
    )
    bulk.add_argument(
        "--output", type=pathlib.Path, default=None, help="export file (default: stdout)"
    )
    bulk.add_argument("--max-in-flight", type=int, default=4, help="in-flight request cap")
    bulk.add_argument("--sleep", type=float, default=1.0, help="seconds between polls")
    bulk.add_argument(
        "--import-delay",
        type=float,
        default=1.0,
        help="emulator only: seconds from upload to to_review",
    )
    bulk.add_argument("--timeout", type=float, default=600.0, help="give up after N seconds")
    emulator = sub.add_parser(
        "emulator", help="serve the Rossum emulator on loopback", add_help=False
    )
    emulator.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rossum-trio`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "emulator":
        try:
            from rossum_trio.emulator import cli_main
        except ImportError as exc:  # pragma: no cover - depends on the install
            print(f"rossum-trio emulator: {exc}", file=sys.stderr)
            return 2
        return cli_main(args[1:])
    options = _parser().parse_args(args)
    try:
        return trio.run(_bulk, options)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (RossumError, ValueError, OSError) as exc:
        print(f"rossum-trio: {exc}", file=sys.stderr)
        return 1


async def _bulk(options: argparse.Namespace) -> int:
    if options.max_in_flight < 1:
        raise ValueError("--max-in-flight must be >= 1")
    with tempfile.TemporaryDirectory(prefix="rossum-trio-") as tmp:
        files = [(path, path.name) for path in options.files]
        for path in options.files:
            if not path.is_file():
                raise ValueError(f"no such file: {path}")
        if not files or options.samples:
            files += _write_samples(pathlib.Path(tmp), options.samples or 20)
        if options.base_url:
            client, queue_id, target = _real_client(options)
        else:
            client, queue_id, target = _emulator_client(options)
        progress = Progress(sys.stderr)
        print(f"uploading {len(files)} file(s) to queue {queue_id} on {target}", file=sys.stderr)
        started = time.monotonic()
        async with client:
            with trio.fail_after(options.timeout):
                results = await client.bulk_upload_and_wait(
                    queue_id, files, sleep_s=options.sleep, on_progress=progress
                )
            progress.finish()
            ids = [a.id for r in results for a in r.annotations if a.id is not None]
            exported = await _export(client, queue_id, ids, options)
        _summary(results, exported, time.monotonic() - started)
        return 0 if all(r.ok for r in results) else 1


def _write_samples(folder: pathlib.Path, count: int) -> list[tuple[pathlib.Path, str]]:
    from rossum_trio.emulator import sample_invoices

    files = []
    for name, pdf in sample_invoices(count):
        path = folder / name
        path.write_bytes(pdf)
        files.append((path, name))
    return files


def _real_client(options: argparse.Namespace) -> tuple[AsyncRossumAPIClient, int, str]:
    if options.queue is None:
        raise ValueError("--queue is required with --base-url")
    credentials: Token | UserCredentials
    if options.token:
        credentials = Token(options.token)
    elif options.username and options.password:
        credentials = UserCredentials(options.username, options.password)
    else:
        raise ValueError("--base-url needs --token, or --username and --password")
    client = AsyncRossumAPIClient(
        options.base_url,
        credentials,
        max_in_flight_requests=options.max_in_flight,
        rate_limit_per_second=10,  # the API's documented budget
    )
    return client, options.queue, options.base_url


def _emulator_client(options: argparse.Namespace) -> tuple[AsyncRossumAPIClient, int, str]:
    from rossum_trio.emulator import Emulator

    emulator = Emulator(import_delay_s=options.import_delay)
    client = AsyncRossumAPIClient(
        emulator.base_url,
        UserCredentials(emulator.username, emulator.password),
        transport=emulator.transport(),
        max_in_flight_requests=options.max_in_flight,
    )
    return client, options.queue or emulator.seeded.queue_id, "the embedded emulator"


async def _export(
    client: AsyncRossumAPIClient,
    queue_id: int,
    ids: list[int],
    options: argparse.Namespace,
) -> int:
    """Export the imported annotations (by id, 100 per request); returns how many."""
    if not ids:
        return 0
    out = options.output.open("wb") if options.output else sys.stdout.buffer
    try:
        chunks = [ids[i : i + EXPORT_CHUNK] for i in range(0, len(ids), EXPORT_CHUNK)]
        if options.export_format == "json":
            items = []
            for chunk in chunks:
                listing = client.export_annotations_to_json(queue_id, id=",".join(map(str, chunk)))
                items += [a async for a in listing]
            out.write(msgspec.json.format(msgspec.json.encode(items)) + b"\n")
            return len(items)
        parts = []
        for chunk in chunks:
            stream = client.export_annotations_to_file(
                queue_id, options.export_format, id=",".join(map(str, chunk))
            )
            async with stream:
                parts.append(await stream.read_all())
        merge = _merge_csv if options.export_format == "csv" else _merge_xml
        out.write(merge(parts))
        return len(ids)
    finally:
        if options.output:
            out.close()


def _merge_csv(parts: list[bytes]) -> bytes:
    """One CSV from several exports of the same queue: the header once."""
    merged = parts[0]
    for part in parts[1:]:
        merged += part.split(b"\n", 1)[1] if b"\n" in part else b""
    return merged


def _merge_xml(parts: list[bytes]) -> bytes:
    """One XML export from several: the annotations of all under the first ``<results>``."""
    if len(parts) == 1:
        return parts[0]
    first = ElementTree.fromstring(parts[0])
    results = first.find("results")
    if results is None:
        raise ValueError("the XML export has no <results> element")
    for part in parts[1:]:
        more = ElementTree.fromstring(part).find("results")
        results.extend(list(more) if more is not None else [])
    total = first.find("pagination/total")
    if total is not None:
        total.text = str(len(results))
    merged: bytes = ElementTree.tostring(first, encoding="utf-8", xml_declaration=True)
    return merged


def _summary(results: list[BulkUploadResult], exported: int, seconds: float) -> None:
    failed = [r for r in results if not r.ok]
    imported = sum(len(r.annotations) for r in results)
    print(
        f"{len(results)} file(s) uploaded, {imported} annotation(s) imported, "
        f"{exported} exported, {len(failed)} failed, in {seconds:.1f} s",
        file=sys.stderr,
    )
    for result in failed:
        reason = result.error or ", ".join(str(a.status) for a in result.annotations)
        print(f"  failed: {result.filename}: {reason}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
