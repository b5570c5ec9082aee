"""Tasks: asynchronous server-side jobs (upload processing, email import, downloads)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec

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
    known, otherwise the plain string the API sent.
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
