"""Engines and engine fields, inboxes, emails, email templates and connectors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio.models import (
    Connector,
    Email,
    EmailTemplate,
    Engine,
    EngineField,
    Inbox,
    Queue,
)
from rossum_trio.types import ConnectorOrdering, EmailTemplateOrdering, Sideload

#: Where raw e-mails are imported.
EMAIL_IMPORT_PATH = "emails/import"


class EngineMethods(ClientBase):
    """Engines: ``/engines``, ``/engine_fields`` and the queues using an engine."""

    async def retrieve_engine(self, engine_id: int) -> Engine:
        """One engine (``GET /engines/{id}``)."""
        return await self._retrieve(Engine, engine_id=engine_id)

    def list_engines(
        self, ordering: Sequence[str] = (), sideloads: Sequence[Sideload] = (), **filters: Any
    ) -> AsyncIterator[Engine]:
        """Iterate engines (``GET /engines``); filters ``id``, ``type``, ``agenda_id``."""
        return self._list(Engine, ordering, sideloads=sideloads, **filters)

    def retrieve_engine_fields(self, engine_id: int | None = None) -> AsyncIterator[EngineField]:
        """Iterate the fields of an engine (``GET /engine_fields?engine={id}``).

        With ``engine_id=None`` the filter is sent empty (``engine=``), as the official client
        does, and the API answers with the fields of all engines.
        """
        return self._list(EngineField, engine=engine_id)

    def retrieve_engine_queues(self, engine_id: int) -> AsyncIterator[Queue]:
        """Iterate the queues that use an engine (``GET /queues?engine={id}``)."""
        return self._list(Queue, engine=engine_id)


class InboxMethods(ClientBase):
    """Inboxes: ``/inboxes``."""

    async def create_new_inbox(self, data: dict[str, Any]) -> Inbox:
        """Create an inbox (``POST /inboxes``); ``data`` needs ``name``, ``email_prefix``,
        ``bounce_email_to`` and ``queues``."""
        return await self._create(Inbox, data)


class EmailMethods(ClientBase):
    """Emails (``/emails``) and email templates (``/email_templates``)."""

    async def retrieve_email(self, email_id: int) -> Email:
        """One email (``GET /emails/{id}``)."""
        return await self._retrieve(Email, email_id=email_id)

    async def import_email(
        self, raw_message: bytes, recipient: str, mime_type: str | None = None
    ) -> str:
        """Import a raw e-mail into the inbox ``recipient`` (``POST /emails/import``, multipart).

        Returns the URL of the import task (see :meth:`retrieve_task`). ``mime_type`` is sent as
        the content type of the message part. The request is not repeated once it may have
        reached the server (no duplicate e-mails).
        """
        if not isinstance(raw_message, bytes | bytearray):
            raise ValueError(f"raw_message must be bytes, got {type(raw_message).__name__}")
        message: tuple[str, bytes] | tuple[str, bytes, str] = ("email.eml", bytes(raw_message))
        if mime_type:
            message = ("email.eml", bytes(raw_message), mime_type)
        files: dict[str, Any] = {"raw_message": message, "recipient": (None, recipient)}
        answer = await self._answer("POST", EMAIL_IMPORT_PATH, files=files)
        task_url = answer.data.get("url")
        if not isinstance(task_url, str):
            raise answer.problem(f"no task url in {answer.data!r}")
        return task_url

    def list_email_templates(
        self, ordering: Sequence[EmailTemplateOrdering] = (), **filters: Any
    ) -> AsyncIterator[EmailTemplate]:
        """Iterate email templates (``GET /email_templates``); filters ``queue``, ``type``, ..."""
        return self._list(EmailTemplate, ordering, **filters)

    async def retrieve_email_template(self, email_template_id: int) -> EmailTemplate:
        """One email template (``GET /email_templates/{id}``)."""
        return await self._retrieve(EmailTemplate, email_template_id=email_template_id)

    async def create_new_email_template(self, data: dict[str, Any]) -> EmailTemplate:
        """Create an email template (``POST /email_templates``)."""
        return await self._create(EmailTemplate, data)


class ConnectorMethods(ClientBase):
    """Connectors: ``/connectors``."""

    def list_connectors(
        self, ordering: Sequence[ConnectorOrdering] = (), **filters: Any
    ) -> AsyncIterator[Connector]:
        """Iterate connectors (``GET /connectors``); filters ``id``, ``name``, ``service_url``."""
        return self._list(Connector, ordering, **filters)

    async def retrieve_connector(self, connector_id: int) -> Connector:
        """One connector (``GET /connectors/{id}``)."""
        return await self._retrieve(Connector, connector_id=connector_id)

    async def create_new_connector(self, data: dict[str, Any]) -> Connector:
        """Create a connector (``POST /connectors``); ``data`` needs ``name``, ``queues``,
        ``service_url``, ``authorization_token``."""
        return await self._create(Connector, data)
