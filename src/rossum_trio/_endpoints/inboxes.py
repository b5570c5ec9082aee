"""Inboxes: ``/inboxes``."""

from __future__ import annotations

from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio.models import Inbox


class InboxMethods(ClientBase):
    """Inboxes: ``/inboxes``."""

    async def create_new_inbox(self, data: dict[str, Any]) -> Inbox:
        """Create an inbox (``POST /inboxes``); ``data`` needs ``name``, ``email_prefix``,
        ``bounce_email_to`` and ``queues``."""
        return await self._create(Inbox, data)
