"""Login, tokens (Bearer/Token/Basic), expiry on the autojump clock, logout, /auth/user."""

from __future__ import annotations

import re

import httpx
import pytest
import trio

from rossum_trio.emulator import Emulator, Faults, sample_invoices


@pytest.fixture
async def anon(emu: Emulator):
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as client:
        yield client


@pytest.mark.parametrize("encoding", ["form", "json"])
async def test_login_form_and_json(emu: Emulator, anon: httpx.AsyncClient, encoding: str) -> None:
    creds = {"username": emu.username, "password": emu.password}
    r = await (
        anon.post("/auth/login", data=creds)
        if encoding == "form"
        else anon.post("/auth/login", json=creds)
    )
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"key", "domain"}
    assert re.fullmatch(r"[0-9a-f]{40}", body["key"])
    r = await anon.get("/auth/user", headers={"Authorization": f"Bearer {body['key']}"})
    assert r.status_code == 200
    assert r.json()["username"] == emu.username
    assert "password" not in r.json()


async def test_bad_credentials_401(emu: Emulator, anon: httpx.AsyncClient) -> None:
    r = await anon.post("/auth/login", data={"username": emu.username, "password": "nope"})
    assert r.status_code == 401
    assert "detail" in r.json()
    r = await anon.post("/auth/login", data={"username": emu.username})
    assert r.status_code == 400
    assert r.json() == {"password": ["This field is required."]}


async def test_missing_credentials_403_invalid_token_401(
    emu: Emulator, anon: httpx.AsyncClient
) -> None:
    # the reference's error table: 403 for missing authentication, 401 for an invalid token
    r = await anon.get("/queues")
    assert r.status_code == 403
    assert r.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    r = await anon.get("/queues", headers={"Authorization": "Bearer " + "0" * 40})
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token.", "code": "authentication_failed"}
    assert "www-authenticate" in r.headers


async def test_token_scheme_is_accepted(emu: Emulator, anon: httpx.AsyncClient) -> None:
    r = await anon.get("/queues", headers={"Authorization": f"Token {emu.token}"})
    assert r.status_code == 200


async def test_directory_is_authless(emu: Emulator, anon: httpx.AsyncClient) -> None:
    r = await anon.get(emu.base_url)
    assert r.status_code == 200
    assert r.json()["queues"] == f"{emu.base_url}/queues"


async def test_basic_auth_only_where_documented(emu: Emulator, anon: httpx.AsyncClient) -> None:
    basic = httpx.BasicAuth(emu.username, emu.password)
    name, pdf = sample_invoices(1)[0]
    r = await anon.post(
        f"/uploads?queue={emu.seeded.queue_id}", files={"content": (name, pdf)}, auth=basic
    )
    assert r.status_code == 202
    r = await anon.get("/queues", auth=basic)
    assert r.status_code == 401
    r = await anon.post(
        f"/uploads?queue={emu.seeded.queue_id}",
        files={"content": (name, pdf)},
        auth=httpx.BasicAuth(emu.username, "wrong"),
    )
    assert r.status_code == 401


async def test_token_expiry_on_virtual_time(autojump_clock: trio.testing.MockClock) -> None:
    emu = Emulator()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as client:
        r = await client.post(
            "/auth/login",
            data={"username": emu.username, "password": emu.password, "max_token_lifetime_s": "60"},
        )
        headers = {"Authorization": f"Bearer {r.json()['key']}"}
        assert (await client.get("/workspaces", headers=headers)).status_code == 200
        await trio.sleep(61)
        r = await client.get("/workspaces", headers=headers)
        assert r.status_code == 401
        assert r.json() == {"detail": "Token has expired.", "code": "authentication_failed"}


async def test_token_lifetime_fault_and_expire_tokens(
    autojump_clock: trio.testing.MockClock,
) -> None:
    emu = Emulator(faults=Faults(token_lifetime_s=5))
    async with httpx.AsyncClient(transport=emu.transport(), base_url=emu.base_url) as client:
        r = await client.post(
            "/auth/login", json={"username": emu.username, "password": emu.password}
        )
        headers = {"Authorization": f"Bearer {r.json()['key']}"}
        await trio.sleep(4)
        assert (await client.get("/workspaces", headers=headers)).status_code == 200
        await trio.sleep(2)
        assert (await client.get("/workspaces", headers=headers)).status_code == 401
        token = emu.issue_token()
        assert (
            await client.get("/workspaces", headers={"Authorization": f"Bearer {token}"})
        ).status_code == 200
        emu.expire_tokens()
        assert (
            await client.get("/workspaces", headers={"Authorization": f"Bearer {token}"})
        ).status_code == 401


async def test_logout_discards_token(emu: Emulator, anon: httpx.AsyncClient) -> None:
    token = emu.issue_token()
    headers = {"Authorization": f"Bearer {token}"}
    r = await anon.post("/auth/logout", headers=headers)
    assert r.status_code == 200
    assert r.json() == {"detail": "Successfully logged out."}
    assert (await anon.get("/queues", headers=headers)).status_code == 401


async def test_created_user_can_log_in(emu: Emulator, http: httpx.AsyncClient) -> None:
    r = await http.post("/users", json={"username": "new@example.com", "password": "pw-123"})
    assert r.status_code == 201
    assert "password" not in r.json()
    r = await http.post("/auth/login", data={"username": "new@example.com", "password": "pw-123"})
    assert r.status_code == 200
    r = await http.post("/users", json={"username": "new@example.com"})
    assert r.status_code == 400
    assert "username" in r.json()
