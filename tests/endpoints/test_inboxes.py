"""Inboxes (``_endpoints/inboxes.py``) on the wire."""

from __future__ import annotations

from rossum_trio import Resource
from tests.support.crud import create_tests

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_create = create_tests(("create_new_inbox", Resource.Inbox, "inboxes"))
