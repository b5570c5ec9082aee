"""The ``rossum-trio`` command.

``rossum-trio bulk``: upload files to a queue, wait until every document is imported, and
export the results. ``rossum-trio export``: a queue's export into one file. ``rossum-trio
list``: queues or annotations. Without ``--base-url`` they run against the embedded emulator
(``bulk`` with sample invoices when no files are given); with ``--base-url`` and a token (or
username and password) against a real Rossum account.

``rossum-trio emulator``: serve the emulator on loopback (see ``rossum-trio emulator --help``).

Exit statuses: 0 done; 1 some files (or the export) failed; 2 bad arguments, nothing sent;
3 an error that fails everything (credentials, queue, host); 124 ``--timeout``; 130 Ctrl-C.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from rossum_trio.cli._args import parser
from rossum_trio.cli._checks import UsageError
from rossum_trio.cli._connect import FatalError
from rossum_trio.cli._summary import EXIT_FAILED, EXIT_FATAL, EXIT_INTERRUPTED, EXIT_USAGE
from rossum_trio.errors import RossumError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rossum-trio`` console script; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "emulator":
        try:
            from rossum_trio.emulator import cli_main
        except ImportError as exc:  # pragma: no cover - depends on the install
            print(f"rossum-trio emulator: {exc}", file=sys.stderr)
            return 2
        return cli_main(args[1:])
    try:
        options = parser().parse_args(args)
    except SystemExit as exc:  # --help, --version, or argparse's own message (exit 2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if options.verbose:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    prog = f"rossum-trio {options.command}"
    try:
        return _run(options)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FatalError as exc:
        print(f"rossum-trio: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except BrokenPipeError:
        # stdout went away (e.g. piped into `head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RossumError as exc:
        print(f"rossum-trio: {exc}", file=sys.stderr)
        return EXIT_FATAL
    except Exception as exc:
        if options.verbose:
            raise
        print(
            f"rossum-trio: unexpected error (a bug; --verbose shows where): "
            f"{type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED


def _run(options: object) -> int:
    command = getattr(options, "command", None)
    if command == "bulk":
        from rossum_trio.cli._bulk import bulk_main

        return bulk_main(options)  # type: ignore[arg-type]
    if command == "export":
        from rossum_trio.cli._export import export_main

        return export_main(options)  # type: ignore[arg-type]
    from rossum_trio.cli._list import list_main

    return list_main(options)  # type: ignore[arg-type]


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
