"""The loopback server (hypercorn's trio worker) and the ``rossum-trio emulator`` command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import trio

from ._app import Emulator
from ._faults import ConnectionDropped, Faults

__all__ = ["cli_main", "open_emulator_server", "serve"]


class _QuietDrops(logging.Filter):
    """Hide the tracebacks of intentionally dropped connections from hypercorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _error_logger() -> logging.Logger:
    logger = logging.getLogger("rossum_trio.emulator.server")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())
    return logger


async def serve(
    emulator: Emulator,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    task_status: trio.TaskStatus[str] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``emulator`` over HTTP on ``host:port`` until cancelled (``port=0``: any free port).

    Use with ``nursery.start(...)``: it reports the base URL (``http://host:port/api/v1``) once
    the socket is listening.
    """
    try:
        from hypercorn.config import Config
        from hypercorn.trio import serve as hypercorn_serve
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the loopback emulator needs hypercorn: pip install 'rossum-trio[emulator]'"
        ) from exc
    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.accesslog = None
    config.errorlog = _error_logger()
    config.graceful_timeout = 1.0
    config.keep_alive_timeout = 30.0
    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(partial(hypercorn_serve, emulator.app, config))  # type: ignore[arg-type]
        task_status.started(binds[0].rstrip("/") + emulator.api_path)


@asynccontextmanager
async def open_emulator_server(
    emulator: Emulator | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Run a loopback server for the block; yields its base URL.

    >>> async def main():  # doctest: +SKIP
    ...     async with open_emulator_server(Emulator(), port=0) as base_url:
    ...         print(base_url)  # http://127.0.0.1:<port>/api/v1
    """
    emu = emulator if emulator is not None else Emulator()
    async with trio.open_nursery() as nursery:
        base_url: str = await nursery.start(partial(serve, emu, host=host, port=port))
        try:
            yield base_url
        finally:
            nursery.cancel_scope.cancel()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rossum-trio emulator",
        description="Serve an in-memory fake of the Rossum API over HTTP (until Ctrl-C).",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument(
        "--import-delay", type=float, default=0.5, metavar="S", help="upload → to_review"
    )
    p.add_argument(
        "--task-delay", type=float, default=None, metavar="S", help="upload task → succeeded"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--username", default="emma@rossum.emulator")
    p.add_argument("--password", default="emulator-password")
    p.add_argument(
        "--preload", type=int, default=3, metavar="N", help="sample invoices imported at start"
    )
    p.add_argument("--latency", type=float, default=0.0, metavar="S", help="delay per request")
    p.add_argument(
        "--error-rate", type=float, default=0.0, metavar="P", help="share of 5xx answers"
    )
    p.add_argument(
        "--rate-limit", type=float, default=None, metavar="N", help="requests/s (real API: 10)"
    )
    p.add_argument("--token-lifetime", type=float, default=None, metavar="S")
    p.add_argument(
        "--drop-rate", type=float, default=0.0, metavar="P", help="share of dropped connections"
    )
    return p


def cli_main(argv: list[str]) -> int:
    """``rossum-trio emulator [--host H] [--port P] [--import-delay S] [--seed N] ...``.

    Prints the base URL, the seeded user's credentials and a token, then serves until Ctrl-C.
    ``argv`` may start with the sub-command name ``emulator``.
    """
    if argv and argv[0] == "emulator":
        argv = argv[1:]
    args = _parser().parse_args(argv)
    faults = Faults(
        latency_s=args.latency,
        error_rate=args.error_rate,
        rate_limit_per_s=args.rate_limit,
        token_lifetime_s=args.token_lifetime,
        drop_rate=args.drop_rate,
    )
    emu = Emulator(
        seed=args.seed,
        import_delay_s=args.import_delay,
        task_delay_s=args.task_delay,
        faults=faults,
        username=args.username,
        password=args.password,
        preload_invoices=args.preload,
    )

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            base_url = await nursery.start(partial(serve, emu, host=args.host, port=args.port))
            _announce(emu, base_url)

    try:
        trio.run(main)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


def _announce(emu: Emulator, base_url: str, out: Any = None) -> None:
    out = out or sys.stdout
    print(f"Rossum emulator serving at {base_url}", file=out)
    print(f"  base_url: {base_url}", file=out)
    print(f"  username: {emu.username}", file=out)
    print(f"  password: {emu.password}", file=out)
    print(f"  token:    {emu.token}", file=out)
    print(f"  queue:    {base_url}/queues/{emu.seeded.queue_id}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)
