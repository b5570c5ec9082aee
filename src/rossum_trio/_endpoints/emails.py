"""Emails (``/emails``, raw e-mail import) and email templates (``/email_templates``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import Email, EmailTemplate
from rossum_trio.types import EmailTemplateOrdering

#: Where raw e-mails are imported.
EMAIL_IMPORT_PATH = "emails/import"


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
    ) -> Listing[EmailTemplate]:
        """Iterate email templates (``GET /email_templates``); filters ``queue``, ``type``, ..."""
        return self._list(EmailTemplate, ordering, **filters)

    async def retrieve_email_template(self, email_template_id: int) -> EmailTemplate:
        """One email template (``GET /email_templates/{id}``)."""
        return await self._retrieve(EmailTemplate, email_template_id=email_template_id)

    async def create_new_email_template(self, data: dict[str, Any]) -> EmailTemplate:
        """Create an email template (``POST /email_templates``)."""
        return await self._create(EmailTemplate, data)
