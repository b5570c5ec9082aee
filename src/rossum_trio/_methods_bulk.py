"""Bulk work: upload many files and wait for all of them, within the API's budget.

A trio pipeline, all under the client's one in-flight cap:

    files ──► uploaders ──► task waiters ──► one bulk annotation waiter
              (POST /uploads)  (GET /tasks, /uploads)  (GET /annotations?id=a,b,c...)

Waiting for N annotations costs one list request per 100 of them per round, not N GETs.
Every file gets a :class:`BulkUploadResult`; one failing file does not stop the others.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import trio

from rossum_trio._concurrency import open_nursery
from rossum_trio._methods_annotations import FAILED_STATUSES, IMPORTING_STATUSES
from rossum_trio._methods_documents import DocumentMethods, FileSpec, _check_files
from rossum_trio._params import PAGE_SIZE, parse_resource_id_from_url, validate_non_negative
from rossum_trio.errors import PollingError, RossumError
from rossum_trio.models import Annotation, Task, TaskStatus

#: Progress callback: ``(stage, done, total)``; stages are ``"uploaded"`` and ``"imported"``.
ProgressCallback = Callable[[str, int, int], Any]


@dataclass
class BulkUploadResult:
    """What became of one file of :meth:`~AsyncRossumAPIClient.bulk_upload_and_wait`.

    ``annotations`` are the imported annotations (status ``to_review`` or later, or
    ``failed_import``); ``error`` is set when the file could not be uploaded or imported.
    """

    filename: str
    task: Task | None = None
    annotations: list[Annotation] = field(default_factory=list)
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """True when the upload worked and no annotation ended in ``failed_import``."""
        return self.error is None and all(a.status not in FAILED_STATUSES for a in self.annotations)


def _annotation_ids(urls: Sequence[str]) -> list[int]:
    return [parse_resource_id_from_url(url) for url in urls]


class BulkMethods(DocumentMethods):
    """Bulk uploads and bulk waiting."""

    async def wait_until_annotations_imported(
        self,
        annotation_ids: Sequence[int],
        sleep_s: float = 2,
        on_progress: ProgressCallback | None = None,
    ) -> list[Annotation]:
        """Wait until every annotation has left ``importing``/``created``; in input order.

        Polls with one ``GET /annotations?id=a,b,...`` per 100 pending annotations per round
        (not one request per annotation). Annotations that end in ``failed_import`` are returned
        as they are (check ``status``). Bound the wait with ``trio.fail_after``.
        """
        validate_non_negative("sleep_s", sleep_s)
        ids = list(dict.fromkeys(annotation_ids))
        done: dict[int, Annotation] = {}
        pending = list(ids)
        while pending:
            done.update(await self._imported_among(pending))
            pending = [i for i in pending if i not in done]
            if on_progress is not None:
                on_progress("imported", len(done), len(ids))
            if pending:
                await trio.sleep(sleep_s)
        return [done[i] for i in annotation_ids]

    async def _imported_among(self, ids: Sequence[int]) -> dict[int, Annotation]:
        """Those of ``ids`` that have left ``importing``/``created``, as they are now, by id.

        One list request per 100 ids (concurrently)."""
        chunks = [ids[i : i + PAGE_SIZE] for i in range(0, len(ids), PAGE_SIZE)]
        found: list[list[Annotation]] = [[] for _ in chunks]

        async def fetch(index: int, chunk: Sequence[int]) -> None:
            listing = self.list_annotations(id=",".join(map(str, chunk)))
            found[index] = [a async for a in listing]

        async with open_nursery() as nursery:
            for index, chunk in enumerate(chunks):
                nursery.start_soon(fetch, index, chunk)
        return {
            a.id: a
            for part in found
            for a in part
            if a.id is not None and a.status not in IMPORTING_STATUSES
        }

    async def _wait_for_upload_annotations(self, task: Task, sleep_s: float) -> list[int]:
        """Follow a succeeded upload task to its upload, until the upload lists annotations."""
        upload_url = (task.content or {}).get("upload") or task.result_url
        if not isinstance(upload_url, str):
            raise PollingError(f"task {task.id} succeeded without naming its upload")
        upload_id = parse_resource_id_from_url(upload_url)
        while True:
            upload = await self.retrieve_upload(upload_id)
            if upload.annotations:
                return _annotation_ids(upload.annotations)
            await trio.sleep(sleep_s)

    async def bulk_upload_and_wait(
        self,
        queue_id: int,
        files: Sequence[tuple[str | pathlib.Path, str]],
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        sleep_s: float = 2,
        on_progress: ProgressCallback | None = None,
    ) -> list[BulkUploadResult]:
        """Upload many files to a queue and wait until all their annotations are imported.

        Returns one :class:`BulkUploadResult` per file, in the order of ``files``. Uploads run
        concurrently under the client's in-flight cap; waiting is batched (see
        :meth:`wait_until_annotations_imported`). ``on_progress(stage, done, total)`` is called
        as files are uploaded (``"uploaded"``) and imported (``"imported"``).

        >>> files = [("a.pdf", "a.pdf"), ("b.pdf", "b.pdf")]
        >>> results = await client.bulk_upload_and_wait(8199, files)  # doctest: +SKIP
        >>> [r.annotations[0].status for r in results if r.ok]  # doctest: +SKIP
        ['to_review', 'to_review']
        """
        validate_non_negative("sleep_s", sleep_s)
        specs = _check_files(files)
        results = [BulkUploadResult(filename=name) for _, name in specs]
        total = len(specs)
        uploaded = 0
        # index -> annotation ids, filled by the task waiters, drained by the bulk waiter
        send_ids, receive_ids = trio.open_memory_channel[tuple[int, list[int]]](math.inf)

        # At most ``window`` files are read and sent at once (memory stays bounded); waiting
        # for their tasks holds no slot, so the next files go up meanwhile.
        slots = trio.Semaphore(self._window())

        async def upload_one(index: int, spec: FileSpec) -> None:
            nonlocal uploaded
            try:
                try:
                    async with slots:
                        (task,) = await self.upload_document(queue_id, [spec], values, metadata)
                finally:
                    uploaded += 1
                    if on_progress is not None:
                        on_progress("uploaded", uploaded, total)
                if task.status != TaskStatus.SUCCEEDED:
                    await trio.sleep(sleep_s)  # upload_document has just fetched the task
                    task = await self.poll_task_until_succeeded(task.id, sleep_s=sleep_s)
                results[index].task = task
                ids = await self._wait_for_upload_annotations(task, sleep_s)
                await send_ids.send((index, ids))
            except RossumError as exc:
                results[index].error = exc

        async def wait_all() -> None:
            # Polls while uploads are still going on; new annotation ids join the next round.
            owners: dict[int, int] = {}  # annotation id -> file index
            pending: list[int] = []
            imported = 0
            closed = False

            def take(item: tuple[int, list[int]]) -> None:
                for annotation_id in item[1]:
                    owners[annotation_id] = item[0]
                    pending.append(annotation_id)

            async with receive_ids:
                while True:
                    while not closed:
                        try:
                            take(receive_ids.receive_nowait())
                        except trio.WouldBlock:
                            break
                        except trio.EndOfChannel:
                            closed = True
                    if not pending:
                        if closed:
                            return
                        try:
                            take(await receive_ids.receive())
                        except trio.EndOfChannel:
                            closed = True
                        continue
                    finished = await self._imported_among(pending)
                    for annotation_id, found in finished.items():
                        results[owners[annotation_id]].annotations.append(found)
                    pending = [i for i in pending if i not in finished]
                    imported += len(finished)
                    if on_progress is not None:
                        on_progress("imported", imported, len(owners))
                    if pending:
                        await trio.sleep(sleep_s)

        async with open_nursery() as outer:
            outer.start_soon(wait_all)
            async with send_ids, open_nursery() as uploaders:
                for index, spec in enumerate(specs):
                    uploaders.start_soon(upload_one, index, spec)
        return results
