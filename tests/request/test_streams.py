"""Streams (``_streams.py``, the blocking ``SyncByteStream``): file exports are never replayed
after bytes were handed out, give their in-flight slot back however they end, and the blocking
client downloads a body in one run and hands it out in chunks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio

from rossum_trio import ExportFileFormats, SyncRossumAPIClient
from rossum_trio._sync import SyncByteStream
from rossum_trio._sync_base import READ_CHUNK_BYTES
from rossum_trio.errors import APIConnectionError
from tests.support.clients import make_client, sync_client
from tests.support.wire import BrokenBody, ChunkedBody, Recorder


async def test_export_stream_is_never_replayed() -> None:
    server = Recorder(lambda request: httpx.Response(200, stream=BrokenBody()))
    async with make_client(server, retry_backoff_factor=0) as client:
        received = []
        with pytest.raises(APIConnectionError):
            async for chunk in client.export_annotations_to_file(7, "csv"):
                received.append(chunk)
        assert client.limiter.statistics().borrowed_tokens == 0
    assert received == [b"AAA"] and len(server.requests) == 1


async def test_failing_post_processor_on_a_stream_gives_the_slot_back() -> None:
    def explode(response: httpx.Response) -> None:
        raise RuntimeError("post-processor failed")

    async with make_client(
        lambda _: httpx.Response(200, content=b"a,b\n"), response_post_processor=explode
    ) as client:
        with pytest.raises(RuntimeError, match="post-processor"):
            await client.export_annotations_to_file(7, "csv").read_all()
        assert client.limiter.statistics().borrowed_tokens == 0


# -- the blocking client: downloaded in one run, handed out in chunks -----------------------------


def _export_client(
    body: httpx.AsyncByteStream, **options: Any
) -> tuple[Recorder, SyncRossumAPIClient]:
    def route(request: httpx.Request) -> Any:
        assert request.url.path.endswith("/queues/7/export")
        return httpx.Response(200, stream=body, headers={"Content-Type": "text/csv"})

    server = Recorder(route)
    return server, sync_client(server, **options)


def test_export_file_stream_is_downloaded_in_one_run_then_chunked() -> None:
    body = ChunkedBody(count=40, size=10_000)
    server, client = _export_client(body)
    with client:
        stream = client.export_annotations_to_file(7, ExportFileFormats.CSV, status="exported")
        assert isinstance(stream, SyncByteStream)
        assert server.requests == []  # lazy: sent on the first next()
        first = next(stream)
        assert body.sent == body.count  # whole body read in that one run
        # Nothing is held between calls: no open response, no in-flight slot.
        assert client.limiter.statistics().borrowed_tokens == 0
        assert len(first) == READ_CHUNK_BYTES
        assert first + b"".join(stream) == body.body
        assert next(stream, None) is None
        assert server.requests[0].url.params["format"] == "csv"
        assert server.requests[0].url.params["status"] == "exported"


def test_export_read_all_and_early_close() -> None:
    body = ChunkedBody(count=5, size=100_000)
    _, client = _export_client(body)
    with client:
        assert client.export_annotations_to_file(7, "csv").read_all() == body.body
        with client.export_annotations_to_file(7, "csv") as stream:
            assert next(stream) == body.body[:READ_CHUNK_BYTES]
        assert list(stream) == []  # closed
        never_read = client.export_annotations_to_file(7, "csv")
        never_read.close()
        assert list(never_read) == []


def test_large_export_spools_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("rossum_trio._sync_base.SPOOL_MEMORY_BYTES", 50_000)
    body = ChunkedBody(count=20, size=10_000)
    _, client = _export_client(body)
    with client, client.export_annotations_to_file(7, "xml") as stream:
        chunks = list(stream)
    assert b"".join(chunks) == body.body


def test_export_failure_mid_body_hands_out_nothing() -> None:
    _, client = _export_client(BrokenBody(b"partial"), n_retries=1)
    with client:
        stream = client.export_annotations_to_file(7, "csv")
        with pytest.raises(APIConnectionError):
            next(stream)
        assert list(stream) == []  # no partial body, no replay
        assert client.limiter.statistics().borrowed_tokens == 0


def test_why_streams_cannot_stay_open_across_runs() -> None:
    """Trio closes suspended async generators when a run ends (httpx bodies are ones)."""

    async def agen() -> Any:
        yield 1
        yield 2

    iterator = agen()
    assert trio.run(iterator.__anext__) == 1
    with pytest.raises(StopAsyncIteration):  # closed by trio at the end of the first run
        trio.run(iterator.__anext__)
