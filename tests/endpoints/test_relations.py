"""Relations and document relations (``_endpoints/relations.py``) on the wire."""

from __future__ import annotations

import respx

from rossum_trio import AsyncRossumAPIClient, Resource
from tests.support import BASE
from tests.support.crud import create_tests, delete_tests, list_tests, retrieve_tests, update_tests
from tests.support.payloads import page, relation
from tests.support.wire import body_of, query_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(
    ("retrieve_document_relation", Resource.DocumentRelation, "document_relations/7")
)
test_create = create_tests(
    ("create_new_relation", Resource.Relation, "relations"),
    ("create_new_document_relation", Resource.DocumentRelation, "document_relations"),
)
test_update = update_tests(
    ("update_part_document_relation", "PATCH", Resource.DocumentRelation, "document_relations/7"),
    ("update_document_relation", "PUT", Resource.DocumentRelation, "document_relations/7"),
)
test_delete = delete_tests(("delete_document_relation", "document_relations/7"))
test_list, test_list_defaults = list_tests(
    ("list_relations", Resource.Relation, "relations", ["type"], {"parent": "3"}),
    ("list_document_relations", Resource.DocumentRelation, "document_relations", ["id"], {}),
)


async def test_relations(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    listing = api.get("/relations").respond(json=page([relation(1)]))
    create = api.post("/relations").respond(201, json=relation(2))
    found = [r async for r in client.list_relations(type="duplicate", parent=12345)]
    assert found[0].type == "duplicate"
    assert query_of(listing.calls.last.request)["parent"] == "12345"
    data = {"type": "attachment", "parent": f"{BASE}/annotations/1", "annotations": []}
    assert (await client.create_new_relation(data)).id == 2
    assert body_of(create.calls.last.request) == data
