"""Workspaces: ``/workspaces``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import Workspace
from rossum_trio.types import WorkspaceOrdering


class WorkspaceMethods(ClientBase):
    """Workspaces: ``/workspaces``."""

    def list_workspaces(
        self, ordering: Sequence[WorkspaceOrdering] = (), **filters: Any
    ) -> Listing[Workspace]:
        """Iterate workspaces (``GET /workspaces``)."""
        return self._list(Workspace, ordering, **filters)

    async def retrieve_workspace(self, workspace_id: int) -> Workspace:
        """One workspace (``GET /workspaces/{id}``)."""
        return await self._retrieve(Workspace, workspace_id=workspace_id)

    async def create_new_workspace(self, data: dict[str, Any]) -> Workspace:
        """Create a workspace (``POST /workspaces``); ``data`` needs ``name``, ``organization``."""
        return await self._create(Workspace, data)

    async def delete_workspace(self, workspace_id: int) -> None:
        """Delete a workspace (``DELETE /workspaces/{id}``; 409 while it holds queues)."""
        await self._delete(Workspace, workspace_id=workspace_id)
