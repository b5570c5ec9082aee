"""Schemas (``_endpoints/schemas.py``) on the wire."""

from __future__ import annotations

from rossum_trio import Resource
from tests.support.crud import create_tests, delete_tests, list_tests, retrieve_tests

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(("retrieve_schema", Resource.Schema, "schemas/7"))
test_create = create_tests(("create_new_schema", Resource.Schema, "schemas"))
test_delete = delete_tests(("delete_schema", "schemas/7"))
test_list, test_list_defaults = list_tests(
    ("list_schemas", Resource.Schema, "schemas", ["id"], {"queue": "3"})
)
