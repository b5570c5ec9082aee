"""Streamed response bodies (file exports): bytes handed out once, never replayed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Self

import httpx

from rossum_trio._http import HTTPCore, _map_transport_error


class ByteStream:
    """The body of one streamed response, as an async iterator of ``bytes`` chunks.

    The request is sent on the first ``__anext__``; retries happen only until the response
    headers arrive, so a failure mid-body raises (as
    :class:`~rossum_trio.errors.APIConnectionError`) instead of replaying bytes already
    handed out. While open, the stream holds one slot of the client's in-flight cap.

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
        self._holding = False
        self._closed = False

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        if self._chunks is None:
            await self._open()
        assert self._chunks is not None
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            await self.aclose()
            raise
        except httpx.TransportError as exc:
            await self.aclose()
            raise _map_transport_error(exc, self._method, self._url) from exc
        except BaseException:
            await self.aclose()
            raise
        return chunk

    async def _open(self) -> None:
        self._response = await self._http.open_stream(
            self._method, self._url, borrower=self, **self._request
        )
        self._holding = True
        self._chunks = self._response.aiter_bytes()

    async def read_all(self) -> bytes:
        """The whole remaining body at once (then the stream is closed)."""
        parts = [chunk async for chunk in self]
        return b"".join(parts)

    async def aclose(self) -> None:
        """Close the response and give back the in-flight slot (idempotent)."""
        if self._closed:
            return
        self._closed = True
        chunks, response = self._chunks, self._response
        self._chunks = self._response = None
        try:
            if chunks is not None and hasattr(chunks, "aclose"):
                await chunks.aclose()
            if response is not None:
                await response.aclose()
        finally:
            self._release()

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._http.limiter.release_on_behalf_of(self)

    def __del__(self) -> None:
        # Abandoned without aclose(): at least give the in-flight slot back. The connection is
        # closed with the client's pool (aclose of the client).
        if getattr(self, "_holding", False):
            with contextlib.suppress(Exception):  # best effort during garbage collection
                self._release()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
