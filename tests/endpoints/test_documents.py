"""Documents (``_endpoints/documents.py``) on the wire: retrieve, content, create (multipart)."""

from __future__ import annotations

import respx

from rossum_trio import AsyncRossumAPIClient
from tests.support import BASE
from tests.support.payloads import document
from tests.support.wire import parts_of


async def test_retrieve_document_and_content(
    client: AsyncRossumAPIClient, api: respx.MockRouter
) -> None:
    api.get("/documents/5").respond(json=document(5))
    api.get("/documents/5/content").respond(content=b"%PDF-1.4 ...")
    assert (await client.retrieve_document(5)).original_file_name == "invoice.pdf"
    assert await client.retrieve_document_content(5) == b"%PDF-1.4 ..."


async def test_create_new_document(client: AsyncRossumAPIClient, api: respx.MockRouter) -> None:
    route = api.post("/documents").respond(201, json=document(6))
    parent = f"{BASE}/documents/1"
    result = await client.create_new_document("a.pdf", b"PDF", {"source": "email"}, parent)
    assert result.id == 6
    parts = [(p.name, p.filename, p.value) for p in parts_of(route.calls.last.request)]
    assert parts == [
        ("content", "a.pdf", b"PDF"),
        ("metadata", None, b'{"source": "email"}'),  # httpx sends no filename for ""
        ("parent", None, parent.encode()),
    ]
