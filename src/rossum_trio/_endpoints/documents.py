"""Documents, uploads, tasks and exports."""

from __future__ import annotations

import contextlib
import json as jsonlib
import pathlib
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from enum import Enum
from functools import partial
from typing import Any, TypeVar

import trio

from rossum_trio._base import _Answer
from rossum_trio._concurrency import open_nursery
from rossum_trio._endpoints.annotations import AnnotationMethods, _status_of
from rossum_trio._files import FileSpec, check_files, read_file
from rossum_trio._pagination import PageIterator
from rossum_trio._params import (
    PAGE_SIZE,
    export_method,
    export_query,
    list_query,
    parse_resource_id_from_url,
    validate_id,
    validate_non_negative,
)
from rossum_trio._streams import ByteStream
from rossum_trio.errors import TaskFailedError
from rossum_trio.models import Annotation, Document, Task, TaskStatus, Upload
from rossum_trio.types import JsonDict

T = TypeVar("T")


class ExportFileFormats(Enum):
    """File formats of :meth:`~AsyncRossumAPIClient.export_annotations_to_file`.

    A plain string (``"csv"``) is accepted as well.
    """

    CSV = "csv"
    XML = "xml"
    XLSX = "xlsx"


def _json_part(value: dict[str, Any]) -> tuple[str, bytes, str]:
    # The filename must be empty: with a name the API answers 400 "Value must be valid JSON".
    return ("", jsonlib.dumps(value).encode(), "application/json")


def _upload_parts(
    filename: str,
    content: bytes,
    values: dict[str, Any] | None,
    metadata: dict[str, Any] | None,
) -> list[tuple[str, tuple[str, bytes, str]]]:
    parts = [("content", (filename, content, "application/octet-stream"))]
    if values is not None:
        parts.append(("values", _json_part(values)))
    if metadata is not None:
        parts.append(("metadata", _json_part(metadata)))
    return parts


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


def annotation_ids_of_import(answer: _Answer) -> list[int]:
    """The annotation ids named by a ``POST /queues/{id}/upload`` answer (one per file)."""
    try:
        results = answer.data["results"]
        ids = [parse_resource_id_from_url(r["annotation"]) for r in results]
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise answer.problem(f"no annotation URL in the answer ({type(exc).__name__})") from None
    if not ids:
        raise answer.problem("the answer names no annotation")
    return ids


class DocumentMethods(AnnotationMethods):
    """Documents, uploads, tasks and exports."""

    # -- documents -------------------------------------------------------------------------------

    async def retrieve_document(self, document_id: int) -> Document:
        """One document (``GET /documents/{id}``)."""
        return await self._retrieve(Document, document_id=document_id)

    async def retrieve_document_content(self, document_id: int) -> bytes:
        """The original file of a document (``GET /documents/{id}/content``)."""
        response = await self._send(
            "GET", self._at("documents/{}/content", document_id=document_id)
        )
        return response.content

    async def create_new_document(
        self,
        file_name: str,
        file_data: bytes,
        metadata: dict[str, Any] | None = None,
        parent: str | None = None,
    ) -> Document:
        """Create a document without an annotation (``POST /documents``, multipart)."""
        if not isinstance(file_data, bytes | bytearray):
            raise ValueError(f"file_data must be bytes, got {type(file_data).__name__}")
        files: list[tuple[str, Any]] = [
            ("content", (file_name, bytes(file_data))),
            ("metadata", ("", jsonlib.dumps(metadata or {}).encode())),
        ]
        if parent:
            files.append(("parent", ("", parent)))
        response = await self._send("POST", "documents", files=files)
        return self._decode(Document, response)

    # -- uploads ---------------------------------------------------------------------------------

    async def _read_and_post(
        self,
        url: str,
        spec: FileSpec,
        values: dict[str, Any] | None,
        metadata: dict[str, Any] | None,
    ) -> _Answer:
        filepath, filename = spec
        content = await read_file(filepath)  # never blocks the event loop
        return await self._answer(
            "POST", url, files=_upload_parts(filename, content, values, metadata)
        )

    async def _import_file(
        self,
        queue_id: int,
        filename: str,
        content: bytes,
        values: dict[str, Any] | None,
        metadata: dict[str, Any] | None,
    ) -> list[int]:
        """Upload one file's bytes with ``POST /queues/{id}/upload``; its annotation ids.

        One request, never repeated once it may have reached the server.
        """
        answer = await self._answer(
            "POST",
            self._at("queues/{}/upload", queue_id=queue_id),
            files=_upload_parts(filename, content, values, metadata),
        )
        return annotation_ids_of_import(answer)

    async def _for_each_file(
        self,
        files: Sequence[FileSpec],
        work: Callable[[FileSpec], Any],
    ) -> list[Any]:
        """Run ``work`` for every file concurrently (at most the in-flight cap files are read
        into memory at once); results in input order."""
        results: list[Any] = [None] * len(files)
        slots = trio.Semaphore(self._window())

        async def one(index: int, spec: FileSpec) -> None:
            async with slots:
                results[index] = await work(spec)

        async with open_nursery() as nursery:
            for index, spec in enumerate(files):
                nursery.start_soon(one, index, spec)
        return results

    async def import_document(
        self,
        queue_id: int,
        files: Sequence[tuple[str | pathlib.Path, str]],
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[int]:
        """Upload files with the deprecated ``POST /queues/{id}/upload``; annotation ids.

        Deprecated: use :meth:`upload_document`.
        """
        warnings.warn(
            "import_document uses the deprecated POST /queues/{id}/upload endpoint; "
            "use upload_document",
            DeprecationWarning,
            stacklevel=2,
        )
        return await self._import_document(queue_id, files, values, metadata)

    async def _import_document(
        self,
        queue_id: int,
        files: Sequence[FileSpec],
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[int]:
        url = self._at("queues/{}/upload", queue_id=queue_id)

        async def work(spec: FileSpec) -> int:
            answer = await self._read_and_post(url, spec, values, metadata)
            return annotation_ids_of_import(answer)[0]

        return await self._for_each_file(check_files(files), work)

    async def upload_document(
        self,
        queue_id: int,
        files: Sequence[tuple[str | pathlib.Path, str]],
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> list[Task]:
        """Upload files to a queue (``POST /uploads?queue={id}``); one import task per file.

        Files are read without blocking and uploaded concurrently under the in-flight cap; the
        tasks come back in the order of ``files``. ``values``/``metadata`` go to every file.
        Uploads are never repeated after they may have reached the server.

        >>> tasks = await client.upload_document(8199, [("inv.pdf", "inv.pdf")])  # doctest: +SKIP
        >>> task = await client.poll_task_until_succeeded(tasks[0].id)  # doctest: +SKIP
        """
        url = f"uploads?queue={validate_id(queue_id, 'queue_id')}"

        async def work(spec: FileSpec) -> Task:
            answer = await self._read_and_post(url, spec, values, metadata)
            task_url = answer.data.get("url")
            try:
                task_id = parse_resource_id_from_url(task_url)  # type: ignore[arg-type]
            except (TypeError, ValueError, AttributeError):
                raise answer.problem(f"no task URL in {answer.data!r}") from None
            return await self.retrieve_task(task_id)

        return await self._for_each_file(check_files(files), work)

    async def retrieve_upload(self, upload_id: int) -> Upload:
        """One upload (``GET /uploads/{id}``): its documents and annotations."""
        return await self._retrieve(Upload, upload_id=upload_id)

    async def upload_and_wait_until_imported(
        self,
        queue_id: int,
        filepath: str | pathlib.Path,
        filename: str,
        **poll_kwargs: Any,
    ) -> Annotation:
        """Upload one file to a queue and wait until its annotation is imported."""
        (annotation_id,) = await self._import_document(queue_id, [(filepath, filename)])
        return await self.poll_annotation_until_imported(annotation_id, **poll_kwargs)

    # -- tasks -----------------------------------------------------------------------------------

    async def retrieve_task(self, task_id: int) -> Task:
        """One task (``GET /tasks/{id}?no_redirect=True``)."""
        return await self._get(
            Task, self._at("tasks/{}", task_id=task_id), params={"no_redirect": "True"}
        )

    async def poll_task(
        self,
        task_id: int,
        predicate: Callable[[Task], bool],
        sleep_s: float = 3,
    ) -> Task:
        """Fetch the task every ``sleep_s`` seconds until ``predicate(task)`` holds.

        Raises :class:`~rossum_trio.errors.TaskFailedError` when the task ends in ``failed``
        without satisfying the predicate. Bound the wait with ``trio.fail_after``.
        """
        validate_non_negative("sleep_s", sleep_s)
        while True:
            task = await self.retrieve_task(task_id)
            if predicate(task):
                return task
            if _status_of(task) == TaskStatus.FAILED:
                detail = task.get("detail") if isinstance(task, dict) else task.detail
                raise TaskFailedError(task_id, detail, task)
            await trio.sleep(sleep_s)

    async def poll_task_until_succeeded(self, task_id: int, sleep_s: float = 3) -> Task:
        """Wait until the task has ``succeeded``; :class:`TaskFailedError` if it ``failed``."""
        return await self.poll_task(
            task_id, lambda t: _status_of(t) == TaskStatus.SUCCEEDED, sleep_s=sleep_s
        )

    # -- export ----------------------------------------------------------------------------------

    def export_annotations_to_json(
        self, queue_id: int, **filters: Any
    ) -> AsyncIterator[Annotation]:
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
        self._ids: list[int] | None = None
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
        if self._ids is None:
            self._ids = await self._list_ids()
        if not self._ids:
            return []
        chunk, self._ids = self._ids[:PAGE_SIZE], self._ids[PAGE_SIZE:]
        return await self._export(chunk)

    async def aclose(self) -> None:
        """Stop: nothing more is exported (idempotent)."""
        self._closed = True
        self._buffer = []
