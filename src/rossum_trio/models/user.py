"""Users of an organization."""

from __future__ import annotations

from typing import Any

import msgspec


class User(msgspec.Struct):
    """A user (``/users/{id}``; also ``/auth/user`` for the current one).

    ``phone_number`` is a documented API field missing from the official model (added last).
    """

    id: int
    url: str
    first_name: str
    last_name: str
    email: str
    date_joined: str
    username: str
    organization: str
    last_login: str | None = None
    is_active: bool = True
    email_verified: bool | None = False
    password: str | None = None
    groups: list[str] = []
    queues: list[str] = []
    ui_settings: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    oidc_id: str | None = None
    auth_type: str = "password"
    deleted: bool = False
    # Documented by the API, absent from the official model.
    phone_number: str | None = None
