"""Tasks: asynchronous server-side jobs (upload processing, email import, downloads)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

from rossum_trio._params import parse_resource_id_from_url
from rossum_trio.models._common import known


class TaskType(StrEnum):
    """Known values of :attr:`Task.type`; the API may send others (kept as plain ``str``)."""

    DOCUMENTS_DOWNLOAD = "documents_download"
    UPLOAD_CREATED = "upload_created"
    EMAIL_IMPORTED = "email_imported"


class TaskStatus(StrEnum):
    """Known values of :attr:`Task.status`; the API may send others (kept as plain ``str``)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Task(msgspec.Struct):
    """A task (``/tasks/{id}``): the state of an asynchronous job.

    ``type`` and ``status`` are :class:`TaskType` / :class:`TaskStatus` members when the value is
    known, otherwise the plain string the API sent. An upload task that has succeeded names the
    upload it created: :attr:`upload_id`.
    """

    id: int
    url: str
    type: str
    status: str
    expires_at: str
    content: dict[str, Any] | None = None
    detail: str | None = None
    code: str | None = None
    result_url: str | None = None

    def __post_init__(self) -> None:
        self.type = known(TaskType, self.type)
        self.status = known(TaskStatus, self.status)

    @property
    def upload_id(self) -> int | None:
        """The id of the upload this task created, or ``None`` if it names none (yet).

        An upload task (``type`` ``upload_created``) names its upload in ``content["upload"]``
        (and ``result_url``) once it has ``succeeded``; a running task and other kinds of task
        have no upload, hence ``None``::

            task = await client.poll_task_until_succeeded(tasks[0].id)
            if task.upload_id is not None:
                upload = await client.retrieve_upload(task.upload_id)
        """
        url = (self.content or {}).get("upload")
        if not isinstance(url, str) and self.type == TaskType.UPLOAD_CREATED:
            url = self.result_url
        return parse_resource_id_from_url(url) if isinstance(url, str) else None
