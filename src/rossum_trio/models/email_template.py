"""Email templates of a queue (rejection and custom messages)."""

from __future__ import annotations

from typing import Any

import msgspec


class EmailTemplate(msgspec.Struct):
    """An email template (``/email_templates/{id}``).

    ``type`` is a plain ``str``; known values: ``rejection``, ``rejection_default``,
    ``email_with_no_processable_attachments``, ``custom``.
    """

    id: int
    name: str
    url: str
    queue: str
    organization: str
    subject: str
    message: str
    type: str
    enabled: bool
    automate: bool
    triggers: list[str] = []
    to: list[dict[str, Any]] = []
    cc: list[dict[str, Any]] = []
    bcc: list[dict[str, Any]] = []
