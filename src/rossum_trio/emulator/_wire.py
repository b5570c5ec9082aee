"""ASGI plumbing shared by the app: reading a body within limits, sleeping on trio or asyncio,
and turning a request into a log record."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import msgspec
import trio

from ._http import ApiError, Request
from ._log import RequestRecord

__all__ = ["LOGGED_BYTES", "read_body", "record_request", "sleep"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

LOGGED_BYTES = 64 * 1024
"""Larger JSON bodies and form values are not kept in the request log (it holds 10,000 entries)."""


async def sleep(seconds: float) -> None:
    """Sleep on whichever event loop runs the app (trio or asyncio)."""
    if trio.lowlevel.in_trio_run():
        await trio.sleep(seconds)
    else:
        await asyncio.sleep(seconds)


class _Stalled(Exception):
    pass


async def _receive(receive: Receive, timeout: float) -> Message:
    if trio.lowlevel.in_trio_run():
        with trio.move_on_after(timeout):
            return await receive()
        raise _Stalled
    try:
        return await asyncio.wait_for(receive(), timeout)
    except TimeoutError:
        raise _Stalled from None


async def read_body(
    receive: Receive, headers: dict[str, str], limit: int, timeout: float
) -> tuple[bytes, ApiError | None] | None:
    """The request body, or an error that ends the request early: 413 as soon as the declared or
    received size passes ``limit`` (nothing more is read), 408 when no chunk arrives for
    ``timeout`` seconds, 400 for a malformed ``Content-Length``. None if the client went away."""
    declared = headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit() or len(declared.strip()) > 18:
            return b"", ApiError(400, {"detail": "Invalid Content-Length header."})
        if int(declared) > limit:
            return b"", _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    # without a declared body or chunked encoding there is nothing to wait for
    expect_body = (declared or "0").strip() != "0" or "transfer-encoding" in headers
    while True:
        try:
            message = await (_receive(receive, timeout) if expect_body else receive())
        except _Stalled:
            return b"", ApiError(408, {"detail": "Request body not received in time."})
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, {"detail": f"Request entity too large (at most {limit} bytes for this endpoint)."}
    )


def record_request(req: Request, status: int | None) -> RequestRecord:
    """A log record of a request: parsed query, JSON body, form fields, file part names."""
    params: dict[str, list[str]] = {}
    for k, v in req.query:
        params.setdefault(k, []).append(v)
    json_body: Any = None
    form: dict[str, str] = {}
    files: list[tuple[str, str]] = []
    ct = req.content_type
    try:
        if ct == "multipart/form-data":
            for part in req.parts():
                if part.filename is None:
                    form[part.name] = part.data[:LOGGED_BYTES].decode("utf-8", "replace")
                else:
                    files.append((part.name, part.filename))
        elif ct == "application/x-www-form-urlencoded":
            form = {k: str(v)[:LOGGED_BYTES] for k, v in req.data().items()}
        elif req.body.strip() and len(req.body) <= LOGGED_BYTES:
            json_body = msgspec.json.decode(req.body)
    except (ApiError, msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        pass
    return RequestRecord(
        method=req.method,
        path=req.full_path,
        query=req.raw_query,
        headers={k: v for k, v in req.headers.items() if k not in ("authorization", "cookie")},
        body_size=len(req.body),
        status=status,
        params=params,
        json=json_body,
        form=form,
        files=files,
        api_path=req.path,
    )
