"""CLI tests: the ``rossum-trio`` command end to end, against the emulator.

``main([...])`` runs in-process (the embedded emulator, or a loopback emulator served from a
thread: ``serve(Emulator(...))`` gives its base URL); the interrupt test runs the command in a
subprocess and sends it a real SIGINT.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from rossum_trio.cli import main
from rossum_trio.emulator import Emulator, open_emulator_server
from tests.support.cli import Ran
from tests.support.servers import in_thread


@pytest.fixture(autouse=True)
def _no_rossum_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads ROSSUM_* variables: none of the machine's leak into a test."""
    for name in list(os.environ):
        if name.startswith("ROSSUM_"):
            monkeypatch.delenv(name)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """``cli("bulk", "--samples", "3")``: run the command in-process."""

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err, captured.err
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def serve() -> Iterator[Callable[[Emulator], str]]:
    """``serve(emulator)`` serves it on a loopback port (from a thread); its base URL."""
    with ExitStack() as servers:

        def start(emulator: Emulator) -> str:
            return str(
                servers.enter_context(in_thread(lambda: open_emulator_server(emulator, port=0)))
            )

        yield start


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
