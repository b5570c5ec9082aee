"""Fault knobs: deterministic with a seed, settable at run time, on the autojump clock."""

from __future__ import annotations

import httpx
import pytest
import trio

from rossum_trio.emulator import Emulator, Faults
from tests.support.clients import emulator_http


async def _statuses(emu: Emulator, n: int) -> list[int]:
    async with emulator_http(emu) as http:
        return [(await http.get("/workspaces")).status_code for _ in range(n)]


async def test_error_rate_is_deterministic_per_seed() -> None:
    faults = {"error_rate": 0.3, "error_statuses": (500, 503)}
    a = await _statuses(Emulator(seed=7, faults=Faults(**faults)), 60)
    b = await _statuses(Emulator(seed=7, faults=Faults(**faults)), 60)
    c = await _statuses(Emulator(seed=8, faults=Faults(**faults)), 60)
    assert a == b != c
    assert set(a) == {200, 500, 503}
    assert 5 < sum(s != 200 for s in a) < 35


async def test_storm_429_with_retry_after(emu: Emulator, http: httpx.AsyncClient) -> None:
    emu.faults.update(storm_429=2, retry_after_s=7)
    r = await http.get("/queues")
    assert r.status_code == 429 and r.headers["retry-after"] == "7"
    assert r.json() == {
        "detail": "Request was throttled. Expected available in 7 seconds.",
        "code": "throttled",
    }
    assert (await http.get("/queues")).status_code == 429
    assert (await http.get("/queues")).status_code == 200
    emu.faults.fail_next = 1
    assert (await http.get("/queues")).status_code == 503


async def test_rate_limit_like_the_real_api(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    emu.faults.rate_limit_per_s = 10
    statuses = [(await http.get("/queues")).status_code for _ in range(12)]
    assert statuses == [200] * 10 + [429, 429]
    r = await http.get("/queues")
    assert int(r.headers["retry-after"]) >= 1
    await trio.sleep(1.01)
    assert (await http.get("/queues")).status_code == 200


async def test_dropped_connection_in_process(emu: Emulator, http: httpx.AsyncClient) -> None:
    emu.faults.drop_next = 1
    with pytest.raises(httpx.RemoteProtocolError):
        await http.post("/workspaces", json={"name": "lost"})
    assert emu.requests[-1].status is None
    names = [w["name"] for w in (await http.get("/workspaces")).json()["results"]]
    assert "lost" not in names  # dropped before processing
    emu.faults.update(drop_next=1, drop_after_processing=True)
    with pytest.raises(httpx.TransportError):
        await http.post("/workspaces", json={"name": "applied"})
    names = [w["name"] for w in (await http.get("/workspaces")).json()["results"]]
    assert "applied" in names  # the response was lost, the effect was not


async def test_latency_on_virtual_time(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    emu.faults.update(latency_s=2.0, path_pattern=r"/queues")
    start = trio.current_time()
    await http.get("/workspaces")
    assert trio.current_time() - start < 0.5
    await http.get("/queues")
    assert trio.current_time() - start >= 2.0


async def test_slow_body(
    emu: Emulator, http: httpx.AsyncClient, autojump_clock: trio.testing.MockClock
) -> None:
    emu.faults.update(slow_body_chunk=100, slow_body_delay_s=0.5)
    start = trio.current_time()
    r = await http.get("/queues")
    assert r.status_code == 200 and r.json()["results"]
    assert trio.current_time() - start >= 0.5 * (len(r.content) // 100)


async def test_login_exempt_unless_asked(emu: Emulator, http: httpx.AsyncClient) -> None:
    emu.faults.fail_next = 1
    r = await http.post("/auth/login", data={"username": emu.username, "password": emu.password})
    assert r.status_code == 200
    assert emu.faults.fail_next == 1
    emu.faults.affect_login = True
    r = await http.post("/auth/login", data={"username": emu.username, "password": emu.password})
    assert r.status_code == 503


async def test_control_endpoint_and_request_log(emu: Emulator, http: httpx.AsyncClient) -> None:
    admin = {"Authorization": f"Bearer {emu.admin_token}"}
    r = await http.patch("/_emulator/faults", json={"storm_429": 1}, headers=admin)
    assert r.json()["storm_429"] == 1
    assert (await http.get("/queues", params={"page": "1"})).status_code == 429
    r = await http.patch("/_emulator/faults", json={"nope": 1}, headers=admin)
    assert r.status_code == 400 and r.json() == {"nope": ["Unknown fault knob."]}
    rec = emu.requests.filter(method="GET", path_contains="/queues")[-1]
    assert rec.status == 429 and rec.params == {"page": ["1"]}
    assert "authorization" not in rec.headers
    log = (await http.get("/_emulator/requests", headers=admin)).json()
    assert any(x["path"].endswith("/queues") and x["status"] == 429 for x in log)
    emu.requests.clear()
    assert len(emu.requests) == 0
    emu.faults.update(error_rate=1.0)
    emu.faults.reset()
    assert emu.faults == Faults()
