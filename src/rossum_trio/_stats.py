"""Counting requests: per client, and per block of work (a bulk run) through a context var."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class RequestStats:
    """What a client (or one bulk run) has cost: requests sent and 429s waited out.

    ``requests`` counts every HTTP exchange sent (retries, re-logins and refused ones
    included); ``rate_limited`` the 429 answers among them; ``paused_s`` the seconds the client
    was paused by them.
    """

    requests: int = 0
    rate_limited: int = 0
    paused_s: float = 0.0


COUNTERS: contextvars.ContextVar[tuple[RequestStats, ...]] = contextvars.ContextVar(
    "rossum_trio_counters", default=()
)


@contextmanager
def counting_requests(stats: RequestStats | None = None) -> Iterator[RequestStats]:
    """Count the requests sent by this task and the tasks it starts, inside the block
    (into ``stats``, or a new :class:`RequestStats`)."""
    stats = RequestStats() if stats is None else stats
    reset = COUNTERS.set((*COUNTERS.get(), stats))
    try:
        yield stats
    finally:
        COUNTERS.reset(reset)
