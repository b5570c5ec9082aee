"""Reading response bodies so that stopping early leaves nothing behind."""

from __future__ import annotations

from typing import Any, Final

import httpx


class BodyReader:
    """The body of a streamed response, chunk by chunk, decoded as its Content-Encoding says.

    Unlike ``response.aiter_bytes()``, it can stop at any point (a size limit, a deadline, a
    body that does not decode, a consumer that has had enough) and leave no suspended async
    generator of httpx/httpcore behind: :meth:`aclose` closes the response, then runs the raw
    iterator to its end (the closed connection ends it at once). trio would otherwise warn
    (``ResourceWarning``) when those generators are garbage-collected.
    """

    #: Most chunks run through after closing (what the parser had buffered already).
    _DRAIN_LIMIT: Final = 64

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._content: bytes | None = None
        self._raw: Any = None
        if hasattr(response, "_content"):
            self._content = response.content  # read already (a mock transport's answer)
        else:
            self._raw = response.aiter_raw()
        decoder = getattr(response, "_get_content_decoder", None)
        self._decoder: Any = decoder() if callable(decoder) else None
        self._flushed = False

    async def next(self) -> bytes | None:
        """The next non-empty chunk of the decoded body, or None at its end.

        Raises :class:`httpx.DecodingError` for a body that does not match its encoding.
        """
        if self._content is not None:
            chunk, self._content = self._content, b""
            return chunk or None
        if self._raw is None:
            return None
        while True:
            try:
                raw = await self._raw.__anext__()
            except StopAsyncIteration:
                if self._flushed or self._decoder is None:
                    return None
                self._flushed = True
                tail: bytes = self._decoder.flush()
                return tail or None
            decoded: bytes = raw if self._decoder is None else self._decoder.decode(raw)
            if decoded:
                return decoded

    async def aclose(self) -> None:
        """Close the response; leave nothing suspended (idempotent)."""
        raw, self._raw = self._raw, None
        await self.response.aclose()
        if raw is None:
            return
        for _ in range(self._DRAIN_LIMIT):
            try:
                await raw.__anext__()
            except Exception:  # StopAsyncIteration, or the closed connection's error: the end
                return
