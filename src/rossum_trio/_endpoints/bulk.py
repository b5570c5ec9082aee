"""Bulk work: upload many files and wait for all of them, within the API's budget.

The pipeline itself is :class:`~rossum_trio._bulk.BulkUpload`; here are the client methods
that start it, and the batched wait for many annotations.
"""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import trio

from rossum_trio._bulk import BulkUpload, BulkUploadResult, ProgressCallback, ResultCallback
from rossum_trio._bulk_wait import ImportRounds, annotations_by_id, lost_error
from rossum_trio._endpoints.uploads import UploadMethods
from rossum_trio._params import validate_id, validate_non_negative
from rossum_trio.models import Annotation

if TYPE_CHECKING:
    from rossum_trio._client import AsyncRossumAPIClient


class BulkMethods(UploadMethods):
    """Bulk uploads and bulk waiting."""

    def bulk_upload(
        self,
        queue_id: int,
        files: Sequence[tuple[str | pathlib.Path, str]],
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        sleep_s: float = 2,
        on_progress: ProgressCallback | None = None,
        on_result: ResultCallback | None = None,
        *,
        resume: Sequence[BulkUploadResult] | None = None,
        since: datetime.datetime | str | None = None,
    ) -> BulkUpload:
        """Start uploading many files to a queue; results come as each file is done.

        Returns a :class:`~rossum_trio.BulkUpload` to use with ``async with``; iterate it for
        each file's :class:`~rossum_trio.BulkUploadResult` as soon as it is final. About one
        request per file: each upload (``POST /queues/{id}/upload``) names its annotation,
        and imports are polled with one ``GET /annotations?id=...`` per 100 pending
        annotations per round (every ``sleep_s`` seconds). Even when cancelled, ``results``
        tells for every file what happened::

            async with client.bulk_upload(8199, [("a.pdf", "a.pdf")]) as run:
                async for result in run:
                    print(result.filename, result.status, result.annotation_ids)

        ``on_progress(stage, done, total)`` is called as files are uploaded (``"uploaded"``)
        and imported (``"imported"``); ``total`` is the number of files. ``on_result(result)``
        is called with each final result. ``resume=`` (an earlier run's results, one per file)
        and ``since=`` (when that run began) continue an interrupted run without sending a
        file twice (see :class:`~rossum_trio.BulkUpload`).
        """
        return BulkUpload(
            cast("AsyncRossumAPIClient", self),  # the mixin only ever lives in the client
            queue_id,
            files,
            values=values,
            metadata=metadata,
            sleep_s=sleep_s,
            on_progress=on_progress,
            on_result=on_result,
            resume=resume,
            since=since,
        )

    async def bulk_upload_and_wait(
        self,
        queue_id: int,
        files: Sequence[tuple[str | pathlib.Path, str]],
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        sleep_s: float = 2,
        on_progress: ProgressCallback | None = None,
        on_result: ResultCallback | None = None,
        *,
        resume: Sequence[BulkUploadResult] | None = None,
        since: datetime.datetime | str | None = None,
    ) -> list[BulkUploadResult]:
        """Upload many files to a queue and wait until all their annotations are imported.

        Runs :meth:`bulk_upload` to its end and returns one
        :class:`~rossum_trio.BulkUploadResult` per file, in the order of ``files``: every
        file has one, whatever failed around it (``status`` says what happened, ``error``
        why). To keep the results of a run that may be cancelled, pass ``on_result`` or use
        :meth:`bulk_upload`.

        >>> files = [("a.pdf", "a.pdf"), ("b.pdf", "b.pdf")]
        >>> results = await client.bulk_upload_and_wait(8199, files)  # doctest: +SKIP
        >>> [r.status for r in results]  # doctest: +SKIP
        ['imported', 'imported']
        """
        run = self.bulk_upload(
            queue_id,
            files,
            values,
            metadata,
            sleep_s,
            on_progress,
            on_result,
            resume=resume,
            since=since,
        )
        async with run:
            pass
        return run.results

    async def wait_until_annotations_imported(
        self,
        annotation_ids: Sequence[int],
        sleep_s: float = 2,
        on_progress: ProgressCallback | None = None,
    ) -> list[Annotation]:
        """Wait until every annotation has left ``importing``/``created``; in input order.

        Polls with one ``GET /annotations?id=a,b,...`` per 100 pending annotations per round
        (not one request per annotation). Annotations that end in ``failed_import`` are returned
        as they are (check ``status``). An id missing from the answers for three rounds in a
        row raises :class:`~rossum_trio.errors.PollingError`. Bound the wait with
        ``trio.fail_after``.
        """
        validate_non_negative("sleep_s", sleep_s)
        ids = list(dict.fromkeys(validate_id(i, "annotation_ids") for i in annotation_ids))
        done: dict[int, Annotation] = {}
        rounds = ImportRounds()
        pending = list(ids)
        while pending:
            seen = await self._annotations_by_id(pending)
            pending, over = rounds.sort(pending, seen)
            for annotation_id, annotation in over:
                if annotation is None:
                    raise lost_error(annotation_id)
                done[annotation_id] = annotation
            if on_progress is not None:
                on_progress("imported", len(done), len(ids))
            if pending:
                await trio.sleep(sleep_s)
        return [done[validate_id(i, "annotation_ids")] for i in annotation_ids]

    async def _annotations_by_id(self, ids: Sequence[int]) -> dict[int, Annotation]:
        """These annotations as they are now, by id (one request per 100 ids)."""
        return await annotations_by_id(cast("AsyncRossumAPIClient", self), ids)
