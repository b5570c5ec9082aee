"""pytest fixtures to test Rossum integrations against the emulator (entry point ``rossum_trio``).

Installed with the package; nothing to register. Fixtures:

``rossum_emulator``
    A fresh :class:`~rossum_trio.emulator.Emulator` (import delay 0 unless configured). Configure
    it per test with the marker ``@pytest.mark.rossum_emulator(import_delay_s=2, seed=7, ...)``
    (keyword arguments of ``Emulator``). In-process use (``rossum_emulator.transport()``) has no
    rate limit unless ``rossum_faults.rate_limit_per_s`` sets one.
``rossum_faults`` / ``rossum_requests``
    Shortcuts to ``rossum_emulator.faults`` (set knobs at run time) and ``.requests`` (the log,
    with ``assert_called`` / ``assert_not_called`` / ``assert_only``).
``rossum_emulator_thread``
    (sync) The emulator served on a loopback port from a background thread; the value is the
    base URL. Works from plain sync tests and asyncio tests (any HTTP client). Enforces the real
    API's 10 requests/s unless ``rossum_faults.rate_limit_per_s = 0``.
``rossum_emulator_server``
    (async, trio) The same, served by the test's own trio loop.
``rossum_client`` / ``rossum_sync_client``
    ``rossum_trio.AsyncRossumAPIClient`` (async, trio) / ``SyncRossumAPIClient`` bound to the
    emulator in-process, authenticated with the seeded user's token.

Async fixtures run on trio (pytest-trio): set ``trio_mode = true`` in the pytest configuration,
or mark each async test with ``@pytest.mark.trio``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ._app import Emulator
from ._faults import Faults
from ._log import RequestLog
from ._server import open_emulator_server, open_emulator_thread

__all__ = [
    "rossum_client",
    "rossum_emulator",
    "rossum_emulator_server",
    "rossum_emulator_thread",
    "rossum_faults",
    "rossum_requests",
    "rossum_sync_client",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``rossum_emulator`` marker (works with ``--strict-markers``)."""
    config.addinivalue_line(
        "markers",
        "rossum_emulator(**kwargs): keyword arguments for the rossum_emulator fixture's Emulator",
    )


@pytest.fixture
def rossum_emulator(request: pytest.FixtureRequest) -> Emulator:
    """A fresh in-memory Rossum emulator (``import_delay_s=0`` unless the marker says otherwise)."""
    kwargs: dict[str, Any] = {"import_delay_s": 0.0}
    marker = request.node.get_closest_marker("rossum_emulator")
    if marker is not None:
        kwargs.update(marker.kwargs)
    return Emulator(**kwargs)


@pytest.fixture
def rossum_faults(rossum_emulator: Emulator) -> Faults:
    """The emulator's fault knobs (``rossum_faults.error_rate = 0.2`` etc.)."""
    return rossum_emulator.faults


@pytest.fixture
def rossum_requests(rossum_emulator: Emulator) -> RequestLog:
    """The log of requests the emulator received."""
    return rossum_emulator.requests


@pytest.fixture
def rossum_emulator_thread(rossum_emulator: Emulator) -> Iterator[str]:
    """The emulator served over loopback from a background thread; the value is its base URL."""
    with open_emulator_thread(rossum_emulator) as base_url:
        yield base_url


@pytest.fixture
async def rossum_emulator_server(rossum_emulator: Emulator) -> AsyncIterator[str]:
    """The emulator served over loopback by the test's trio loop; the value is its base URL."""
    async with open_emulator_server(rossum_emulator, port=0) as base_url:
        yield base_url


@pytest.fixture
async def rossum_client(rossum_emulator: Emulator) -> AsyncIterator[Any]:
    """``rossum_trio.AsyncRossumAPIClient`` talking to the emulator in-process."""
    import rossum_trio
    from rossum_trio.dtos import Token

    client_class: Any = getattr(rossum_trio, "AsyncRossumAPIClient")  # noqa: B009 - lazily bound
    async with client_class(
        base_url=rossum_emulator.base_url,
        credentials=Token(rossum_emulator.token),
        transport=rossum_emulator.transport(),
    ) as client:
        yield client


@pytest.fixture
def rossum_sync_client(rossum_emulator: Emulator) -> Iterator[Any]:
    """``rossum_trio.SyncRossumAPIClient`` talking to the emulator in-process."""
    import rossum_trio
    from rossum_trio.dtos import Token

    client_class: Any = getattr(rossum_trio, "SyncRossumAPIClient")  # noqa: B009 - lazily bound
    client = client_class(
        base_url=rossum_emulator.base_url,
        credentials=Token(rossum_emulator.token),
        transport=rossum_emulator.transport(),
    )
    with client:
        yield client
