"""Uploads → tasks → documents + annotations, the import lifecycle on the autojump clock."""

from __future__ import annotations

import json

import httpx
import trio

from rossum_trio.emulator import Emulator, render_pdf, sample_invoices
from tests.support.emulator import rid, upload


async def test_upload_task_lifecycle(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    files = [("content", (n, d, "application/octet-stream")) for n, d in sample_invoices(2)]
    r = await http.post(f"/uploads?queue={emu.seeded.queue_id}", files=files)
    assert r.status_code == 202
    task_url = r.json()["url"]
    assert set(r.json()) == {"url"}
    r = await http.get(task_url)
    assert r.status_code == 200
    task = r.json()
    assert task["status"] == "running" and task["type"] == "upload_created"
    await trio.sleep(0.6)  # task_delay_s=0.5
    r = await http.get(task_url)
    assert r.status_code == 303
    upload_url = r.headers["location"]
    assert upload_url.startswith(f"{emu.base_url}/uploads/")
    for flag in ("true", "True", "TRUE", "1"):
        r = await http.get(task_url, params={"no_redirect": flag})
        assert r.status_code == 200
        assert r.json()["status"] == "succeeded"
        assert r.json()["content"] == {"upload": upload_url}
        assert r.json()["result_url"] == upload_url
    r = await http.get(task_url, params={"no_redirect": "false"})
    assert r.status_code == 303
    up = (await http.get(upload_url)).json()
    assert len(up["documents"]) == len(up["annotations"]) == 2
    ann_url = up["annotations"][0]
    ann = (await http.get(ann_url)).json()
    assert ann["status"] == "importing"
    assert (await http.get(f"{ann_url}/content")).json()["content"] == []
    await trio.sleep(1.5)  # import_delay_s=2.0 in total
    ann = (await http.get(ann_url)).json()
    assert ann["status"] == "to_review"
    queue = (await http.get(f"/queues/{emu.seeded.queue_id}")).json()
    assert queue["counts"]["to_review"] == 2 and queue["counts"]["importing"] == 0
    doc = (await http.get(ann["document"])).json()
    assert doc["original_file_name"] == "invoice_001.pdf"
    assert doc["annotations"] == [ann_url]
    content = (await http.get(doc["content"])).content
    assert content == sample_invoices(2)[0][1]


async def test_upload_metadata_values_and_filename_rule(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    name, pdf = sample_invoices(1)[0]
    values = json.dumps({"upload:document_id": "FROM-VALUES"}).encode()
    r = await http.post(
        f"/queues/{emu.seeded.queue_id}/upload",
        files={
            "content": (name, pdf, "application/octet-stream"),
            "metadata": ("", b'{"source": "test"}', "application/json"),
            "values": ("", values, "application/json"),
        },
    )
    assert r.status_code == 201
    body = r.json()
    assert body["annotation"] == body["results"][0]["annotation"]
    ann_url = body["annotation"]
    await trio.sleep(2.5)
    ann = (await http.get(ann_url)).json()
    assert ann["metadata"] == {"source": "test"}
    # a non-empty filename on a JSON part is rejected like the real API does
    r = await http.post(
        f"/queues/{emu.seeded.queue_id}/upload",
        files={"content": (name, pdf), "metadata": ("meta.json", b"{}", "application/json")},
    )
    assert r.status_code == 400
    assert r.json() == {"metadata": ["Value must be valid JSON."]}


async def test_upload_errors(emu: Emulator, http: httpx.AsyncClient) -> None:
    name, pdf = sample_invoices(1)[0]
    r = await http.post("/uploads", files={"content": (name, pdf)})
    assert r.status_code == 400 and r.json() == {"queue": ["This field is required."]}
    r = await http.post("/uploads?queue=999", files={"content": (name, pdf)})
    assert r.status_code == 400
    r = await http.post(f"/uploads?queue={emu.seeded.queue_id}", files={"other": (name, pdf)})
    assert r.status_code == 400 and r.json() == {"content": ["No file was submitted."]}
    r = await http.post(
        f"/uploads?queue={emu.seeded.queue_id}&reject_identical=true",
        files={"content": (name, pdf)},
    )
    assert r.status_code == 202
    r = await http.post(
        f"/uploads?queue={emu.seeded.queue_id}&reject_identical=true",
        files={"content": (name, pdf)},
    )
    assert r.status_code == 409


async def test_raw_body_upload_and_duplicates(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    pdf = render_pdf(["hello"])
    for _ in range(2):
        r = await http.post(
            f"/uploads?queue={emu.seeded.queue_id}",
            content=pdf,
            headers={"Content-Disposition": 'attachment; filename="raw.pdf"'},
        )
        assert r.status_code == 202
    r = await http.post(f"/uploads/named.pdf?queue={emu.seeded.queue_id}", content=pdf)
    assert r.status_code == 202
    docs = (await http.get("/documents")).json()["results"]
    assert [d["original_file_name"] for d in docs] == ["raw.pdf", "raw.pdf", "named.pdf"]
    rels = (await http.get("/relations", params={"type": "duplicate"})).json()["results"]
    assert len(rels) == 1 and len(rels[0]["annotations"]) == 3


async def test_empty_file_fails_import(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    r = await http.post(
        f"/queues/{emu.seeded.queue_id}/upload", files={"content": ("empty.pdf", b"")}
    )
    aid = rid(r.json()["annotation"])
    await trio.sleep(3)
    ann = (await http.get(f"/annotations/{aid}")).json()
    assert ann["status"] == "failed_import"
    assert ann["messages"][0]["type"] == "error"


async def test_extracted_values_fill_content(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    [aid] = await upload(http, emu, 1, seed=5)
    await trio.sleep(3)
    tree = (await http.get(f"/annotations/{aid}/content")).json()
    assert tree["content"] == tree["results"]
    values = {}
    for section in tree["content"]:
        for node in section["children"]:
            if node["category"] == "datapoint":
                values[node["schema_id"]] = node["content"]["value"]
                assert node["url"] == f"{emu.base_url}/annotations/{aid}/content/{node['id']}"
            else:
                assert node["category"] == "multivalue"
                assert node["children"] and all(
                    row["category"] == "tuple" for row in node["children"]
                )
    from rossum_trio.emulator import sample_invoice_data

    inv = sample_invoice_data(1, seed=5)[0]
    assert values == inv.fields()


async def test_post_documents_and_create_annotation(emu: Emulator, http: httpx.AsyncClient) -> None:
    name, pdf = sample_invoices(1)[0]
    r = await http.post("/documents", files={"content": (name, pdf), "metadata": ("", b'{"a": 1}')})
    assert r.status_code == 201
    doc = r.json()
    assert (
        doc["metadata"] == {"a": 1}
        and doc["parent"] is None
        and doc["mime_type"] == "application/pdf"
    )
    r = await http.post(
        "/documents",
        files={"content": ("child.pdf", pdf), "parent": ("", doc["url"].encode())},
    )
    assert r.json()["parent"] == doc["url"]
    r = await http.post(
        "/annotations",
        json={
            "status": "created",
            "document": doc["url"],
            "queue": f"{emu.base_url}/queues/{emu.seeded.queue_id}",
        },
    )
    assert r.status_code == 201
    assert r.json()["status"] == "created"
    r = await http.patch(f"/documents/{doc['id']}", json={"metadata": {"b": 2}})
    assert r.json()["metadata"] == {"b": 2}
    assert (await http.delete(f"/documents/{doc['id']}")).status_code == 204
    assert (await http.get(f"/documents/{doc['id']}")).status_code == 404


async def test_queue_in_deletion_blocks_imports(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    qid = emu.seeded.queue_id
    r = await http.delete(f"/queues/{qid}", params={"delete_after": "00:00:10"})
    assert r.status_code == 202
    q = (await http.get(f"/queues/{qid}")).json()
    assert q["status"] == "deletion_requested" and q["workspace"] is None
    name, pdf = sample_invoices(1)[0]
    r = await http.post(f"/uploads?queue={qid}", files={"content": (name, pdf)})
    assert r.status_code == 400
    await trio.sleep(11)
    assert (await http.get(f"/queues/{qid}")).status_code == 404
