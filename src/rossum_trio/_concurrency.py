"""Nurseries that surface one real error instead of an ExceptionGroup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio


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
