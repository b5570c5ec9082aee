"""The loopback server (hypercorn's trio worker), a thread-backed variant, and the command.

Over loopback the emulator enforces the real API's rate budget (10 requests/s, 429 +
``Retry-After`` beyond) unless told otherwise: ``rate_limit_per_s=None`` here, ``--rate-limit 0``
on the command line, or ``faults.rate_limit_per_s`` (which takes precedence; 0 = unlimited).
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from functools import partial
from typing import Any, NoReturn, TextIO

import trio

from ._app import Emulator
from ._faults import REAL_RATE_LIMIT_PER_S, ConnectionDropped, FaultError, Faults

__all__ = [
    "EmulatorThread",
    "cli_main",
    "open_emulator_server",
    "open_emulator_thread",
    "serve",
]


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


def _hypercorn() -> tuple[Any, Any]:
    try:
        from hypercorn.config import Config
        from hypercorn.trio import serve as hypercorn_serve
    except ImportError:
        raise RuntimeError(
            "the loopback emulator needs hypercorn: pip install 'rossum-trio[emulator]'"
        ) from None
    return Config, hypercorn_serve


def _listening_fd(host: str, port: int) -> int:
    """A socket bound to ``host:port``, handed over as a file descriptor (hypercorn owns it from
    then on; a failed bind closes it here, so nothing leaks)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock.detach()


async def serve(
    emulator: Emulator,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    rate_limit_per_s: float | None = REAL_RATE_LIMIT_PER_S,
    task_status: trio.TaskStatus[str] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``emulator`` over HTTP on ``host:port`` until cancelled (``port=0``: any free port).

    ``rate_limit_per_s``: the overall budget (default: the real API's 10/s; None: unlimited),
    used while ``emulator.faults.rate_limit_per_s`` is None. Use with ``nursery.start(...)``: it
    reports the base URL (``http://host:port/api/v1``) once the socket is listening.
    """
    config_class, hypercorn_serve = _hypercorn()
    config = config_class()
    config.bind = [f"fd://{_listening_fd(host, port)}"]
    config.accesslog = None
    config.errorlog = _error_logger()
    config.graceful_timeout = 1.0
    config.keep_alive_timeout = 30.0
    app = emulator.asgi_app(rate_limit_per_s=rate_limit_per_s)
    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(partial(hypercorn_serve, app, config))
        task_status.started(binds[0].rstrip("/") + emulator.api_path)


@asynccontextmanager
async def open_emulator_server(
    emulator: Emulator | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    rate_limit_per_s: float | None = REAL_RATE_LIMIT_PER_S,
) -> AsyncIterator[str]:
    """Run a loopback server for the block (trio); yields its base URL.

    >>> async def main():  # doctest: +SKIP
    ...     async with open_emulator_server(Emulator(), port=0) as base_url:
    ...         print(base_url)  # http://127.0.0.1:<port>/api/v1
    """
    emu = emulator if emulator is not None else Emulator()
    async with trio.open_nursery() as nursery:
        base_url: str = await nursery.start(
            partial(serve, emu, host=host, port=port, rate_limit_per_s=rate_limit_per_s)
        )
        try:
            yield base_url
        finally:
            nursery.cancel_scope.cancel()


class EmulatorThread:
    """A loopback server running in a background thread (its own ``trio.run``).

    For code that is not trio: plain sync tests, asyncio tests, other processes' clients. The
    emulator may be inspected from the calling thread while it serves (its handlers run under a
    lock). Use :func:`open_emulator_thread` or ``with EmulatorThread(emu) as base_url: ...``.
    """

    def __init__(
        self,
        emulator: Emulator | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_s: float | None = REAL_RATE_LIMIT_PER_S,
    ) -> None:
        self.emulator = emulator if emulator is not None else Emulator()
        self._options: dict[str, Any] = {
            "host": host,
            "port": port,
            "rate_limit_per_s": rate_limit_per_s,
        }
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._cancel: trio.CancelScope | None = None
        self._error: BaseException | None = None
        self.base_url = ""
        """``http://127.0.0.1:<port>/api/v1`` once started."""

    def start(self) -> str:
        """Start serving; returns the base URL (raises what stopped the server from starting)."""
        if self._thread is not None:
            raise RuntimeError("the emulator thread was already started")
        self._ready.clear()
        self._thread = threading.Thread(
            target=self._run, name="rossum-emulator-server", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            error, self._error = self._error, None
            raise error
        return self.base_url

    def stop(self) -> None:
        """Stop serving and wait for the thread to end; raises what broke the server, if
        something did while it served."""
        if self._thread is None:
            return
        if self._token is not None and self._cancel is not None:
            with suppress(trio.RunFinishedError):
                trio.from_thread.run_sync(self._cancel.cancel, trio_token=self._token)
        self._thread.join()
        self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            trio.run(self._main)
        except BaseException as exc:  # reported by start() or stop()
            self._error = _single(exc)
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._token = trio.lowlevel.current_trio_token()
        async with trio.open_nursery() as nursery:
            self._cancel = nursery.cancel_scope
            self.base_url = await nursery.start(partial(serve, self.emulator, **self._options))
            self._ready.set()


@contextmanager
def open_emulator_thread(
    emulator: Emulator | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    rate_limit_per_s: float | None = REAL_RATE_LIMIT_PER_S,
) -> Iterator[str]:
    """A loopback server in a background thread for the block; yields its base URL."""
    server = EmulatorThread(emulator, host=host, port=port, rate_limit_per_s=rate_limit_per_s)
    base_url = server.start()
    try:
        yield base_url
    finally:
        server.stop()


def _single(exc: BaseException) -> BaseException:
    """The first leaf of an exception group (the one real error of a failed start)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


# ---- the command -------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be 0..65535, got {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="rossum-trio emulator",
        description="Serve an in-memory fake of the Rossum API over HTTP (until Ctrl-C).",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8765, help="0 picks a free port")
    p.add_argument(
        "--import-delay", type=float, default=0.5, metavar="S", help="upload → to_review"
    )
    p.add_argument(
        "--import-jitter", type=float, default=0.0, metavar="S", help="extra random import time"
    )
    p.add_argument(
        "--task-delay", type=float, default=None, metavar="S", help="upload task → succeeded"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--username", default="emma@rossum.emulator")
    p.add_argument("--password", default="emulator-password")
    p.add_argument("--admin-token", default=None, help="token of /_emulator/... (default: random)")
    p.add_argument(
        "--preload", type=int, default=3, metavar="N", help="sample invoices imported at start"
    )
    p.add_argument("--latency", type=float, default=0.0, metavar="S", help="delay per request")
    p.add_argument(
        "--error-rate", type=float, default=0.0, metavar="P", help="share of 5xx answers"
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=REAL_RATE_LIMIT_PER_S,
        metavar="N",
        help="requests/s overall, 429 beyond (default: 10, the real API's; 0: unlimited)",
    )
    p.add_argument("--token-lifetime", type=float, default=None, metavar="S")
    p.add_argument(
        "--drop-rate", type=float, default=0.0, metavar="P", help="share of dropped connections"
    )
    return p


def cli_main(argv: list[str]) -> int:
    """``rossum-trio emulator [--host H] [--port P] [--import-delay S] [--rate-limit N] ...``.

    Prints the base URL, the seeded user's credentials, a token and the admin token, then serves
    until Ctrl-C (or SIGTERM): exit status 0. Bad options, a busy port or a missing ``hypercorn``
    are one-line errors with a non-zero exit status. ``argv`` may start with ``emulator``.
    """
    if argv and argv[0] == "emulator":
        argv = argv[1:]
    prog = "rossum-trio emulator"
    args = _parser().parse_args(argv)
    try:
        _hypercorn()
        if args.rate_limit < 0:
            raise FaultError("--rate-limit", f"must be >= 0, got {args.rate_limit!r}")
        faults = Faults(
            latency_s=args.latency,
            error_rate=args.error_rate,
            token_lifetime_s=args.token_lifetime,
            drop_rate=args.drop_rate,
        )
        emu = Emulator(
            seed=args.seed,
            import_delay_s=args.import_delay,
            import_jitter_s=args.import_jitter,
            task_delay_s=args.task_delay,
            faults=faults,
            username=args.username,
            password=args.password,
            preload_invoices=args.preload,
            admin_token=args.admin_token,
        )
    except (RuntimeError, ValueError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    rate = args.rate_limit or None
    try:
        trio.run(_serve_until_signal, emu, args.host, args.port, rate)
    except KeyboardInterrupt:
        pass
    except BaseException as exc:
        leaf = _single(exc)
        if isinstance(leaf, KeyboardInterrupt):
            pass
        elif isinstance(leaf, OSError):
            print(f"{prog}: cannot serve on {args.host}:{args.port}: {leaf}", file=sys.stderr)
            return 1
        else:
            raise
    print(f"{prog}: stopped", file=sys.stderr)
    return 0


async def _serve_until_signal(emu: Emulator, host: str, port: int, rate: float | None) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            base_url = await nursery.start(
                partial(serve, emu, host=host, port=port, rate_limit_per_s=rate)
            )
            _announce(emu, base_url, rate)
            async for _ in signals:
                nursery.cancel_scope.cancel()
                break


def _announce(emu: Emulator, base_url: str, rate: float | None, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    print(f"Rossum emulator serving at {base_url}", file=out)
    print(f"  base_url: {base_url}", file=out)
    print(f"  username: {emu.username}", file=out)
    print(f"  password: {emu.password}", file=out)
    print(f"  token:    {emu.token}", file=out)
    print(f"  admin_token: {emu.admin_token}", file=out)
    print(f"  queue:    {base_url}/queues/{emu.seeded.queue_id}", file=out)
    limit = f"{rate:g} requests/s (--rate-limit 0: unlimited)" if rate else "unlimited"
    print(f"  rate limit: {limit}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)
