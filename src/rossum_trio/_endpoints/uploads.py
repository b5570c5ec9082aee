"""Uploads (``/uploads``, ``/queues/{id}/upload``) and the import tasks they start (``/tasks``)."""

from __future__ import annotations

import json as jsonlib
import pathlib
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import trio

from rossum_trio._annotation_rules import status_of
from rossum_trio._base import _Answer
from rossum_trio._concurrency import open_nursery
from rossum_trio._endpoints.annotations import AnnotationMethods
from rossum_trio._files import FileSpec, check_files, read_file
from rossum_trio._params import parse_resource_id_from_url, validate_id, validate_non_negative
from rossum_trio.errors import TaskFailedError
from rossum_trio.models import Annotation, Task, TaskStatus, Upload


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


class UploadMethods(AnnotationMethods):
    """Uploads and tasks (waiting for an import uses the annotation methods)."""

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
            if status_of(task) == TaskStatus.FAILED:
                detail = task.get("detail") if isinstance(task, dict) else task.detail
                raise TaskFailedError(task_id, detail, task)
            await trio.sleep(sleep_s)

    async def poll_task_until_succeeded(self, task_id: int, sleep_s: float = 3) -> Task:
        """Wait until the task has ``succeeded``; :class:`TaskFailedError` if it ``failed``."""
        return await self.poll_task(
            task_id, lambda t: status_of(t) == TaskStatus.SUCCEEDED, sleep_s=sleep_s
        )
