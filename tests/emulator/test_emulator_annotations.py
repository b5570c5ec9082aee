"""Annotation actions and their status rules, content endpoints, sideloads, search, export."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest
import trio

from rossum_trio.emulator import Emulator
from tests.support.emulator import list_all, rid, upload


@pytest.fixture
async def imported(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> list[int]:
    return await upload(http, emu, 3, then_wait_s=3)


async def _status(http: httpx.AsyncClient, aid: int) -> str:
    return (await http.get(f"/annotations/{aid}")).json()["status"]


async def test_review_flow(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    aid = imported[0]
    r = await http.post(f"/annotations/{aid}/start")
    assert r.status_code == 200
    assert r.json() == {
        "annotation": f"{emu.base_url}/annotations/{aid}",
        "session_timeout": "01:00:00",
    }
    ann = (await http.get(f"/annotations/{aid}")).json()
    assert ann["status"] == "reviewing"
    assert ann["modifier"] == f"{emu.base_url}/users/{emu.seeded.user_id}"
    assert (await http.post(f"/annotations/{aid}/cancel")).status_code == 204
    assert await _status(http, aid) == "to_review"
    await http.post(f"/annotations/{aid}/start")
    r = await http.post(f"/annotations/{aid}/confirm")
    assert r.status_code == 204 and r.content == b""
    assert await _status(http, aid) == "exported"
    ann = (await http.get(f"/annotations/{aid}")).json()
    assert ann["confirmed_at"] and ann["exported_at"]
    r = await http.post(f"/annotations/{aid}/start")
    assert r.status_code == 409
    assert "detail" in r.json()


async def test_other_actions(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    a, b, c = imported
    assert (await http.post(f"/annotations/{a}/postpone")).status_code == 204
    assert await _status(http, a) == "postponed"
    r = await http.post(f"/annotations/{b}/reject", json={"note_content": "wrong vendor"})
    assert r.status_code == 200
    assert r.json()["status"] == "rejected" and r.json()["note"].startswith(
        f"{emu.base_url}/notes/"
    )
    assert (await http.post(f"/annotations/{c}/delete")).status_code == 204
    assert await _status(http, c) == "deleted"
    assert (await http.get(f"/annotations/{c}")).status_code == 200  # soft delete
    r = await http.post(
        "/annotations/purge_deleted", json={"annotations": [f"{emu.base_url}/annotations/{c}"]}
    )
    assert r.status_code == 202
    assert await _status(http, c) == "purged"
    assert (await http.post(f"/annotations/{c}/delete")).status_code == 409
    r = await http.post(f"/annotations/{a}/approve")
    assert r.status_code == 409  # postponed annotations are not approvable
    counts = (await http.get(f"/queues/{emu.seeded.queue_id}")).json()["counts"]
    assert counts["postponed"] == counts["rejected"] == counts["purged"] == 1
    assert sum(counts.values()) == 3


async def test_confirmed_state_and_approve(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    await http.patch(f"/queues/{emu.seeded.queue_id}", json={"use_confirmed_state": True})
    aid = imported[0]
    await http.post(f"/annotations/{aid}/start")
    await http.post(f"/annotations/{aid}/confirm")
    assert await _status(http, aid) == "confirmed"
    r = await http.post(f"/annotations/{imported[1]}/approve")
    assert r.status_code == 200 and r.json() == {"status": "confirmed"}


async def test_someone_elses_review_409(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    annotator = (await http.get("/groups", params={"name": "annotator"})).json()["results"][0]
    r = await http.post(
        "/users", json={"username": "other", "password": "pw", "groups": [annotator["url"]]}
    )
    other = emu.issue_token(user_id=r.json()["id"])
    await http.post(f"/annotations/{imported[0]}/start")
    r = await http.post(
        f"/annotations/{imported[0]}/confirm", headers={"Authorization": f"Bearer {other}"}
    )
    assert r.status_code == 409
    assert r.json() == {
        "detail": "Trying to change annotation that was not started by the current user.",
        "code": "conflict",
    }


async def test_patch_and_put_annotation(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    aid = imported[0]
    r = await http.patch(f"/annotations/{aid}", json={"status": "postponed", "metadata": {"x": 1}})
    assert (
        r.status_code == 200
        and r.json()["status"] == "postponed"
        and r.json()["metadata"] == {"x": 1}
    )
    assert (await http.patch(f"/annotations/{aid}", json={"status": "bogus"})).status_code == 400
    assert (await http.put(f"/annotations/{aid}", json={"status": "to_review"})).status_code == 400
    assert (await http.delete(f"/annotations/{aid}")).status_code == 204
    assert (await http.get(f"/annotations/{aid}")).status_code == 404


async def test_content_edit_and_operations(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    aid = imported[0]
    tree = (await http.get(f"/annotations/{aid}/content")).json()["content"]
    doc_id = next(n for n in tree[0]["children"] if n["schema_id"] == "document_id")
    line_items = tree[2]["children"][0]
    rows_before = len(line_items["children"])
    r = await http.patch(
        f"/annotations/{aid}/content/{doc_id['id']}", json={"content": {"value": "X-1"}}
    )
    assert r.status_code == 200 and r.json()["content"]["value"] == "X-1"
    assert "human" in r.json()["validation_sources"]
    ops = [
        {"op": "replace", "id": str(doc_id["id"]), "value": {"content": {"value": "X-2"}}},
        {"op": "remove", "id": line_items["children"][0]["id"]},
        {
            "op": "add",
            "id": line_items["id"],
            "value": [{"schema_id": "item_description", "content": {"value": "Bottle"}}],
        },
    ]
    r = await http.post(f"/annotations/{aid}/content/operations", json={"operations": ops})
    assert r.status_code == 200
    tree = r.json()["content"]
    assert (
        next(n for n in tree[0]["children"] if n["schema_id"] == "document_id")["content"]["value"]
        == "X-2"
    )
    rows = tree[2]["children"][0]["children"]
    assert len(rows) == rows_before
    assert rows[-1]["children"][0]["content"]["value"] == "Bottle"
    bad = [{"op": "remove", "id": doc_id["id"]}]
    assert (
        await http.post(f"/annotations/{aid}/content/operations", json={"operations": bad})
    ).status_code == 400
    r = await http.patch(
        f"/annotations/{aid}/content",
        json={
            "content": [{"id": doc_id["id"], "category": "datapoint", "content": {"value": "X-3"}}]
        },
    )
    assert r.status_code == 200
    assert emu.content(aid)[0]["children"][0]["content"]["value"] == "X-3"
    r = await http.get(f"/annotations/{aid}/processing_duration")
    assert r.json()["annotation"].endswith(f"/annotations/{aid}")


async def test_sideloads(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    await http.post(f"/annotations/{imported[0]}/start")
    r = await http.get(
        "/annotations",
        params={
            "sideload": "documents,modifiers,content,queues,automation_blockers,labels",
            "content.schema_id": "amount_total,document_id",
        },
    )
    body = r.json()
    assert {d["id"] for d in body["documents"]} == {rid(a["document"]) for a in body["results"]}
    assert [m["id"] for m in body["modifiers"]] == [emu.seeded.user_id]
    assert "password" not in body["modifiers"][0]
    assert [q["id"] for q in body["queues"]] == [emu.seeded.queue_id]
    assert body["automation_blockers"] == [] and body["labels"] == []
    assert len(body["content"]) == 6
    for dp in body["content"]:
        assert dp["schema_id"] in ("amount_total", "document_id")
        assert rid(dp["url"].rsplit("/content/", 1)[0]) in imported
    # results keep URLs
    assert all(isinstance(a["document"], str) for a in body["results"])


async def test_search(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    await http.post(f"/annotations/{imported[1]}/postpone")
    queue_url = f"{emu.base_url}/queues/{emu.seeded.queue_id}"
    r = await http.post(
        "/annotations/search", json={"query": {"$and": [{"status": {"$in": ["postponed"]}}]}}
    )
    assert [a["id"] for a in r.json()["results"]] == [imported[1]]
    r = await http.post(
        "/annotations/search", json={"query": {"$and": [{"queue": {"$eq": queue_url}}]}}
    )
    assert len(r.json()["results"]) == 3
    r = await http.post("/annotations/search", json={"query_string": {"string": "invoice_003"}})
    assert [a["id"] for a in r.json()["results"]] == [imported[2]]
    r = await http.post("/annotations/search", json={"query_string": {"string": "x"}})
    assert r.status_code == 400
    r = await http.post(
        "/annotations/search",
        json={"query": {"field.document_id.string": {"$startsWith": "INV-2024-000"}}},
        params={"ordering": "-field.amount_total.number"},
    )
    amounts = []
    for a in r.json()["results"]:
        tree = emu.content(a["id"])
        amounts.append(float(tree[1]["children"][0]["content"]["value"]))
    assert len(amounts) == 3 and amounts == sorted(amounts, reverse=True)


async def test_search_paging_both_ways(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    body = {"query": {"$and": [{"status": {"$eq": "to_review"}}]}}
    r = await http.post("/annotations/search", json=body, params={"page_size": 2})
    page = r.json()
    assert page["pagination"]["total"] == 3 and page["pagination"]["total_pages"] == 2
    assert "search_after=" in page["pagination"]["next"]
    r2 = await http.post(page["pagination"]["next"], json=body)
    ids = [a["id"] for a in page["results"] + r2.json()["results"]]
    assert ids == imported and r2.json()["pagination"]["next"] is None
    r = await http.post(page["pagination"]["next"], json={"query": {}})
    assert r.status_code == 400  # changed query between pages
    r = await http.post(
        "/annotations/search",
        json=body,
        params={"page_size": 2, "page": 2, "include_total": "true"},
    )
    assert [a["id"] for a in r.json()["results"]] == imported[2:]


async def test_export_json_csv_xml(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    qid = emu.seeded.queue_id
    r = await http.get(f"/queues/{qid}/export", params={"format": "json", "page_size": 2})
    body = r.json()
    assert body["pagination"]["total"] == 3
    first = body["results"][0]
    assert first["url"] == f"{emu.base_url}/annotations/{imported[0]}"
    assert first["document"]["file_name"] == "invoice_001.pdf"
    assert first["schema"] == {"url": f"{emu.base_url}/schemas/{emu.seeded.schema_id}"}
    assert first["content"][0]["children"][0] == {
        "category": "datapoint",
        "schema_id": "document_id",
        "value": "INV-2024-0001",
        "type": "string",
        "rir_confidence": 0.97,
    }
    r = await http.get(f"/queues/{qid}/export", params={"format": "csv", "id": str(imported[0])})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:5] == [
        "Invoice number",
        "Issue date",
        "Vendor name",
        "Currency",
        "Total amount",
    ]
    assert all(row[0] == "INV-2024-0001" for row in rows[1:]) and len(rows) >= 2
    r = await http.get(
        f"/queues/{qid}/export",
        params={
            "format": "csv",
            "columns": "document_id,amount_total",
            "prepend_columns": "meta_file_name",
        },
    )
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["meta_file_name", "Invoice number", "Total amount"]
    assert len(rows) == 4
    r = await http.get(f"/queues/{qid}/export", params={"format": "xml"})
    root = ET.fromstring(r.content)
    assert len(root.findall("./results/annotation")) == 3
    assert root.find("./results/annotation/content/section/datapoint").text == "INV-2024-0001"


async def test_export_to_status(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    qid = emu.seeded.queue_id
    r = await http.get(f"/queues/{qid}/export", params={"format": "json", "to_status": "exported"})
    assert r.status_code == 400
    r = await http.post(
        f"/queues/{qid}/export",
        params={"format": "json", "to_status": "exporting", "status": "to_review"},
    )
    assert [a["status"] for a in r.json()["results"]] == ["exporting"] * 3
    assert [a["status"] for a in await list_all(http, "/annotations")] == ["exported"] * 3
