"""The list envelope, paging properties, ordering and filters."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from rossum_trio.emulator import Emulator
from tests.support import NO_TOTAL_QUERY
from tests.support.clients import emulator_http
from tests.support.emulator import list_all, rid, upload


@settings(max_examples=30, deadline=None)
@given(extra=st.integers(0, 45), page_size=st.integers(1, 130), desc=st.booleans())
async def test_walking_next_yields_every_item_once_in_order(
    extra: int, page_size: int, desc: bool
) -> None:
    emu = Emulator()
    async with emulator_http(emu) as http:
        for i in range(extra):
            assert (await http.post("/workspaces", json={"name": f"ws {i}"})).status_code == 201
        ordering = "-id" if desc else "id"
        first = await http.get("/workspaces", params={"page_size": page_size, "ordering": ordering})
        pagination = first.json()["pagination"]
        total = extra + 1
        size = min(page_size, 100)
        assert pagination["total"] == total
        assert pagination["total_pages"] == max(1, -(-total // size))
        assert pagination["previous"] is None
        items = await list_all(http, "/workspaces", page_size=page_size, ordering=ordering)
        ids = [w["id"] for w in items]
        assert len(ids) == total == len(set(ids))
        assert ids == sorted(ids, reverse=desc)
        # the official client's way: page 1 for total_pages, then pages 2..N by number
        by_number = []
        for page in range(1, pagination["total_pages"] + 1):
            r = await http.get(
                "/workspaces", params={"page_size": page_size, "ordering": ordering, "page": page}
            )
            by_number += [w["id"] for w in r.json()["results"]]
        assert by_number == ids


async def test_envelope_and_absolute_links(emu: Emulator, http: httpx.AsyncClient) -> None:
    for i in range(4):
        await http.post("/workspaces", json={"name": f"w{i}"})
    r = await http.get("/workspaces", params={"page_size": 2, "page": 2, "name": "", "x": "1"})
    body = r.json()
    assert set(body) == {"pagination", "results"}
    assert set(body["pagination"]) == {"total", "total_pages", "next", "previous"}
    nxt, prev = body["pagination"]["next"], body["pagination"]["previous"]
    assert nxt.startswith(f"{emu.base_url}/workspaces?")
    assert parse_qs(urlsplit(nxt).query, keep_blank_values=True) == {
        "page": ["3"],
        "page_size": ["2"],
        "name": [""],
        "x": ["1"],
    }
    assert "page=" not in prev  # page 1 is the URL without ``page``


async def test_official_empty_params_and_page_size_cap(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    for i in range(120):
        emu_ws = await http.post("/workspaces", json={"name": f"w{i}"})
        assert emu_ws.status_code == 201
    r = await http.get(
        "/workspaces", params={**NO_TOTAL_QUERY, "include_total": "true", "autopilot": ""}
    )
    body = r.json()
    assert len(body["results"]) == 100
    assert body["pagination"]["total"] == 121
    assert body["pagination"]["total_pages"] == 2
    r = await http.get("/workspaces", params={"page_size": 1000})
    assert len(r.json()["results"]) == 100
    r = await http.get("/workspaces")
    assert len(r.json()["results"]) == 20


@pytest.mark.parametrize("page", ["0", "3", "x", "-1"])
async def test_invalid_page_404(http: httpx.AsyncClient, page: str) -> None:
    r = await http.get("/workspaces", params={"page": page})
    assert r.status_code == 404
    assert r.json() == {"detail": "Invalid page.", "code": "not_found"}


async def test_empty_list_has_one_page(http: httpx.AsyncClient) -> None:
    r = await http.get("/annotations")
    assert r.json() == {
        "pagination": {"total": 0, "total_pages": 1, "next": None, "previous": None},
        "results": [],
    }


async def test_ordering_multi_key(http: httpx.AsyncClient) -> None:
    for name in ("b", "a", "b", "c"):
        await http.post("/workspaces", json={"name": name})
    r = await http.get("/workspaces", params={"ordering": "-name,id", "page_size": 100})
    got = [(w["name"], w["id"]) for w in r.json()["results"]]
    assert got == sorted(got, key=lambda t: (-ord(t[0][0]), t[1]))
    # unknown ordering fields are ignored
    r = await http.get("/workspaces", params={"ordering": "nonsense"})
    assert r.status_code == 200


async def test_filters(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    ids = await upload(http, emu, 3)
    await trio.sleep(3)
    await http.post(f"/annotations/{ids[0]}/postpone")
    by_id = await list_all(http, "/annotations", id=f"{ids[0]},{ids[2]}")
    assert [a["id"] for a in by_id] == [ids[0], ids[2]]
    by_status = await list_all(http, "/annotations", status="postponed,confirmed")
    assert [a["id"] for a in by_status] == [ids[0]]
    by_queue = await list_all(http, "/annotations", queue=str(emu.seeded.queue_id))
    assert len(by_queue) == 3
    assert await list_all(http, "/annotations", queue="999999") == []
    by_ws = await list_all(http, "/annotations", queue__workspace=str(emu.seeded.workspace_id))
    assert len(by_ws) == 3
    created = by_queue[1]["created_at"]
    after = await list_all(http, "/annotations", created_at_after=created)
    assert [a["id"] for a in after] == ids[1:]
    before = await list_all(http, "/annotations", created_at_before=created)
    assert [a["id"] for a in before] == ids[:1]
    assert (
        await http.get("/annotations", params={"created_at_after": "garbage"})
    ).status_code == 400
    # filters by a related list: schemas?queue=, users?queue=
    schemas = await list_all(http, "/schemas", queue=str(emu.seeded.queue_id))
    assert [s["id"] for s in schemas] == [emu.seeded.schema_id]
    docs = await list_all(http, "/documents", id=str(rid(by_queue[0]["document"])))
    assert len(docs) == 1
    # full-text ``search`` over datapoint values
    found = await list_all(http, "/annotations", search="invoice_002")
    assert [a["id"] for a in found] == [ids[1]]


async def test_fields_selection(http: httpx.AsyncClient) -> None:
    r = await http.get("/queues", params={"fields": "id,name"})
    assert r.json()["results"] == [{"id": 300, "name": "Invoices"}]
    r = await http.get("/queues", params={"fields!": "counts"})
    assert "counts" not in r.json()["results"][0]
