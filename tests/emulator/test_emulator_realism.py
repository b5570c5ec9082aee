"""Realistic by default: the rate budget over loopback, import latency, roles, input validation."""

from __future__ import annotations

import httpx
import pytest
import trio

from rossum_trio.emulator import (
    REAL_RATE_LIMIT_PER_S,
    Emulator,
    Faults,
    open_emulator_server,
    open_emulator_thread,
)
from tests.support.emulator import upload


def _burst(base_url: str, token: str, n: int) -> list[httpx.Response]:
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        return [http.get("/workspaces") for _ in range(n)]


def test_loopback_enforces_the_real_budget_by_default() -> None:
    emu = Emulator()
    with open_emulator_thread(emu) as base_url:
        answers = _burst(base_url, emu.token, 15)
    statuses = [r.status_code for r in answers]
    assert REAL_RATE_LIMIT_PER_S == 10
    assert statuses.count(200) <= 10 and 429 in statuses, statuses
    throttled = next(r for r in answers if r.status_code == 429)
    assert int(throttled.headers["retry-after"]) >= 1
    assert throttled.json()["code"] == "throttled"


@pytest.mark.parametrize("switch", ["server", "faults"])
def test_the_rate_limit_switches_off(switch: str) -> None:
    emu = Emulator(faults=Faults(rate_limit_per_s=0) if switch == "faults" else None)
    rate = None if switch == "server" else REAL_RATE_LIMIT_PER_S
    with open_emulator_thread(emu, rate_limit_per_s=rate) as base_url:
        assert {r.status_code for r in _burst(base_url, emu.token, 25)} == {200}


async def test_in_process_is_unlimited_unless_asked(emu: Emulator, http: httpx.AsyncClient) -> None:
    assert {(await http.get("/queues")).status_code for _ in range(30)} == {200}
    emu.faults.rate_limit_per_s = 5
    statuses = [(await http.get("/queues")).status_code for _ in range(8)]
    assert statuses.count(429) >= 3


async def test_trio_loopback_server_default_is_the_real_budget() -> None:
    emu = Emulator()
    async with (
        open_emulator_server(emu) as base_url,
        httpx.AsyncClient(
            base_url=base_url, headers={"Authorization": f"Bearer {emu.token}"}
        ) as http,
    ):
        statuses = [(await http.get("/queues")).status_code for _ in range(14)]
    assert 429 in statuses


async def test_import_latency_with_jitter(autojump_clock: trio.testing.MockClock) -> None:
    emu = Emulator(import_delay_s=5, import_jitter_s=20, seed=3)
    async with httpx.AsyncClient(
        transport=emu.transport(),
        base_url=emu.base_url,
        headers={"Authorization": f"Bearer {emu.token}"},
    ) as http:
        ids = await upload(http, emu, 6)
        done: dict[int, float] = {}
        start = trio.current_time()
        while len(done) < len(ids):
            await trio.sleep(0.5)
            for aid in ids:
                if aid not in done:
                    status = (await http.get(f"/annotations/{aid}")).json()["status"]
                    if status != "importing":
                        done[aid] = trio.current_time() - start
    times = sorted(done.values())
    assert times[0] >= 5 and times[-1] <= 25.5
    assert times[-1] - times[0] > 3  # they do not all finish together


# ---- roles ----------------------------------------------------------------------------------


@pytest.fixture
async def as_role(emu: Emulator):  # type: ignore[no-untyped-def]
    clients: list[httpx.AsyncClient] = []

    def make(role: str | None) -> httpx.AsyncClient:
        if role is None:
            user_id = emu.add_user("norole@x.test", "pw", role="viewer")
            emu._state.table("users")[user_id]["groups"] = []  # a user without any role
        else:
            user_id = emu.add_user(f"{role}@x.test", "pw", role=role)
        client = httpx.AsyncClient(
            transport=emu.transport(),
            base_url=emu.base_url,
            headers={"Authorization": f"Bearer {emu.issue_token(user_id=user_id)}"},
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def test_viewer_reads_but_cannot_change_anything(
    emu: Emulator,
    http: httpx.AsyncClient,
    as_role,
    autojump_clock: trio.testing.MockClock,  # type: ignore[no-untyped-def]
) -> None:
    [aid] = await upload(http, emu, 1)
    await trio.sleep(3)
    viewer = as_role("viewer")
    assert (await viewer.get("/queues")).status_code == 200
    assert (await viewer.get(f"/annotations/{aid}")).status_code == 200
    assert (await viewer.get(f"/queues/{emu.seeded.queue_id}/export")).status_code == 200
    assert (await viewer.post("/annotations/search", json={})).status_code == 200
    denied = [
        await viewer.delete(f"/users/{emu.seeded.user_id}"),  # "a viewer can delete the admin"
        await viewer.post("/workspaces", json={"name": "W"}),
        await viewer.patch(f"/queues/{emu.seeded.queue_id}", json={"name": "x"}),
        await viewer.post(f"/annotations/{aid}/start"),
        await viewer.patch(f"/annotations/{aid}", json={"metadata": {}}),
        await viewer.post(f"/queues/{emu.seeded.queue_id}/upload", files={"content": ("a", b"x")}),
        await viewer.post(f"/queues/{emu.seeded.queue_id}/export?to_status=exported"),
    ]
    assert [r.status_code for r in denied] == [403] * len(denied)
    assert all(r.json()["code"] == "permission_denied" for r in denied)
    assert (await http.get(f"/users/{emu.seeded.user_id}")).json()["deleted"] is False


async def test_annotator_imports_and_reviews_but_does_not_set_up(
    emu: Emulator,
    http: httpx.AsyncClient,
    as_role,
    autojump_clock: trio.testing.MockClock,  # type: ignore[no-untyped-def]
) -> None:
    annotator = as_role("annotator")
    [aid] = await upload(annotator, emu, 1)
    await trio.sleep(3)
    assert (await annotator.post(f"/annotations/{aid}/start")).status_code == 200
    assert (await annotator.post(f"/annotations/{aid}/confirm")).status_code == 204
    assert (await annotator.post("/queues", json={"name": "Q", "schema": 200})).status_code == 403
    assert (await annotator.post(f"/annotations/{aid}/approve")).status_code == 403
    limited = as_role("annotator_limited")
    r = await limited.post(f"/queues/{emu.seeded.queue_id}/upload", files={"content": ("a", b"x")})
    assert r.status_code == 403  # annotator_limited may not import


async def test_approver_and_user_without_role(
    emu: Emulator,
    http: httpx.AsyncClient,
    as_role,
    autojump_clock: trio.testing.MockClock,  # type: ignore[no-untyped-def]
) -> None:
    a, b = await upload(http, emu, 2)
    await trio.sleep(3)
    approver = as_role("approver")
    assert (await approver.post(f"/annotations/{a}/approve")).status_code == 200
    assert (await approver.post(f"/annotations/{b}/reject", json={})).status_code == 200
    assert (await approver.post(f"/annotations/{b}/postpone")).status_code == 403
    nobody = as_role(None)
    assert (await nobody.get("/queues")).status_code == 200
    assert (await nobody.post(f"/annotations/{b}/postpone")).status_code == 403


async def test_own_profile_but_not_own_roles(emu: Emulator, as_role) -> None:  # type: ignore[no-untyped-def]
    viewer = as_role("viewer")
    r = await viewer.patch("/auth/user", json={"first_name": "Vi"})
    assert r.status_code == 200 and r.json()["first_name"] == "Vi"
    admin_group = f"{emu.base_url}/groups/3"
    r = await viewer.patch("/auth/user", json={"groups": [admin_group]})
    assert admin_group not in r.json()["groups"]


async def test_deleted_users_tokens_stop_working(
    emu: Emulator, http: httpx.AsyncClient, as_role
) -> None:  # type: ignore[no-untyped-def]
    viewer = as_role("viewer")
    me = (await viewer.get("/auth/user")).json()
    assert (await http.delete(f"/users/{me['id']}")).status_code == 204
    r = await viewer.get("/queues")
    assert r.status_code == 401 and r.json()["detail"] == "User inactive or deleted."


# ---- input validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/queues", {"name": "x" * 256, "schema": 200}, "name"),
        ("/workspaces", {"name": "W", "metadata": {"k": "v" * 4100}}, "metadata"),
        ("/workspaces", {"name": "W", "metadata": [1]}, "metadata"),
        ("/workspaces", {"name": 5}, "name"),
        ("/workspaces", {"name": " "}, "name"),
        (
            "/schemas",
            {"name": "S", "content": [{"id": "x" * 51, "category": "section"}]},
            "content",
        ),
        ("/schemas", {"name": "S", "content": {"a": 1}}, "content"),
        ("/schemas", {"name": "S", "content": [{"children": 5}]}, "content"),
        ("/inboxes", {"name": "I", "queues": [], "email_prefix": "x" * 58}, "email_prefix"),
        ("/users", {"username": "u", "first_name": "x" * 151}, "first_name"),
        ("/users", {"username": ["x"]}, "username"),
        ("/hooks", {"name": "H", "events": ["nope"]}, "events"),
        ("/connectors", {"name": "C", "asynchronous": "yes"}, "asynchronous"),
        (
            "/queues",
            {"name": "Q", "schema": 200, "automation_level": ["never"]},
            "automation_level",
        ),
    ],
)
async def test_constrained_fields_are_validated(
    http: httpx.AsyncClient, path: str, body: dict[str, object], field: str
) -> None:
    r = await http.post(path, json=body)
    assert r.status_code == 400 and field in r.json(), r.text


async def test_values_notes_and_document_metadata_limits(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    [aid] = await upload(http, emu, 1)
    await trio.sleep(3)
    node = emu.content(aid)[0]["children"][0]["id"]
    r = await http.patch(
        f"/annotations/{aid}/content/{node}", json={"content": {"value": "x" * 1501}}
    )
    assert r.status_code == 400 and "value" in r.json()
    r = await http.patch(
        f"/annotations/{aid}/content/{node}", json={"content": {"value": "x" * 1500}}
    )
    assert r.status_code == 200
    r = await http.post("/notes", json={"annotation": aid, "content": "n" * 4097})
    assert r.status_code == 400 and "content" in r.json()
    ann = (await http.get(f"/annotations/{aid}")).json()
    r = await http.patch(ann["document"], json={"metadata": {"big": "x" * 5000}})
    assert r.status_code == 400 and "metadata" in r.json()
    r = await http.post(
        f"/queues/{emu.seeded.queue_id}/upload",
        files={
            "content": ("a.pdf", b"%PDF"),
            "metadata": ("", '{"big": "' + "x" * 5000 + '"}', "application/json"),
        },
    )
    assert r.status_code == 400 and "metadata" in r.json()
