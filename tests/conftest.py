"""Fixtures every suite may use (the helpers behind them: ``tests/support``).

Wire tests: ``api`` (the respx router), ``wire`` (canned answers by method and path on it),
``client`` (decodes into models), ``dict_client`` (answers as ``(Resource, dict)``),
``wire_client`` (build one with options). Clocks: ``idle_autojump_clock``. Files: ``invoice``.
The official package: ``official_venv``.
"""

from __future__ import annotations

import pathlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import respx
import trio.testing

from rossum_trio import AsyncRossumAPIClient
from tests.support import BASE
from tests.support.clients import make_client, record
from tests.support.emulator import install_official
from tests.support.files import write_sample
from tests.support.wire import Wire


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx routes on :data:`~tests.support.BASE` (every route must be called, every request
    routed). Clients without a transport reach it too (respx mocks httpx itself)."""
    with respx.mock(base_url=BASE, assert_all_called=True) as router:
        yield router


@pytest.fixture
def wire(api: respx.MockRouter) -> Wire:
    """Canned answers by method and path, on ``api``."""
    return Wire(api)


@pytest.fixture
def wire_client(wire: Wire) -> Callable[..., AsyncRossumAPIClient]:
    """``wire_client(**options)``: a token client on ``wire`` (in-process: unpaced), one attempt
    per request unless ``n_retries`` says otherwise."""

    def build(**options: Any) -> AsyncRossumAPIClient:
        options.setdefault("n_retries", 1)
        return make_client(wire.handler, **options)

    return build


@pytest.fixture
async def client(wire: Wire) -> AsyncIterator[AsyncRossumAPIClient]:
    """A token client on ``wire`` that decodes answers into models (no back-off)."""
    async with make_client(wire.handler, retry_backoff_factor=0.0) as c:
        yield c


@pytest.fixture
async def dict_client(wire_client: Callable[..., AsyncRossumAPIClient]) -> AsyncIterator[Any]:
    """A token client on ``wire`` whose ``deserializer`` returns ``(Resource, dict)``."""
    async with wire_client(deserializer=record) as c:
        yield c


@pytest.fixture
def idle_autojump_clock() -> trio.testing.MockClock:
    """Virtual time that jumps only when trio has been idle for 50 ms of real time: files are
    read in worker threads, and a clock that jumps while a thread reads would make the upload
    phase look arbitrarily slow in virtual time (and poll counts flaky)."""
    return trio.testing.MockClock(autojump_threshold=0.05)


@pytest.fixture
def invoice(tmp_path: pathlib.Path) -> pathlib.Path:
    """A sample invoice PDF in the test's directory."""
    return write_sample(tmp_path / "invoice_001.pdf")


@pytest.fixture(scope="session")
def official_venv(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path | str:
    """A virtualenv with the official ``rossum-api`` (one install per session), or why there
    is none (the package index cannot be reached)."""
    return install_official(tmp_path_factory.getbasetemp() / "official-rossum-api-venv")
