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
* What cannot cross runs: a suspended *async generator*. At the end of each ``trio.run``,
  trio closes the async generators still alive, and httpx/httpcore read response bodies
  through async generators. So a streamed body (file export) is read to its end in one run
  (see :class:`SyncByteStream`); listings are :class:`~rossum_trio.Listing` objects, never
  async generators.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, ParamSpec, Self, TypeVar

import httpx
import trio

from rossum_trio._lifecycle import Closing
from rossum_trio._params import bind_positional
from rossum_trio.errors import ClientClosedError, WaitTimeoutError

if TYPE_CHECKING:
    from rossum_trio._client import AsyncRossumAPIClient
    from rossum_trio._pagination import Listing
    from rossum_trio._streams import ByteStream

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

#: Size of the chunks a :class:`SyncByteStream` hands out.
READ_CHUNK_BYTES = 64 * 1024
#: How much of an export :class:`SyncByteStream` keeps in memory; beyond, it spools to disk.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024


class SyncRunner(Closing):
    """Runs the coroutines of one async client, one :func:`trio.run` per call.

    Calls from several threads are serialised (one ``trio.run`` at a time per client); a
    listing or a poll running in one thread delays the calls of the others.
    """

    _async: AsyncRossumAPIClient

    def _attach(self, client: AsyncRossumAPIClient) -> None:
        self._async = client
        self._closed = False
        # Calls from several threads run one at a time: between two runs the async client is
        # idle, so any thread may run the next one.
        self._one_run_at_a_time = threading.Lock()

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

    def close(self) -> None:
        """Close the connection pool; the client cannot be used afterwards.

        Idempotent.
        """
        if self._closed:
            return
        _refuse_inside_trio()
        self._closed = True
        with self._one_run_at_a_time:
            trio.run(self._async.aclose)

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError("this client is closed; create a new one")

    # -- running ---------------------------------------------------------------------------------

    def _run(self, fn: Callable[[], Awaitable[R]], *, timeout: float | None = None) -> R:
        self._check_open()

        async def main() -> R:
            if timeout is None:
                return await fn()
            with trio.fail_after(timeout):
                return await fn()

        _refuse_inside_trio()
        try:
            with self._one_run_at_a_time:
                return trio.run(main)
        except trio.TooSlowError as exc:
            if timeout is None or isinstance(exc, WaitTimeoutError):
                raise
            raise WaitTimeoutError(f"gave up waiting after {timeout} s (timeout=)") from None

    def _call(self, fn: Callable[P, Awaitable[R]], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` in one ``trio.run``; its result or its exception."""
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
        return self._run(partial(fn, *args, **kwargs), timeout=timeout)

    # -- iterators and streams -------------------------------------------------------------------

    def _iterate(self, listing: Listing[T]) -> Iterator[T]:
        """A blocking iterator over an async listing, one ``trio.run`` per window of pages."""
        self._check_open()
        return self._batches(listing.next_batch)

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
        return bind_positional(name, order, args, kwargs)

    def _stream(self, stream: ByteStream) -> SyncByteStream:
        """A blocking iterator of ``bytes`` chunks over an async :class:`ByteStream`."""
        self._check_open()
        return SyncByteStream(self, stream)


def _refuse_inside_trio() -> None:
    if trio.lowlevel.in_trio_run():
        raise RuntimeError(
            "SyncRossumAPIClient blocks in trio.run and cannot be used inside a running trio "
            "program (nor from a callback of one of its own calls); use AsyncRossumAPIClient"
        )


class SyncByteStream(Closing, Iterator[bytes]):
    """The body of a file export as a blocking iterator of ``bytes`` chunks.

    Why not read a window of chunks per ``trio.run`` and keep the response open in between:
    httpx and httpcore read response bodies through *async generators*, and at the end of
    every ``trio.run`` trio closes the async generators that are still suspended (its
    end-of-run async-generator finalisation). The response would be closed under us, and the
    next read would end early: a silently truncated file. So the whole body is downloaded in
    one ``trio.run`` (on the first ``next()``) into a spool file, in memory up to
    :data:`SPOOL_MEMORY_BYTES` and on disk beyond, and handed out from there in
    :data:`READ_CHUNK_BYTES` chunks. Trade-off: the first chunk comes once the download is
    complete; in exchange memory stays bounded, no connection or in-flight slot is held
    between calls, and a download that fails mid-body raises before any byte is handed out
    (nothing partial, nothing replayed).

    Use ``with`` or :meth:`close` to drop the spool early; it is also dropped at the end::

        with client.export_annotations_to_file(7, "csv") as stream:
            for chunk in stream:
                out.write(chunk)
    """

    def __init__(self, runner: SyncRunner, stream: ByteStream) -> None:
        self._runner = runner
        self._stream = stream
        self._spool: tempfile.SpooledTemporaryFile[bytes] | None = None
        self._done = False

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> bytes:
        if self._done:
            raise StopIteration
        if self._spool is None:
            self._spool = self._runner._run(self._download)
        chunk = self._spool.read(READ_CHUNK_BYTES)
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    async def _download(self) -> tempfile.SpooledTemporaryFile[bytes]:
        # Handed to the caller open (closed by close(), the end of iteration, or __del__).
        spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=SPOOL_MEMORY_BYTES
        )
        try:
            async for chunk in self._stream:  # closes itself at the end or on failure
                if spool.tell() + len(chunk) > SPOOL_MEMORY_BYTES:
                    await trio.to_thread.run_sync(spool.write, chunk)  # on disk: off the loop
                else:
                    spool.write(chunk)
        except BaseException:
            spool.close()
            self._done = True
            raise
        spool.seek(0)
        return spool

    def read_all(self) -> bytes:
        """The whole remaining body at once (then the stream is closed)."""
        if self._spool is None and not self._done:
            self._done = True
            return self._runner._run(self._stream.read_all)
        return b"".join(self)

    def close(self) -> None:
        """Drop the downloaded body (idempotent). Nothing is left open between calls."""
        self._done = True
        spool, self._spool = self._spool, None
        if spool is not None:
            spool.close()

    def __del__(self) -> None:
        spool = getattr(self, "_spool", None)
        if spool is not None:
            spool.close()


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
