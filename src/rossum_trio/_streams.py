"""Streamed response bodies (file exports): bytes handed out once, never replayed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self

import httpx

from rossum_trio._http import HTTPCore


class ByteStream:
    """The body of one streamed response, as an async iterator of ``bytes`` chunks.

    The request is sent on the first ``__anext__``; retries happen only until the response
    headers arrive, so a failure mid-body raises (as
    :class:`~rossum_trio.errors.APIConnectionError`) instead of replaying bytes already
    handed out. The stream takes a slot of the client's in-flight cap only while it waits for
    bytes: between chunks (while you work on one) it holds none, so other calls of the client
    go on, and a stream dropped without closing keeps no slot.

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
        self._response: httpx.Response | None = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._closed = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        if self._chunks is None:
            await self._open()
        assert self._chunks is not None
        assert self._response is not None
        request = self._response.request
        try:
            async with self._http.limiter:
                chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            await self.aclose()
            raise
        except httpx.TransportError as exc:
            await self.aclose()
            raise self._http.map_transport_error(exc, request) from exc
        except BaseException:
            await self.aclose()
            raise
        return chunk

    async def _open(self) -> None:
        self._response = await self._http.send(
            self._method, self._url, stream=True, **self._request
        )
        self._chunks = self._response.aiter_bytes()

    async def read_all(self) -> bytes:
        """The whole remaining body at once (then the stream is closed)."""
        parts = [chunk async for chunk in self]
        return b"".join(parts)

    async def aclose(self) -> None:
        """Close the response (idempotent)."""
        if self._closed:
            return
        self._closed = True
        chunks, response = self._chunks, self._response
        self._chunks = self._response = None
        if chunks is not None and hasattr(chunks, "aclose"):
            await chunks.aclose()
        if response is not None:
            await response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
