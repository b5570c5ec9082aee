"""E-mails, raw e-mail import and e-mail templates (``_endpoints/emails.py``) on the wire."""

from __future__ import annotations

from typing import Any

import pytest

from rossum_trio import Resource
from rossum_trio.errors import ServerError
from tests.support import BASE
from tests.support.crud import create_tests, list_tests, retrieve_tests
from tests.support.wire import Wire, parts_of, query_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(
    ("retrieve_email", Resource.Email, "emails/7"),
    ("retrieve_email_template", Resource.EmailTemplate, "email_templates/7"),
)
test_create = create_tests(("create_new_email_template", Resource.EmailTemplate, "email_templates"))
test_list, test_list_defaults = list_tests(
    ("list_email_templates", Resource.EmailTemplate, "email_templates", [], {"queue": "3"})
)


async def test_import_email(dict_client: Any, wire: Wire) -> None:
    wire.on("POST", "emails/import", {"url": f"{BASE}/tasks/42"}, status=202)
    task_url = await dict_client.import_email(b"From: a@b.c\r\n\r\nhi", "inbox@acme.rossum.app")
    assert task_url == f"{BASE}/tasks/42"
    request = wire.only()
    assert query_of(request) == {}
    (message, recipient) = parts_of(request)
    assert message[:2] == ("raw_message", "email.eml")
    assert message[3] == b"From: a@b.c\r\n\r\nhi"
    assert recipient == ("recipient", None, None, b"inbox@acme.rossum.app")


async def test_import_email_with_mime_type(dict_client: Any, wire: Wire) -> None:
    wire.on("POST", "emails/import", {"url": f"{BASE}/tasks/42"}, status=202)
    await dict_client.import_email(b"raw", "inbox@acme.rossum.app", "message/rfc822")
    (message, _) = parts_of(wire.only())
    assert message == ("raw_message", "email.eml", "message/rfc822", b"raw")


async def test_import_email_is_not_repeated_after_a_server_error(
    wire_client: Any, wire: Wire
) -> None:
    wire.on("POST", "emails/import", {"detail": "oops"}, status=503)
    async with wire_client(n_retries=3, retry_backoff_factor=0, retry_max_jitter=0) as client:
        with pytest.raises(ServerError):
            await client.import_email(b"raw", "inbox@acme.rossum.app")
    assert len(wire.requests) == 1  # no duplicate e-mail


async def test_import_email_rejects_text(dict_client: Any, wire: Wire) -> None:
    with pytest.raises(ValueError, match="bytes"):
        await dict_client.import_email("text", "inbox@acme.rossum.app")
    assert wire.requests == []
