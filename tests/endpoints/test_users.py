"""Users, user roles and passwords (``_endpoints/users.py``) on the wire."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from rossum_trio import Resource, UserCredentials
from tests.support.clients import make_client
from tests.support.crud import create_tests, list_tests, retrieve_tests
from tests.support.payloads import user
from tests.support.wire import Wire, body_of

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(("retrieve_user", Resource.User, "users/7"))
test_create = create_tests(("create_new_user", Resource.User, "users"))
test_list, test_list_defaults = list_tests(
    ("list_users", Resource.User, "users", ["-last_login"], {"is_active": "true"}),
    ("list_user_roles", Resource.Group, "groups", ["name"], {"name": "admin"}),
)


USER = user(10997)


async def test_reset_user_password(dict_client: Any, wire: Wire) -> None:
    answer = {"detail": "Password reset e-mail has been sent."}
    wire.on("POST", "auth/password/reset", answer)
    assert await dict_client.reset_user_password("jane@example.com") == answer
    request = wire.only()
    assert body_of(request) == {"email": "jane@example.com"}


async def test_change_user_password_with_token_needs_old_password(
    dict_client: Any, wire: Wire
) -> None:
    with pytest.raises(ValueError, match="old_password"):
        await dict_client.change_user_password("a-New-passw0rd-long")
    assert wire.requests == []
    wire.on("POST", "auth/password/change", USER)
    assert await dict_client.change_user_password("a-New-passw0rd-long", old_password="old") == USER
    assert body_of(wire.only()) == {
        "new_password1": "a-New-passw0rd-long",
        "new_password2": "a-New-passw0rd-long",
        "old_password": "old",
    }


async def test_change_user_password_with_credentials_then_relogin_uses_new_one(
    wire: Wire,
) -> None:
    wire.on("POST", "auth/login", {"key": "k1"})
    wire.on("POST", "auth/login", {"key": "k2"})
    wire.on("POST", "auth/password/change", USER)
    wire.on("GET", "users/10997", {"detail": "expired"}, status=401)
    wire.on("GET", "users/10997", USER)
    credentials = UserCredentials("jane@example.com", "old-password")
    async with make_client(
        wire.handler, credentials=credentials, deserializer=lambda r, d: d
    ) as client:
        await client.change_user_password("new-Password-123")
        assert await client.retrieve_user(10997) == USER
    login1, change, get1, login2, get2 = wire.requests
    assert parse_qs(login1.content.decode()) == {
        "username": ["jane@example.com"],
        "password": ["old-password"],
    }
    assert body_of(change)["old_password"] == "old-password"
    assert parse_qs(login2.content.decode())["password"] == ["new-Password-123"]
    assert get2.headers["Authorization"] == "Bearer k2"
    assert credentials.password == "old-password"  # the caller's object is not modified
