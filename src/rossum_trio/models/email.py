"""Emails received by (or sent from) an inbox."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import msgspec

from rossum_trio.models._common import known


class EmailType(StrEnum):
    """Known values of :attr:`Email.type`; others are kept as plain ``str``."""

    INCOMING = "incoming"
    OUTGOING = "outgoing"


#: Known values of the items of :attr:`Email.labels` (the field accepts any string).
EmailLabel = Literal[
    "rejection",
    "automatic_rejection",
    "rejected",
    "automatic_status_changed_info",
    "forwarded",
    "reply",
]


class Email(msgspec.Struct):
    """An email (``/emails/{id}``).

    ``from_`` is the wire key ``from`` (a Python keyword); encoding emits ``from``.
    """

    id: int
    url: str
    queue: str
    inbox: str
    parent: str | None
    email_thread: str | None
    children: list[str]
    documents: list[str]
    created_at: str | None = None
    last_thread_email_created_at: str | None = None
    subject: str | None = None
    from_: dict[str, Any] = msgspec.field(default_factory=dict, name="from")
    to: list[dict[str, Any]] = []
    cc: list[dict[str, Any]] = []
    bcc: list[dict[str, Any]] = []
    body_text_plain: str | None = None
    body_text_html: str | None = None
    metadata: dict[str, Any] = {}
    type: str | None = None
    annotation_counts: dict[str, Any] = {}
    annotations: list[str] = []
    related_annotations: list[str] = []
    related_documents: list[str] = []
    creator: str | None = None
    filtered_out_document_count: int | None = None
    labels: list[str] = []
    content: str | None = None

    def __post_init__(self) -> None:
        if self.type is not None:
            self.type = known(EmailType, self.type)
