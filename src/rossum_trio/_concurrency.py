"""Trio helpers: nurseries that surface one real error instead of an ExceptionGroup, and a
clear error when the client is used outside trio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio

from rossum_trio.errors import NotUnderTrioError


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            found.extend(_leaves(exc))
        else:
            found.append(exc)
    return found


@asynccontextmanager
async def open_nursery() -> AsyncIterator[trio.Nursery]:
    """A nursery whose failure re-raises the first real error itself (never a group).

    If only cancellations are inside, the group propagates untouched so that trio's cancel
    scopes can claim it. When several tasks fail, the others are noted on the one raised.
    """
    try:
        async with trio.open_nursery() as nursery:
            yield nursery
    except BaseExceptionGroup as group:
        real = [e for e in _leaves(group) if not isinstance(e, trio.Cancelled)]
        if not real:
            raise
        first = real[0]
        if len(real) > 1:
            first.add_note(
                f"({len(real) - 1} more concurrent error(s) of this call: "
                + ", ".join(type(e).__name__ for e in real[1:])
                + ")"
            )
        context = first.__context__
        del group, real
        try:
            raise first
        finally:
            first.__context__ = context
            del first


def check_under_trio() -> None:
    """Raise :class:`~rossum_trio.errors.NotUnderTrioError` unless running inside ``trio.run``.

    Without it, the client used under asyncio fails deep inside trio with "must be called from
    async context", which names neither the cause nor the fix.
    """
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        try:
            import sniffio

            running = f"under {sniffio.current_async_library()}"
        except Exception:  # sniffio missing, or no async library running at all
            running = "outside any event loop"
        raise NotUnderTrioError(
            f"AsyncRossumAPIClient runs under trio only, and was called {running}: start the "
            "program with trio.run(main), or use the blocking SyncRossumAPIClient"
        ) from None
