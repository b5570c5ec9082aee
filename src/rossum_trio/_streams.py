"""Streamed response bodies (file exports): bytes handed out once, never replayed."""

from __future__ import annotations

from typing import Any, Self

import httpx
import trio

from rossum_trio._bodies import BodyReader
from rossum_trio._http import HTTPCore
from rossum_trio._lifecycle import AsyncClosing
from rossum_trio.errors import APITimeoutError


class ByteStream(AsyncClosing):
    """The body of one streamed response, as an async iterator of ``bytes`` chunks.

    The request is sent on the first ``__anext__``; retries happen only until the response
    headers arrive, so a failure mid-body raises (as
    :class:`~rossum_trio.errors.APIConnectionError`) instead of replaying bytes already
    handed out. The stream takes a slot of the client's in-flight cap only while it waits for
    bytes: between chunks (while you work on one) it holds none, so other calls of the client
    go on, and a stream dropped without closing keeps no slot. The time spent waiting for the
    body is bounded as a whole by the client's total timeout (``timeout=``; the time you spend
    between chunks does not count): a server that trickles bytes cannot keep it open forever
    (:class:`~rossum_trio.errors.APITimeoutError`).

    Use it with ``async with`` (or call :meth:`aclose`) when you may stop early; a stream read
    to its end closes itself::

        async with client.export_annotations_to_file(7, "csv") as stream:
            async for chunk in stream:
                out.write(chunk)
    """

    def __init__(self, http: HTTPCore, method: str, url: str, **request: Any) -> None:
        self._http = http
        self._method = method
        self._url = url
        self._request = request
        self._reader: BodyReader | None = None
        self._closed = False
        #: Seconds this body may still spend waiting for bytes (the client's total timeout).
        self._budget = http.total_timeout

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        if self._reader is None:
            await self._open()
        reader = self._reader
        assert reader is not None
        request = reader.response.request
        try:
            async with self._http.limiter:
                with trio.move_on_after(self._budget) as deadline:
                    started = trio.current_time()
                    chunk = await reader.next()
                self._budget -= trio.current_time() - started
        except httpx.TransportError as exc:
            await self.aclose()
            raise self._http.map_transport_error(exc, request) from exc
        except httpx.DecodingError as exc:
            await self.aclose()
            raise self._http.undecodable(reader.response, exc) from None
        except BaseException:
            await self.aclose()
            raise
        if deadline.cancelled_caught:
            await self.aclose()
            raise APITimeoutError(
                f"[{request.method}] {request.url} - the body did not arrive within "
                f"{self._http.total_timeout:g} s (timeout=)",
                request=self._http._detached(request),
                request_sent=True,
            )
        if chunk is None:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def _open(self) -> None:
        response = await self._http.send(self._method, self._url, stream=True, **self._request)
        self._reader = BodyReader(response)

    async def read_all(self) -> bytes:
        """The whole remaining body at once (then the stream is closed)."""
        parts = [chunk async for chunk in self]
        return b"".join(parts)

    async def aclose(self) -> None:
        """Close the response (idempotent)."""
        if self._closed:
            return
        self._closed = True
        reader, self._reader = self._reader, None
        if reader is not None:
            await reader.aclose()
