"""pytest fixtures to test Rossum integrations against the emulator (entry point ``rossum_trio``).

Fixtures:

``rossum_emulator``
    A fresh :class:`~rossum_trio.emulator.Emulator` (import delay 0 unless configured). Configure
    it per test with the marker ``@pytest.mark.rossum_emulator(import_delay_s=2, seed=7, ...)``
    (keyword arguments of ``Emulator``).
``rossum_emulator_server``
    (async, trio) The same emulator served on a loopback port; the value is the base URL.
``rossum_faults`` / ``rossum_requests``
    Shortcuts to ``rossum_emulator.faults`` (set knobs at run time) and ``.requests`` (the log).
``rossum_client`` / ``rossum_sync_client``
    ``rossum_trio.AsyncRossumAPIClient`` (async, trio) / ``SyncRossumAPIClient`` bound to the
    emulator in-process, authenticated with the seeded user's token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from ._app import Emulator, RequestLog
from ._faults import Faults
from ._server import open_emulator_server

__all__ = [
    "rossum_client",
    "rossum_emulator",
    "rossum_emulator_server",
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
async def rossum_emulator_server(rossum_emulator: Emulator) -> AsyncIterator[str]:
    """The emulator served over loopback on a free port; the value is its base URL."""
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
