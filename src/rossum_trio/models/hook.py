"""Hooks (webhooks, serverless functions, jobs) and their run logs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import msgspec

from rossum_trio.models._common import known_list

#: Known values of :attr:`Hook.type` (the field accepts any string).
HookType = Literal["webhook", "function", "job"]
#: Known values of :attr:`Hook.extension_source` (the field accepts any string).
HookExtensionSource = Literal["custom", "rossum_store"]


class HookEventAndAction(StrEnum):
    """Known ``event.action`` values a hook can subscribe to; others are kept as plain ``str``."""

    ANNOTATION_STATUS_CHANGED = "annotation_status.changed"
    ANNOTATION_CONTENT_INITIALIZE = "annotation_content.initialize"
    ANNOTATION_CONTENT_STARTED = "annotation_content.started"
    ANNOTATION_CONTENT_USER_UPDATE = "annotation_content.user_update"
    ANNOTATION_CONTENT_UPDATED = "annotation_content.updated"
    ANNOTATION_CONTENT_CONFIRM = "annotation_content.confirm"
    ANNOTATION_CONTENT_EXPORT = "annotation_content.export"
    UPLOAD_CREATED = "upload.created"
    EMAIL_RECEIVED = "email.received"
    INVOCATION_SCHEDULED = "invocation.scheduled"
    INVOCATION_MANUAL = "invocation.manual"
    INVOCATION_INTERFACE = "invocation.interface"

    def __repr__(self) -> str:
        return str(self.value)


class Hook(msgspec.Struct):
    """A hook (``/hooks/{id}``).

    ``events`` items are :class:`HookEventAndAction` members when known, plain ``str``
    otherwise; ``type`` and ``extension_source`` are plain ``str`` (see :data:`HookType`,
    :data:`HookExtensionSource`). The fields after ``description`` are documented API fields
    missing from the official model (optional).
    """

    id: int
    name: str
    url: str
    active: bool
    config: dict[str, Any]
    test: dict[str, Any]
    guide: str | None
    read_more_url: str | None
    extension_image_url: str | None
    type: str = "webhook"
    metadata: dict[str, Any] = {}
    queues: list[str] = []
    run_after: list[str] = []
    events: list[str] = []
    settings: dict[str, Any] = {}
    settings_schema: dict[str, Any] | None = None
    secrets: dict[str, Any] = {}
    extension_source: str = "custom"
    sideload: list[str] = []
    token_owner: str | None = None
    token_lifetime_s: int | None = None
    description: str | None = None
    # Documented by the API, absent from the official model.
    secrets_schema: dict[str, Any] | None = None
    hook_template: str | None = None
    status: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    modified_by: str | None = None
    modified_at: str | None = None

    def __post_init__(self) -> None:
        self.events = known_list(HookEventAndAction, self.events)


class HookRunData(msgspec.Struct):
    """One hook run log entry (``/hooks/logs``); ``log_level`` is ``INFO``/``ERROR``/``WARNING``."""

    log_level: str
    action: str
    event: str
    request_id: str
    organization_id: int
    hook_id: int
    hook_type: str
    queue_id: int | None = None
    annotation_id: int | None = None
    email_id: int | None = None
    message: str = ""
    request: str | None = None
    response: str | None = None
    start: str | None = None
    end: str | None = None
    settings: dict[str, Any] = {}
    status: str | None = None
    status_code: int | None = None
    timestamp: str = ""
    uuid: str | None = None
    output: str | None = None
