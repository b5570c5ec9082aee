"""Organizations: the top-level account object."""

from __future__ import annotations

from typing import Any

import msgspec


class Organization(msgspec.Struct):
    """An organization (``/organizations/{id}``).

    The last four fields are documented API fields missing from the official model; they are
    optional and come after the official ones, so positional construction is unchanged.
    """

    id: int
    name: str
    url: str
    workspaces: list[str]
    users: list[str]
    organization_group: str
    is_trial: bool
    created_at: str
    trial_expires_at: str | None = None
    expires_at: str | None = None
    oidc_provider: str | None = None
    ui_settings: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    # Documented by the API, absent from the official model.
    creator: str | None = None
    modified_by: str | None = None
    modified_at: str | None = None
    settings: dict[str, Any] = {}
