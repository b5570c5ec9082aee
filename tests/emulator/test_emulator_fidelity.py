"""Behaviours that used to be wrong: relations filters, copy, cancel, paged XML, Accept, codes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import httpx
import pytest
import trio

from rossum_trio.emulator import Emulator
from tests.support.emulator import rid, upload


@pytest.fixture
async def imported(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> list[int]:
    return await upload(http, emu, 4, then_wait_s=3)


async def _ids(http: httpx.AsyncClient, **params: str) -> list[int]:
    r = await http.get("/annotations", params=params)
    assert r.status_code == 200, r.text
    return [a["id"] for a in r.json()["results"]]


async def test_relations_filters(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    a, b, c, d = (f"{emu.base_url}/annotations/{i}" for i in imported)
    r = await http.post(
        "/relations", json={"type": "edit", "parent": a, "annotations": [b, c], "key": "k1"}
    )
    assert r.status_code == 201
    edit = r.json()
    r = await http.post("/relations", json={"type": "attachment", "parent": b, "annotations": [d]})
    assert r.status_code == 201
    # the relation is linked from its annotations, as the API shows it
    assert (await http.get(b)).json()["relations"] == [edit["url"]]
    assert await _ids(http, relations__parent=str(imported[0])) == imported[1:3]
    assert await _ids(http, relations__parent=a) == imported[1:3]
    assert await _ids(http, relations__type="attachment") == [imported[3]]
    assert await _ids(http, relations__type="edit,attachment") == imported[1:]
    assert await _ids(http, relations__key="k1") == imported[1:3]
    assert await _ids(http, relations__key="nope") == []
    # the same filters apply to the export
    r = await http.get(
        f"/queues/{emu.seeded.queue_id}/export", params={"relations__type": "attachment"}
    )
    assert [x["url"] for x in r.json()["results"]] == [d]


async def test_copy_keeps_data_metadata_and_status(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    aid = imported[0]
    await http.patch(f"/annotations/{aid}", json={"metadata": {"source": "mail"}})
    await http.post(f"/annotations/{aid}/postpone")
    node = emu.content(aid)[0]["children"][0]
    r = await http.patch(
        f"/annotations/{aid}/content/{node['id']}", json={"content": {"value": "EDITED-1"}}
    )
    assert r.status_code == 200
    target = await http.post("/queues", json={"name": "Copies", "schema": 200})
    r = await http.post(f"/annotations/{aid}/copy", json={"target_queue": target.json()["url"]})
    assert r.status_code == 200 and set(r.json()) == {"annotation"}
    copy = (await http.get(r.json()["annotation"])).json()
    assert copy["status"] == "postponed"  # "if not set, it stays the same"
    assert copy["queue"] == target.json()["url"] and copy["metadata"] == {"source": "mail"}
    values = [n["content"]["value"] for n in emu.content(copy["id"])[0]["children"]]
    assert values[0] == "EDITED-1"  # the edited data, not a fresh extraction
    copied_ids = {n["id"] for n in emu.content(copy["id"])[0]["children"]}
    assert not copied_ids & {n["id"] for n in emu.content(aid)[0]["children"]}
    content = (await http.get(f"/annotations/{copy['id']}/content")).json()["content"]
    assert content[0]["children"][0]["url"].startswith(copy["url"] + "/content/")
    # explicit status; reimport=true extracts from the document again
    r = await http.post(
        f"/annotations/{aid}/copy",
        params={"reimport": "true"},
        json={"target_queue": target.json()["url"], "target_status": "to_review"},
    )
    again = (await http.get(r.json()["annotation"])).json()
    assert again["status"] == "importing"
    await trio.sleep(2.5)
    again = (await http.get(again["url"])).json()
    assert again["status"] == "to_review"
    assert emu.content(again["id"])[0]["children"][0]["content"]["value"] != "EDITED-1"


async def test_cancel_returns_to_postponed_or_to_review(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    a, b = imported[:2]
    await http.post(f"/annotations/{a}/postpone")
    assert (await http.post(f"/annotations/{a}/start")).status_code == 200
    assert (await http.post(f"/annotations/{a}/cancel")).status_code == 204
    assert (await http.get(f"/annotations/{a}")).json()["status"] == "postponed"
    await http.post(f"/annotations/{b}/start")
    await http.post(f"/annotations/{b}/cancel")
    assert (await http.get(f"/annotations/{b}")).json()["status"] == "to_review"


async def test_paged_xml_export_reports_totals_and_links(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    path = f"/queues/{emu.seeded.queue_id}/export"
    r = await http.get(path, params={"format": "xml", "page": "1", "page_size": "3"})
    root = ET.fromstring(r.content)
    assert len(root.findall("./results/annotation")) == 3
    assert root.findtext("./pagination/total") == "4"
    assert root.findtext("./pagination/total_pages") == "2"
    nxt = root.findtext("./pagination/next")
    assert nxt and "page=2" in nxt and root.find("./pagination/previous").text is None
    root = ET.fromstring((await http.get(nxt)).content)
    assert len(root.findall("./results/annotation")) == 1
    assert root.find("./pagination/next").text is None
    assert root.findtext("./pagination/previous")
    # without paging parameters: every annotation, one page
    root = ET.fromstring((await http.get(path, params={"format": "xml"})).content)
    assert len(root.findall("./results/annotation")) == 4
    assert root.findtext("./pagination/total") == "4"
    assert root.findtext("./pagination/total_pages") == "1"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (XLSX, XLSX),
        ("text/csv", "text/csv; charset=utf-8"),
        ("application/xml", "application/xml; charset=utf-8"),
        ("text/html;q=0.9, text/csv;q=0.5, application/json;q=0.8", "application/json"),
        ("*/*", "application/json"),
    ],
)
async def test_accept_header_picks_the_format(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    accept: str,
    content_type: str,
    autojump_clock: trio.testing.MockClock,
) -> None:
    r = await http.get(f"/queues/{emu.seeded.queue_id}/export", headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    if content_type == XLSX:
        with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
            sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        csv_rows = (await http.get(r.url, params={"format": "csv"})).text.splitlines()
        assert "Invoice number" in sheet and sheet.count("<row ") == len(csv_rows) > 5


async def test_unacceptable_accept_is_406(emu: Emulator, http: httpx.AsyncClient) -> None:
    r = await http.get(f"/queues/{emu.seeded.queue_id}/export", headers={"Accept": "text/html"})
    assert r.status_code == 406
    assert r.json()["code"] == "not_acceptable"
    r = await http.get(f"/queues/{emu.seeded.queue_id}/export", params={"format": "xlsx"})
    assert r.status_code == 200 and r.content.startswith(b"PK")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/queues/999", 404, "not_found"),
        ("DELETE", "/groups/1", 405, "method_not_allowed"),
        ("POST", "/annotations/2000/start", 404, "not_found"),
        ("GET", "/queues?page=7", 404, "not_found"),
    ],
)
async def test_error_bodies_carry_a_code(
    http: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    r = await http.request(method, path)
    assert r.status_code == status
    assert set(r.json()) == {"detail", "code"} and r.json()["code"] == code


async def test_conflict_and_parse_error_codes(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    await http.post(f"/annotations/{imported[0]}/delete")
    r = await http.post(f"/annotations/{imported[0]}/confirm")
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    r = await http.post("/workspaces", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "parse_error"
    # validation errors keep DRF's field shape
    r = await http.post("/workspaces", json={})
    assert r.json() == {"name": ["This field is required."]}


async def test_hook_events_are_validated(http: httpx.AsyncClient) -> None:
    ok = {"name": "H", "config": {"url": "https://example.com"}}
    r = await http.post("/hooks", json={**ok, "events": ["annotation_status", "upload.created"]})
    assert r.status_code == 201
    hook = r.json()
    # a whole event stands for its actions (the official client reads only event.action)
    assert hook["events"] == ["annotation_status.changed", "upload.created"]
    r = await http.post("/hooks", json={**ok, "events": ["invocation", "invocation.manual"]})
    assert r.json()["events"] == [
        "invocation.scheduled",
        "invocation.manual",
        "invocation.interface",
    ]
    for events in (["annotation_status.nope"], "annotation_status", [5], [None], ["nope.created"]):
        r = await http.post("/hooks", json={**ok, "events": events})
        assert r.status_code == 400 and set(r.json()) == {"events"}, (events, r.text)
    r = await http.patch(f"/hooks/{hook['id']}", json={"events": ["nope"]})
    assert r.status_code == 400
    assert (await http.get(f"/hooks/{hook['id']}")).json()["events"] == hook["events"]
    r = await http.post("/hooks", json={**ok, "type": "job"})
    assert r.status_code == 400 and "type" in r.json()
    r = await http.post("/hooks", json={**ok, "token_lifetime_s": 7201})
    assert r.status_code == 400 and "token_lifetime_s" in r.json()
    r = await http.post("/hooks", json={**ok, "config": {"url": "u", "timeout_s": 61}})
    assert r.status_code == 400 and "config" in r.json()


async def test_annotation_ids_and_legacy_upload_unchanged(
    emu: Emulator,
    http: httpx.AsyncClient,
    imported: list[int],
    autojump_clock: trio.testing.MockClock,
) -> None:
    """What the client's bulk upload relies on stays as it was."""
    ids = ",".join(map(str, imported[1:3]))
    r = await http.get("/annotations", params={"id": ids, "sideload": "documents"})
    body = r.json()
    assert [a["id"] for a in body["results"]] == imported[1:3]
    assert [d["original_file_name"] for d in body["documents"]] == [
        "invoice_002.pdf",
        "invoice_003.pdf",
    ]
    assert all(a["arrived_at"] for a in body["results"])
    r = await http.get("/annotations", params={"arrived_at_after": "2000-01-01T00:00:00Z"})
    assert len(r.json()["results"]) == 4
    [new] = await upload(http, emu, 1, seed=9)
    assert rid(f"{emu.base_url}/annotations/{new}") == new
