"""Organization groups: sets of organizations sharing features and billing."""

from __future__ import annotations

from typing import Any

import msgspec


class OrganizationGroup(msgspec.Struct):
    """An organization group (``/organization_groups/{id}``)."""

    id: int
    name: str
    is_trial: bool
    is_production: bool
    deployment_location: str
    modified_by: str | None = None
    modified_at: str | None = None
    features: dict[str, Any] | None = None
    usage: dict[str, Any] = {}
