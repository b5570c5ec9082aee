"""The command line: ``rossum-trio bulk|export|list|emulator`` and their options."""

from __future__ import annotations

import argparse
import os
import pathlib

from rossum_trio.cli._checks import (
    date_or_datetime,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    statuses,
)

_EPILOG = """\
exit status: 0 done; 1 some files (or the export) failed; 2 bad arguments (nothing sent);
3 an error that fails everything (credentials, unknown queue, unreachable host);
124 --timeout ran out; 130 interrupted (Ctrl-C)."""


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("rossum-trio")
    except Exception:  # not installed as a distribution (e.g. run from a source tree)
        from rossum_trio import __version__

        return __version__


def _connection(parser: argparse.ArgumentParser) -> None:
    """Options every command that talks to the API has."""
    group = parser.add_argument_group("where (default: the embedded emulator)")
    group.add_argument(
        "--base-url",
        default=os.environ.get("ROSSUM_BASE_URL"),
        metavar="URL",
        help="the API root, e.g. https://acme.rossum.app/api/v1 (env ROSSUM_BASE_URL)",
    )
    group.add_argument("--token", help="API token (env ROSSUM_TOKEN)")
    group.add_argument("--username", help="(env ROSSUM_USERNAME)")
    group.add_argument(
        "--password", help="(env ROSSUM_PASSWORD; asked for on a terminal if missing)"
    )
    group.add_argument("--queue", type=positive_int, metavar="ID", help="queue id")
    run = parser.add_argument_group("running")
    run.add_argument(
        "--timeout",
        type=positive_float,
        default=None,
        metavar="S",
        help="stop cleanly after S seconds (exit 124); default: no limit",
    )
    run.add_argument(
        "--max-in-flight", type=positive_int, default=4, metavar="N", help="requests at once (4)"
    )
    run.add_argument(
        "--rate-limit",
        type=positive_float,
        default=None,
        metavar="N",
        help="requests per second at most (default: 9, within the API's budget of 10)",
    )
    run.add_argument(
        "--retries",
        type=positive_int,
        default=3,
        metavar="N",
        help="attempts of a request that failed on the way (3)",
    )
    run.add_argument("--plain", action="store_true", help="plain progress lines even on a terminal")
    run.add_argument(
        "--verbose", action="store_true", help="also log requests and retries (stderr)"
    )


def _filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("which annotations")
    group.add_argument(
        "--status",
        type=statuses,
        action="append",
        metavar="S[,S]",
        help="only these statuses, e.g. to_review,exported (repeatable)",
    )
    group.add_argument("--arrived-after", type=date_or_datetime, metavar="DATE")
    group.add_argument("--arrived-before", type=date_or_datetime, metavar="DATE")


def _output(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--output", type=pathlib.Path, metavar="FILE", help="export file (default: stdout)"
    )


def _preloaded_samples(parser: argparse.ArgumentParser) -> None:
    """``--samples`` of the commands that only read: invoices the emulator starts with."""
    parser.add_argument(
        "--samples",
        type=non_negative_int,
        default=3,
        metavar="N",
        help="embedded emulator: sample invoices it starts with (3)",
    )


def parser() -> argparse.ArgumentParser:
    """The ``rossum-trio`` argument parser."""
    top = argparse.ArgumentParser(
        prog="rossum-trio",
        description="Bulk uploads, exports and listings for the Rossum API "
        "(or its embedded emulator).",
        epilog=_EPILOG,
    )
    top.add_argument("--version", action="version", version=f"rossum-trio {_version()}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    bulk = sub.add_parser(
        "bulk",
        help="upload files, wait until imported, export them",
        description="Upload files to a queue, wait until each is imported, and export the "
        "imported annotations. Without --base-url: the embedded emulator, with 20 sample "
        "invoices if no files are given.",
        epilog=_EPILOG,
    )
    bulk.add_argument("files", nargs="*", type=pathlib.Path, help="files to upload")
    _connection(bulk)
    job = bulk.add_argument_group("the job")
    job.add_argument("--export-format", choices=("csv", "json", "xml"), default="csv", help="(csv)")
    _output(job)
    job.add_argument(
        "--report",
        type=pathlib.Path,
        metavar="FILE",
        help="write a JSON report of every file (also when interrupted)",
    )
    job.add_argument(
        "--resume",
        type=pathlib.Path,
        metavar="REPORT",
        help="finish the job of a report: files already on the server are not sent again",
    )
    job.add_argument(
        "--sleep", type=positive_float, default=1.0, metavar="S", help="seconds between polls (1)"
    )
    job.add_argument(
        "--no-file-check",
        action="store_true",
        help="send empty files and files of unknown types too (the API decides)",
    )
    emu = bulk.add_argument_group("the embedded emulator")
    emu.add_argument(
        "--samples",
        type=positive_int,
        metavar="N",
        help="upload N generated sample invoices (default 20 when no files are given)",
    )
    emu.add_argument(
        "--import-delay",
        type=non_negative_float,
        metavar="S",
        help="seconds from upload to to_review (1)",
    )

    export = sub.add_parser(
        "export",
        help="export a queue's annotations into one file",
        description="Export a queue's annotations (the API's export, all pages in one file), "
        "with filters; --to-status moves them to exporting/exported as the API does.",
        epilog=_EPILOG,
    )
    _connection(export)
    _filters(export)
    export.add_argument("--format", choices=("csv", "json", "xml"), default="csv", help="(csv)")
    _output(export)
    export.add_argument("--to-status", choices=("exporting", "exported"))
    _preloaded_samples(export)

    listing = sub.add_parser(
        "list",
        help="list queues or annotations",
        description="List queues or annotations: a table on a terminal, JSON lines (the "
        "API's objects) otherwise.",
        epilog=_EPILOG,
    )
    listing.add_argument("what", choices=("queues", "annotations"))
    _connection(listing)
    _filters(listing)
    listing.add_argument("--workspace", type=positive_int, metavar="ID", help="queues only")
    listing.add_argument("--name", help="queues only: this name")
    listing.add_argument("--limit", type=positive_int, metavar="N", help="at most N")
    listing.add_argument("--format", choices=("table", "jsonl"), help="default: table on a tty")
    _preloaded_samples(listing)

    sub.add_parser("emulator", help="serve the Rossum emulator on loopback", add_help=False)
    return top
