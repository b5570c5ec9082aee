"""Continuous prefetch: read a listing one window of pages ahead of its consumer."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

import trio

from rossum_trio._concurrency import open_nursery
from rossum_trio._pagination import Listing

T = TypeVar("T")


async def _items(windows: trio.abc.ReceiveChannel[list[T]]) -> AsyncGenerator[T, None]:
    async for batch in windows:
        for item in batch:
            yield item


@asynccontextmanager
async def prefetch(listing: Listing[T]) -> AsyncIterator[AsyncIterator[T]]:
    """Iterate a listing while its next window of pages is already being fetched.

    A plain ``async for`` over a listing fetches a window of pages only when the items of the
    previous one are used up. Inside ``prefetch`` the next window is fetched while you work
    on the current one; leaving the block (normally, by ``break``, an exception or a
    cancellation) stops the prefetching, and nothing outlives it::

        async with prefetch(client.list_annotations(queue=8199)) as annotations:
            async for annotation in annotations:
                await slow_processing(annotation)

    ``listing`` is any :class:`~rossum_trio.Listing` of the client (``list_*``,
    ``search_for_annotations``, ``export_annotations_to_json``, ``request_paginated``, ...);
    anything else raises :class:`TypeError`. At most one window beyond the one being consumed
    is held in memory.
    """
    if not isinstance(listing, Listing):
        raise TypeError(
            "prefetch() takes a listing of the client (list_*, search_for_annotations, "
            f"export_annotations_to_json, request_paginated), not {type(listing).__name__}"
        )
    # Unbuffered: the producer fetches window k+1 while the consumer works on window k, then
    # waits until the consumer takes it. So one window ahead, never more.
    send, receive = trio.open_memory_channel[list[T]](0)

    async def produce() -> None:
        while batch := await listing.next_batch():
            await send.send(batch)
        # Closed on success only (and without a checkpoint): after a failure the consumer must
        # not see a normal end of the listing; the nursery's cancellation reaches it instead.
        send.close()

    async with open_nursery() as nursery:
        nursery.start_soon(produce)
        items = _items(receive)
        try:
            yield items
        finally:
            await items.aclose()
            nursery.cancel_scope.cancel()
