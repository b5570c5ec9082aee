"""Annotations: one document being extracted and validated in a queue."""

from __future__ import annotations

from typing import Any

import msgspec

from rossum_trio.models.automation_blocker import AutomationBlocker
from rossum_trio.models.document import Document
from rossum_trio.models.queue import Queue
from rossum_trio.models.user import User


class AnnotationProcessingDuration(msgspec.Struct):
    """Time spent on an annotation (``/annotations/{id}/processing_duration``), in seconds."""

    annotation: str
    time_spent_active: float
    time_spent_overall: float
    time_spent_edit: float
    time_spent_blockers: float
    time_spent_emails: float
    time_spent_opening: float
    duration_latest_validate_started: float | None
    duration_latest_validate_updated_before_confirm: float | None


class Prediction(msgspec.Struct):
    """Which engine (and version) produced an annotation's predictions."""

    source: str
    version: str | None = None


class Annotation(msgspec.Struct):
    """An annotation (``/annotations/{id}``).

    URL-valued fields may hold the sideloaded object instead: ``document`` a :class:`Document`,
    ``modifier`` a :class:`User`, ``queue`` a :class:`Queue` (the official model types ``queue``
    as ``str | None`` only, so the ``queues`` sideload could not be represented),
    ``automation_blocker`` an :class:`AutomationBlocker`, and ``content`` the list of datapoint
    dicts.
    """

    url: str
    status: str
    schema: str
    modifier: str | User | None
    content: list[dict[str, Any]] | str
    id: int | None = None
    queue: str | Queue | None = None
    creator: str | None = None
    created_at: str | None = None
    rir_poll_id: str | None = None
    email: str | None = None
    email_thread: str | None = None
    has_email_thread_with_replies: bool = False
    has_email_thread_with_new_replies: bool = False
    suggested_edit: str | None = None
    messages: list[dict[str, Any]] | None = None
    time_spent: float | None = 0.0
    relations: list[str] = []
    pages: list[str] = []
    document: str | Document | None = None
    confirmed_at: str | None = None
    modified_at: str | None = None
    exported_at: str | None = None
    arrived_at: str | None = None
    assigned_at: str | None = None
    purged_at: str | None = None
    rejected_at: str | None = None
    deleted_at: str | None = None
    export_failed_at: str | None = None
    organization: str | None = None
    metadata: dict[str, Any] = {}
    automated: bool = False
    automation_blocker: AutomationBlocker | str | None = None
    related_emails: list[str] = []
    automatically_rejected: bool | None = None
    prediction: Prediction | None = None
    assignees: list[str] = []
    labels: list[str] = []
    restricted_access: bool | None = None
    training_enabled: bool | None = None
    einvoice: bool | None = None
    purged_by: str | None = None
    rejected_by: str | None = None
    deleted_by: str | None = None
    exported_by: str | None = None
    confirmed_by: str | None = None
    modified_by: str | None = None
