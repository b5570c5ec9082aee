"""Workspaces: containers of queues within an organization."""

from __future__ import annotations

from typing import Any

import msgspec


class Workspace(msgspec.Struct):
    """A workspace (``/workspaces/{id}``)."""

    id: int
    name: str
    url: str
    autopilot: bool
    organization: str
    queues: list[str] = []
    metadata: dict[str, Any] = {}
