"""Inboxes: email addresses that import documents into a queue."""

from __future__ import annotations

from typing import Any

import msgspec


class Inbox(msgspec.Struct):
    """An inbox (``/inboxes/{id}``).

    ``dmarc_check_action`` is a plain ``str`` (known: ``accept``, ``drop``).
    ``modified_by``/``modified_at`` are documented API fields missing from the official model
    (added last, optional).
    """

    id: int
    name: str
    url: str
    queues: list[str]
    email: str
    email_prefix: str
    bounce_email_to: str | None
    bounce_unprocessable_attachments: bool = False
    bounce_postponed_annotations: bool = False
    bounce_deleted_annotations: bool = False
    bounce_email_with_no_attachments: bool = True
    metadata: dict[str, Any] = {}
    filters: dict[str, Any] = {}
    dmarc_check_action: str = "accept"
    # Documented by the API, absent from the official model.
    modified_by: str | None = None
    modified_at: str | None = None
