"""The async client used outside trio says so, instead of trio's "must be called from async
context" from deep inside."""

from __future__ import annotations

import asyncio

import pytest

from rossum_trio.emulator import Emulator
from rossum_trio.errors import NotUnderTrioError, RossumError
from tests.support.clients import emulator_client, make_client


def test_under_asyncio_the_error_says_to_use_trio() -> None:
    emulator = Emulator()
    caught: list[BaseException] = []

    async def main() -> None:
        client = emulator_client(emulator)
        try:
            await client.retrieve_queue(emulator.seeded.queue_id)
        except Exception as exc:
            caught.append(exc)
        try:
            async for _ in client.list_queues():
                pass
        except Exception as exc:
            caught.append(exc)
        await client.aclose()  # closing needs no trio

    asyncio.run(main())
    assert len(caught) == 2
    for exc in caught:
        assert isinstance(exc, NotUnderTrioError)
        assert isinstance(exc, RossumError) and isinstance(exc, RuntimeError)
        assert "under asyncio" in str(exc)
        assert "trio.run" in str(exc) and "SyncRossumAPIClient" in str(exc)
    assert len(emulator.requests) == 0


def test_with_no_event_loop_at_all() -> None:
    client = make_client()
    coroutine = client.retrieve_queue(1)
    with pytest.raises(NotUnderTrioError, match="outside any event loop"):
        coroutine.send(None)
    coroutine.close()
