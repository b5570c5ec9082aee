"""The machinery of the blocking client: one ``trio.run`` per call, iterators, streams.

:class:`SyncRunner` owns one :class:`~rossum_trio.AsyncRossumAPIClient` and runs its coroutines
with :func:`trio.run`. The generated delegates (``_sync_generated.py``) call :meth:`_call`,
:meth:`_call_waiting`, :meth:`_iterate` and :meth:`_stream`; nothing here knows about the
API itself.

Why this is safe across runs (checked by ``tests/sync``):

* Between two ``trio.run`` calls nothing runs: every task, request and cancel scope of a call
  ends with its run. So the async client's state (the in-flight :class:`trio.CapacityLimiter`,
  the auth :class:`trio.Lock`, the rate gate, which resets per run) is idle between calls and
  can be used by the next run. Trio's synchronisation primitives and sockets are not bound to
  a run; only waiting on them is.
* The ``httpx.AsyncClient`` pool (httpcore, trio backend) keeps its idle keep-alive connections,
  plain TCP and TLS alike, and the next run reuses them: one pool per client. An interrupted
  call (Ctrl-C, ``timeout=``) unwinds inside its run, and httpcore closes the connection it was
  using, so a half-used connection never returns to the pool.
* A listing is an ordinary iterator that pulls the next *window* of pages with one
  ``trio.run(iterator.next_batch)``: the pages of a window are fetched concurrently (up to the
  in-flight cap), and once ``next_batch`` returns, nothing is running; an abandoned iterator
  needs no cleanup.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, Self, TypeVar

import httpx
import trio

from rossum_trio._base import _bind_positional
from rossum_trio.errors import ClientClosedError, RossumError

if TYPE_CHECKING:
    from rossum_trio._client import AsyncRossumAPIClient
    from rossum_trio._streams import ByteStream

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

#: Chunks a :class:`SyncByteStream` reads per ``trio.run`` (64 KiB each: at most 1 MiB held).
STREAM_WINDOW_CHUNKS = 16


class WaitTimeoutError(RossumError, trio.TooSlowError, TimeoutError):
    """A waiting helper of the blocking client ran out of its ``timeout=``.

    It is a :class:`trio.TooSlowError` (what :func:`trio.fail_after` raises) and a built-in
    :class:`TimeoutError`, so ``except TimeoutError`` works as well.
    """


class SyncRunner:
    """Runs the coroutines of one async client, one :func:`trio.run` per call.

    Not thread-safe: use one blocking client per thread (as with any ``trio.run`` caller).
    """

    _async: AsyncRossumAPIClient

    def _attach(self, client: AsyncRossumAPIClient) -> None:
        self._async = client
        self._closed = False
        #: Streams abandoned while open; closed at the start of the next run (or by close()).
        self._abandoned: list[ByteStream] = []

    @staticmethod
    def _check_transport(transport: object) -> None:
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError(
                "transport= must be an async httpx transport (httpx.AsyncBaseTransport, e.g. "
                "httpx.AsyncHTTPTransport, httpx.MockTransport or httpx.ASGITransport): the "
                "blocking client runs the async client inside trio.run; "
                f"got {type(transport).__name__}"
            )

    @property
    def async_client(self) -> AsyncRossumAPIClient:
        """The :class:`~rossum_trio.AsyncRossumAPIClient` whose coroutines this client runs."""
        return self._async

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self._async.base_url!r}>"

    # -- lifecycle -------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close open export streams and the connection pool; the client cannot be used after.

        Idempotent.
        """
        if self._closed:
            return
        self._closed = True
        abandoned, self._abandoned = self._abandoned, []

        async def shut() -> None:
            for stream in abandoned:
                await stream.aclose()
            await self._async.aclose()

        _run(shut)

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("this client is closed; create a new one")

    # -- running ---------------------------------------------------------------------------------

    def _run(self, fn: Callable[[], Awaitable[R]], *, timeout: float | None = None) -> R:
        self._check_open()
        abandoned, self._abandoned = self._abandoned, []

        async def main() -> R:
            for stream in abandoned:
                await stream.aclose()
            if timeout is None:
                return await fn()
            with trio.fail_after(timeout):
                return await fn()

        try:
            return _run(main)
        except trio.TooSlowError as exc:
            if timeout is None or isinstance(exc, WaitTimeoutError):
                raise
            raise WaitTimeoutError(f"gave up waiting after {timeout} s (timeout=)") from None

    def _call(self, fn: Callable[P, Awaitable[R]], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` in one ``trio.run``; its result or its exception."""
        self._check_slots()
        return self._run(partial(fn, *args, **kwargs))

    def _call_waiting(
        self,
        timeout: float | None,
        fn: Callable[P, Awaitable[R]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Like :meth:`_call`, bounded by ``timeout`` seconds (:func:`trio.fail_after`).

        On expiry the call is cancelled cleanly and :class:`WaitTimeoutError` is raised.
        """
        if timeout is not None and (not isinstance(timeout, int | float) or timeout < 0):
            raise ValueError(f"timeout must be a number of seconds >= 0 or None, got {timeout!r}")
        self._check_slots()
        return self._run(partial(fn, *args, **kwargs), timeout=timeout)

    def _check_slots(self) -> None:
        # Between runs only open export streams can hold in-flight slots. If they hold all of
        # them, a request would wait forever (nothing else runs to free one): fail instead.
        limiter = self._async.limiter
        freed_soon = sum(1 for s in self._abandoned if getattr(s, "_holding", False))
        if not self._closed and limiter.available_tokens + freed_soon == 0:
            raise RuntimeError(
                f"all {limiter.total_tokens} in-flight slots of this client are held by open "
                "export streams; read them to the end or close() them first"
            )

    # -- iterators and streams -------------------------------------------------------------------

    def _iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        """A blocking iterator over an async listing, one ``trio.run`` per window of pages."""
        self._check_open()
        next_batch: Callable[[], Awaitable[list[T]]] | None = getattr(iterator, "next_batch", None)
        if next_batch is None:
            # Not a windowed listing: an async generator cannot outlive its trio.run, so the
            # items are collected in one run (never the case for the client's own listings).
            return iter(self._call(_collect, iterator))
        return self._batches(next_batch)

    def _batches(self, next_batch: Callable[[], Awaitable[list[T]]]) -> Iterator[T]:
        while True:
            batch = self._call(next_batch)
            if not batch:
                return
            yield from batch

    @staticmethod
    def _keywords(
        name: str, order: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """Positional arguments bound by name (in the official sync order), plus ``kwargs``."""
        return _bind_positional(name, order, args, kwargs)

    def _stream(self, stream: ByteStream) -> SyncByteStream:
        """A blocking iterator of ``bytes`` chunks over an async :class:`ByteStream`."""
        self._check_open()
        return SyncByteStream(self, stream)

    def _abandon(self, stream: ByteStream) -> None:
        if not self._closed:
            self._abandoned.append(stream)


async def _collect(iterator: AsyncIterator[T]) -> list[T]:
    return [item async for item in iterator]


def _run(fn: Callable[[], Awaitable[R]]) -> R:
    if trio.lowlevel.in_trio_run():
        raise RuntimeError(
            "SyncRossumAPIClient blocks in trio.run and cannot be used inside a running trio "
            "program; use AsyncRossumAPIClient there"
        )
    return trio.run(fn)


class SyncByteStream(Iterator[bytes]):
    """The body of a file export as a blocking iterator of ``bytes`` chunks.

    The response stays open between chunks: each ``trio.run`` reads a bounded window of chunks
    (:data:`STREAM_WINDOW_CHUNKS` x 64 KiB), so memory stays bounded whatever the file size.
    While open, the stream holds one connection and one in-flight slot of its client. Read it
    to the end, or use ``with`` / :meth:`close` when you may stop early; a stream dropped
    while open is closed by the client's next call (or ``close()``)::

        with client.export_annotations_to_file(7, "csv") as stream:
            for chunk in stream:
                out.write(chunk)

    Bytes are handed out once: a failure mid-body raises instead of replaying them.
    """

    def __init__(self, runner: SyncRunner, stream: ByteStream) -> None:
        self._runner = runner
        self._stream = stream
        self._buffer: deque[bytes] = deque()
        self._done = False

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> bytes:
        while not self._buffer:
            if self._done:
                raise StopIteration
            self._buffer.extend(self._runner._run(self._read_window))
        return self._buffer.popleft()

    async def _read_window(self) -> list[bytes]:
        chunks: list[bytes] = []
        try:
            for _ in range(STREAM_WINDOW_CHUNKS):
                chunks.append(await self._stream.__anext__())
        except StopAsyncIteration:
            self._done = True  # the ByteStream closed itself
        except BaseException:
            self._done = True  # the ByteStream closed itself; bytes are never replayed
            raise
        return chunks

    def read_all(self) -> bytes:
        """The whole remaining body at once (then the stream is closed)."""
        return b"".join(self)

    def close(self) -> None:
        """Close the response and give back its connection and in-flight slot (idempotent)."""
        if self._done:
            return
        self._done = True
        self._buffer.clear()
        if not self._runner._closed:
            self._runner._run(self._stream.aclose)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        # Dropped while open: hand the response to the client, which closes it in its next run
        # (running trio here is not possible: we may be inside another call's run).
        if not getattr(self, "_done", True):
            self._done = True
            try:
                self._runner._abandon(self._stream)
            except Exception:  # pragma: no cover - best effort during garbage collection
                warnings.warn("could not hand back an abandoned export stream", stacklevel=1)


#: ``request_paginated``'s positional parameters after ``url`` in the official sync client.
SYNC_PAGINATED_POSITIONAL = (
    "ordering",
    "sideloads",
    "content_schema_ids",
    "method",
    "json",
    "max_pages",
    "paginated",
)
#: ``request_cursor_paginated``'s (no ``paginated``).
SYNC_CURSOR_POSITIONAL = SYNC_PAGINATED_POSITIONAL[:-1]
