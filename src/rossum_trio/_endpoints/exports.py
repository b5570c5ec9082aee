"""Queue exports: ``/queues/{id}/export`` as JSON annotations or as a file (CSV, XML, XLSX)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from enum import Enum
from functools import partial
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing, PageIterator
from rossum_trio._params import (
    PAGE_SIZE,
    chunked,
    export_method,
    export_query,
    list_query,
    parse_resource_id_from_url,
)
from rossum_trio._streams import ByteStream
from rossum_trio.models import Annotation
from rossum_trio.types import JsonDict


class ExportFileFormats(Enum):
    """File formats of :meth:`~AsyncRossumAPIClient.export_annotations_to_file`.

    A plain string (``"csv"``) is accepted as well.
    """

    CSV = "csv"
    XML = "xml"
    XLSX = "xlsx"


def _export_format(export_format: ExportFileFormats | str) -> str:
    value = export_format.value if isinstance(export_format, Enum) else export_format
    if not isinstance(value, str) or not value:
        raise ValueError(f"export_format must be an ExportFileFormats or a string, got {value!r}")
    return value


def _to_url(value: Any) -> Any:
    return value.get("url", value) if isinstance(value, dict) else value


def _normalize_exported(item: JsonDict) -> JsonDict:
    """Export results embed ``schema``/``document``/``modifier`` objects; keep their URLs."""
    if not isinstance(item, dict):
        raise TypeError(f"an export item is not an object: {type(item).__name__}")
    for key in ("schema", "document", "modifier"):
        if isinstance(item.get(key), dict):
            item[key] = _to_url(item[key])
    if item.get("id") is None and isinstance(item.get("url"), str):
        with contextlib.suppress(ValueError):
            item["id"] = parse_resource_id_from_url(item["url"])
    return item


class ExportMethods(ClientBase):
    """Exports of a queue's annotations."""

    def export_annotations_to_json(self, queue_id: int, **filters: Any) -> Listing[Annotation]:
        """Iterate the JSON export of a queue (``GET /queues/{id}/export?format=json``).

        With ``to_status`` the export moves the annotations (a POST). Then this first lists
        the matching annotations (read-only), and exports them by id in batches, so no
        annotation is skipped or exported twice while the list changes under it.
        """
        columns = filters.pop("columns", ())
        url = self._at("queues/{}/export", queue_id=queue_id)
        if export_method(filters) == "GET":
            query = export_query("json", columns, **filters)
            return self._list_exported(url, "GET", query)
        return _MovingExport(
            partial(self._export_ids, url, columns, filters),
            partial(self._export_moving, url, columns, filters),
        )

    def _list_exported(self, url: str, method: str, query: JsonDict) -> PageIterator[Annotation]:
        return self._list(
            Annotation,
            url=url,
            method=method,
            retry_safe=method == "GET",
            prepare=_normalize_exported,
            **query,
        )

    async def _export_ids(self, url: str, columns: Sequence[str], filters: JsonDict) -> list[int]:
        """The ids of the annotations a ``to_status`` export would move (read-only GET).

        Read from the raw items, so a custom ``deserializer=`` need not keep ``id``."""
        read_only = {k: v for k, v in filters.items() if k != "to_status"}
        listing = self._list(
            dict,
            url=url,
            retry_safe=True,
            prepare=_normalize_exported,
            **export_query("json", columns, **read_only),
        )
        return [item["id"] async for item in listing if isinstance(item.get("id"), int)]

    async def _export_moving(
        self, url: str, columns: Sequence[str], filters: JsonDict, ids: Sequence[int]
    ) -> list[Annotation]:
        """Export (and move: ``to_status``) these annotations, one POST (never repeated)."""
        chunk_filters = {**filters, "id": ",".join(map(str, ids))}
        query = list_query(filters=export_query("json", columns, **chunk_filters))
        query["page_size"] = PAGE_SIZE
        response = await self._send("POST", url, params=query)
        return self._decode_page(Annotation, response, prepare=_normalize_exported).items

    def export_annotations_to_file(
        self,
        queue_id: int,
        export_format: ExportFileFormats | str,
        **filters: Any,
    ) -> ByteStream:
        """Stream a queue export as file bytes (CSV, XML or XLSX), chunk by chunk.

        ``export_format`` is an :class:`ExportFileFormats` or a plain string. The request is
        retried only until the body starts; bytes are never handed out twice.

        >>> async with client.export_annotations_to_file(7, "csv", status="exported") as s:
        ...     data = await s.read_all()  # doctest: +SKIP
        """
        fmt = _export_format(export_format)
        columns = filters.pop("columns", ())
        method = export_method(filters)
        query = export_query(fmt, columns, **filters)
        return ByteStream(
            self._http,
            method,
            self._at("queues/{}/export", queue_id=queue_id),
            params=query,
            retry_safe=method == "GET",
        )


class _MovingExport(AsyncIterator[Annotation]):
    """``to_status`` export: list the matches read-only, then export them by id, 100 a time."""

    def __init__(
        self,
        list_ids: Callable[[], Awaitable[list[int]]],
        export: Callable[[Sequence[int]], Awaitable[list[Annotation]]],
    ) -> None:
        self._list_ids = list_ids
        self._export = export
        self._chunks: list[Sequence[int]] | None = None
        self._buffer: list[Annotation] = []
        self._closed = False

    def __aiter__(self) -> _MovingExport:
        return self

    async def __anext__(self) -> Annotation:
        while not self._buffer:
            batch = await self.next_batch()
            if not batch:
                raise StopAsyncIteration
            self._buffer = batch
        return self._buffer.pop(0)

    async def next_batch(self) -> list[Annotation]:
        """The next exported batch (up to 100 annotations); ``[]`` at the end."""
        if self._buffer:
            batch, self._buffer = self._buffer, []
            return batch
        if self._closed:
            return []
        if self._chunks is None:
            self._chunks = chunked(await self._list_ids())
        if not self._chunks:
            return []
        return await self._export(self._chunks.pop(0))

    async def aclose(self) -> None:
        """Stop: nothing more is exported (idempotent)."""
        self._closed = True
        self._buffer = []
