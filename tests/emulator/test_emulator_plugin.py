"""The pytest plugin's fixtures from sync and asyncio code, the thread server, the request log and
its assertions."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from rossum_trio.emulator import Emulator, EmulatorThread, RequestLog, sample_invoices


def test_thread_server_fixture_from_a_sync_test(
    rossum_emulator: Emulator, rossum_emulator_thread: str, rossum_requests: RequestLog
) -> None:
    assert rossum_emulator_thread.startswith("http://127.0.0.1:")
    headers = {"Authorization": f"Bearer {rossum_emulator.token}"}
    with httpx.Client(base_url=rossum_emulator_thread, headers=headers) as http:
        r = http.get("/queues", params={"page_size": "5", "ordering": ""})
        assert r.status_code == 200
        assert r.json()["results"][0]["url"].startswith(rossum_emulator_thread)
        # the emulator is inspected from the test's thread while it serves
        assert rossum_emulator.get("queues", rossum_emulator.seeded.queue_id)["name"] == "Invoices"
    rec = rossum_requests[-1]
    assert (rec.method, rec.api_path, rec.params) == (
        "GET",
        "queues",
        {"page_size": ["5"], "ordering": [""]},
    )


def test_thread_server_from_asyncio(rossum_emulator: Emulator, rossum_emulator_thread: str) -> None:
    headers = {"Authorization": f"Bearer {rossum_emulator.token}"}

    async def main() -> tuple[int, int]:
        async with httpx.AsyncClient(base_url=rossum_emulator_thread, headers=headers) as http:
            over_loopback = (await http.get("/workspaces")).status_code
        async with httpx.AsyncClient(
            transport=rossum_emulator.transport(),
            base_url=rossum_emulator.base_url,
            headers=headers,
        ) as http:  # the in-process transport works on asyncio as well
            in_process = (await http.get("/workspaces")).status_code
        return over_loopback, in_process

    assert asyncio.run(main()) == (200, 200)


def test_request_log_entries(rossum_emulator: Emulator, rossum_requests: RequestLog) -> None:
    name, pdf = sample_invoices(1)[0]
    with EmulatorThread(rossum_emulator, rate_limit_per_s=None) as base_url:
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {rossum_emulator.token}"}
        ) as http:
            http.post("/workspaces", json={"name": "W", "metadata": {"k": 1}})
            http.post(
                f"/queues/{rossum_emulator.seeded.queue_id}/upload",
                files={"content": (name, pdf), "metadata": ("", '{"a": 1}', "application/json")},
                data={"note": "hello"},
            )
            http.post("/auth/login", data={"username": "u", "password": "secret"})
    ws, up, login = rossum_requests
    assert ws.json == {"name": "W", "metadata": {"k": 1}} and ws.status == 201
    assert up.files == [("content", name)]
    assert up.form == {"metadata": '{"a": 1}', "note": "hello"}  # httpx drops the empty filename
    assert up.json is None and up.body_size > len(pdf)
    assert login.form == {"username": "u", "password": "secret"} and login.status == 401
    assert "authorization" not in ws.headers
    assert ws.describe() == "POST /api/v1/workspaces -> 201"


def test_assertion_helpers(rossum_emulator: Emulator, rossum_requests: RequestLog) -> None:
    with EmulatorThread(rossum_emulator, rate_limit_per_s=None) as base_url:
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {rossum_emulator.token}"}
        ) as http:
            http.post("/workspaces", json={"name": "W", "metadata": {}})
            http.get("/queues/300", params={"sideload": "schemas"})
            http.get("/queues/300")
    [created] = rossum_requests.assert_called("POST", "workspaces", json={"name": "W"})
    assert created.status == 201
    rossum_requests.assert_called("GET", "/api/v1/queues/{id}", times=2)
    rossum_requests.assert_called("get", "queues/*", params={"sideload": "schemas"}, times=1)
    rossum_requests.assert_not_called("DELETE", "queues/{id}")
    rossum_requests.assert_only(("POST", "workspaces"), ("GET", "queues/{id}"))
    with pytest.raises(AssertionError, match=r"expected POST queues 1 time\(s\), got 0") as info:
        rossum_requests.assert_called("POST", "queues", times=1)
    assert "GET /api/v1/queues/300?sideload=schemas -> 200" in str(info.value)
    with pytest.raises(AssertionError, match="expected no GET queues/{id}, got 2"):
        rossum_requests.assert_not_called("GET", "queues/{id}")
    with pytest.raises(AssertionError, match="not requested: DELETE users/{id}; unexpected"):
        rossum_requests.assert_only(("POST", "workspaces"), ("DELETE", "users/{id}"))
    with pytest.raises(AssertionError, match=r"expected POST workspaces at least once"):
        rossum_requests.assert_called("POST", "workspaces", json={"name": "other"})


def test_thread_server_lifecycle() -> None:
    server = EmulatorThread(rate_limit_per_s=None)
    base_url = server.start()
    with pytest.raises(RuntimeError, match="already started"):
        server.start()
    assert httpx.get(base_url).status_code == 200  # the directory needs no auth
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(OSError, match="(?i)address"):
            EmulatorThread(port=sock.getsockname()[1]).start()


@pytest.mark.rossum_emulator(import_delay_s=5, import_jitter_s=2, seed=4)
def test_marker_configures_the_emulator(rossum_emulator: Emulator) -> None:
    assert (rossum_emulator.import_delay_s, rossum_emulator.import_jitter_s) == (5, 2)
