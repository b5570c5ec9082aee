"""Standing in for the API on the wire, and reading what was sent.

* :class:`Recorder`: the scripted server. An ``httpx.MockTransport`` handler that records every
  request (with its time on trio's clock) and answers with a function of the request, or
  (:meth:`Recorder.scripted`) with a list of answers; :func:`numbered` answers by the request's
  number.
* :class:`Wire`: canned answers by method and path, as respx routes (the ``wire`` fixture).
* :func:`query_of`, :func:`body_of`, :func:`parts_of`: the query, JSON body and multipart parts
  of a recorded request.
* Response bodies that arrive in chunks or break (:class:`ChunkedBody`, :class:`BrokenBody`), and
  :class:`Intercept`, a transport in front of another (the emulator's).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx
import respx
import trio

from tests.support import BASE

#: What a scripted answer may be: a response, JSON data (a 200), or None (the default answer).
AnswerFn = Callable[[httpx.Request], Any]


@dataclass
class Seen:
    """One recorded request, by origin (see :meth:`Recorder.foreign`)."""

    method: str
    url: str
    scheme: str
    host: str
    port: int | None
    authorization: str | None
    body: bytes


class Recorder:
    """An ``httpx.MockTransport`` handler: records every request, answers with ``answer``.

    ``answer(request)`` returns an ``httpx.Response``, JSON data (sent as a 200), or None (then
    ``default`` is sent, itself a response or JSON data); it may be async, and may raise (an
    ``httpx.TransportError`` is a failed connection). Recorded: ``requests`` (bodies read),
    ``times`` (trio's clock when each arrived), ``statuses`` (of the answers).
    """

    def __init__(self, answer: AnswerFn | None = None, *, default: Any = None, home: str = BASE):
        self.answer = answer
        self.default = default
        self.home = httpx.URL(home)
        self.requests: list[httpx.Request] = []
        self.times: list[float] = []
        self.statuses: list[int] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        self.times.append(trio.current_time())
        result = self.answer(request) if self.answer is not None else None
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            result = self.default
        response = (
            result if isinstance(result, httpx.Response) else httpx.Response(200, json=result)
        )
        self.statuses.append(response.status_code)
        return response

    @classmethod
    def scripted(cls, *answers: Any, default: Any = None) -> Recorder:
        """A recorder that answers with ``answers`` in turn, then ``default``. Each is a
        response, JSON data, an exception (raised: a transport error), or a function of the
        request."""
        queue = list(answers)

        def answer(request: httpx.Request) -> Any:
            step = queue.pop(0) if queue else default
            if isinstance(step, BaseException):
                raise step
            if callable(step):
                return step(request)
            return step

        return cls(answer)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def only(self) -> httpx.Request:
        """The one request sent (fails if there were more or none)."""
        assert len(self.requests) == 1, [f"{r.method} {r.url}" for r in self.requests]
        return self.requests[0]

    def gaps(self) -> list[float]:
        """The time between one request and the next."""
        return [b - a for a, b in zip(self.times, self.times[1:], strict=False)]

    @property
    def seen(self) -> list[Seen]:
        """The requests, by method, URL parts, credentials and body."""
        return [
            Seen(
                r.method,
                str(r.url),
                r.url.scheme,
                r.url.host,
                r.url.port,
                r.headers.get("authorization"),
                r.content,
            )
            for r in self.requests
        ]

    def foreign(self) -> list[Seen]:
        """Requests that left the origin of ``home``."""
        home = (self.home.scheme, self.home.host, self.home.port)
        return [s for s in self.seen if (s.scheme, s.host, s.port) != home]


def numbered(script: Callable[[int, httpx.Request], Any]) -> AnswerFn:
    """``script(n, request)`` answers the ``n``-th request (from 1)."""
    count = 0

    def answer(request: httpx.Request) -> Any:
        nonlocal count
        count += 1
        return script(count, request)

    return answer


class Wire:
    """Canned answers by method and path, as routes of a respx router (``BASE`` as base URL).

    ``on("GET", "queues/7", {...})`` answers ``GET /api/v1/queues/7``; several answers for one
    route are given in turn, the last one again. A request no route matches fails the test.
    ``handler`` is the router's, for an ``httpx.MockTransport`` (an unpaced in-process client).
    """

    def __init__(self, router: respx.MockRouter) -> None:
        self.router = router
        self.requests: list[httpx.Request] = []
        """Every request a route of this wire answered, in order."""
        self._answers: dict[tuple[str, str], list[Callable[[], httpx.Response]]] = {}

    @property
    def handler(self) -> Callable[[httpx.Request], Awaitable[httpx.Response]]:
        return self.router.async_handler

    def on(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        status: int = 200,
        content: bytes | None = None,
    ) -> None:
        """Answer ``method path`` (path relative to the API root) with this response."""
        key = (method, "/" + path.lstrip("/"))
        answers = self._answers.get(key)
        if answers is None:
            answers = self._answers[key] = []

            def next_answer(request: httpx.Request) -> httpx.Response:
                self.requests.append(request)
                return (answers.pop(0) if len(answers) > 1 else answers[0])()

            self.router.route(method=method, url=key[1]).mock(side_effect=next_answer)
        if content is None:
            answers.append(lambda: httpx.Response(status, json=json_body))
        else:
            answers.append(lambda: httpx.Response(status, content=content))

    def only(self) -> httpx.Request:
        """The one request sent (fails if there were more or none)."""
        assert len(self.requests) == 1, [f"{r.method} {r.url}" for r in self.requests]
        return self.requests[0]


# -- reading requests ------------------------------------------------------------------------------


def query_of(request: httpx.Request) -> dict[str, str]:
    """The request's query parameters (each key once: a repeated key fails)."""
    items = request.url.params.multi_items()
    assert len({k for k, _ in items}) == len(items), f"repeated query key in {request.url}"
    return dict(items)


def body_of(request: httpx.Request) -> Any:
    """The request's JSON body."""
    assert request.headers["content-type"] == "application/json"
    return json.loads(request.content)


class Part(NamedTuple):
    """One part of a multipart body."""

    name: str
    filename: str | None
    content_type: str | None
    value: bytes


def parts_of(request: httpx.Request) -> list[Part]:
    """The parts of a ``multipart/form-data`` body, in order."""
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data"), content_type
    boundary = b"--" + content_type.split("boundary=", 1)[1].encode()
    chunks = request.content.split(boundary)
    assert chunks[-1] in (b"--\r\n", b"--"), chunks[-1]
    parts = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n") and chunk.endswith(b"\r\n"), chunk[:80]
        head, _, value = chunk[2:-2].partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode().split("\r\n"):
            key, _, text = line.partition(":")
            headers[key.strip().lower()] = text.strip()
        disposition = headers["content-disposition"]
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        assert name is not None, disposition
        parts.append(
            Part(
                name.group(1),
                filename.group(1) if filename else None,
                headers.get("content-type"),
                value,
            )
        )
    return parts


# -- response bodies and transports ----------------------------------------------------------------


class ChunkedBody(httpx.AsyncByteStream):
    """A response body sent in ``count`` chunks of ``size`` bytes; counts what was sent."""

    def __init__(self, count: int, size: int) -> None:
        self.count = count
        self.size = size
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index in range(self.count):
            self.sent += 1
            await trio.lowlevel.checkpoint()
            yield bytes([index % 256]) * self.size

    @property
    def body(self) -> bytes:
        return b"".join(bytes([i % 256]) * self.size for i in range(self.count))


class BrokenBody(httpx.AsyncByteStream):
    """Yields ``head``, then fails like a dropped connection."""

    def __init__(self, head: bytes = b"AAA") -> None:
        self.head = head

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.head
        raise httpx.ReadError("connection reset")


class Intercept(httpx.AsyncBaseTransport):
    """A transport in front of another (the emulator's): ``hook(request, forward)`` answers.

    ``forward()`` passes the request on and returns the answer with its body read.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        hook: Callable[[httpx.Request, Callable[[], Awaitable[httpx.Response]]], Awaitable[Any]],
    ) -> None:
        self.inner = inner
        self.hook = hook

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        async def forward() -> httpx.Response:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(
                response.status_code, headers=response.headers, content=body, request=request
            )

        return await self.hook(request, forward)  # type: ignore[no-any-return]
