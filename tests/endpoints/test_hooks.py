"""Hooks, hook run logs and hook templates (``_endpoints/hooks.py``) on the wire."""

from __future__ import annotations

from typing import Any

from rossum_trio import Resource
from tests.support import BASE, LIST_QUERY, NO_TOTAL_QUERY
from tests.support.crud import (
    ITEM,
    create_tests,
    delete_tests,
    list_tests,
    retrieve_tests,
    update_tests,
)
from tests.support.payloads import page
from tests.support.wire import Wire, query_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(
    ("retrieve_hook", Resource.Hook, "hooks/7"),
    ("retrieve_hook_template", Resource.HookTemplate, "hook_templates/7"),
)
test_create = create_tests(("create_new_hook", Resource.Hook, "hooks"))
test_update = update_tests(("update_part_hook", "PATCH", Resource.Hook, "hooks/7"))
test_delete = delete_tests(("delete_hook", "hooks/7"))
test_list, test_list_defaults = list_tests(
    ("list_hooks", Resource.Hook, "hooks", ["-active", "name"], {"queue": "3"})
)


async def test_list_hook_run_data_is_one_request_without_paging(
    dict_client: Any, wire: Wire
) -> None:
    # Even if the answer looked paginated, hooks/logs is read with exactly one request.
    page = {
        "pagination": {"total_pages": 3, "next": f"{BASE}/hooks/logs?page=2"},
        "results": [ITEM],
    }
    wire.on("GET", "hooks/logs", page)
    logs = [x async for x in dict_client.list_hook_run_data(hook=5, log_level="ERROR")]
    assert logs == [(Resource.HookRunData, ITEM)]
    request = wire.only()
    assert request.url.path == "/api/v1/hooks/logs"
    assert query_of(request) == {**NO_TOTAL_QUERY, "hook": "5", "log_level": "ERROR"}


async def test_list_hook_run_data_plain_results(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "hooks/logs", {"results": [ITEM, ITEM]})
    assert len([x async for x in dict_client.list_hook_run_data(page_size=2)]) == 2
    assert query_of(wire.only()) == {**NO_TOTAL_QUERY, "page_size": "2"}


async def test_list_hook_templates(dict_client: Any, wire: Wire) -> None:
    wire.on("GET", "hook_templates", page([ITEM]))
    items = [t async for t in dict_client.list_hook_templates(extension_source="rossum_store")]
    assert items == [(Resource.HookTemplate, ITEM)]
    assert query_of(wire.only()) == {**LIST_QUERY, "extension_source": "rossum_store"}
