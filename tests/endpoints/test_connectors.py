"""Connectors (``_endpoints/connectors.py``) on the wire."""

from __future__ import annotations

from rossum_trio import Resource
from tests.support.crud import create_tests, list_tests, retrieve_tests

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(("retrieve_connector", Resource.Connector, "connectors/7"))
test_create = create_tests(("create_new_connector", Resource.Connector, "connectors"))
test_list, test_list_defaults = list_tests(
    ("list_connectors", Resource.Connector, "connectors", ["service_url"], {})
)
