"""Queues, workspaces, organizations and relations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._params import parse_resource_id_from_url
from rossum_trio._resources import Resource
from rossum_trio.errors import UnexpectedResponseError
from rossum_trio.models import Organization, Queue, Relation, Workspace
from rossum_trio.types import (
    OrganizationOrdering,
    QueueOrdering,
    RelationOrdering,
    WorkspaceOrdering,
)


class QueueMethods(ClientBase):
    """Queues: ``/queues``."""

    async def retrieve_queue(self, queue_id: int) -> Queue:
        """One queue (``GET /queues/{id}``)."""
        return await self._retrieve(Resource.Queue, Queue, queue_id)

    def list_queues(
        self, ordering: Sequence[QueueOrdering] = (), **filters: Any
    ) -> AsyncIterator[Queue]:
        """Iterate queues (``GET /queues``); filters such as ``workspace=7540``, ``name=...``."""
        return self._list(Resource.Queue, Queue, ordering, **filters)

    async def create_new_queue(self, data: dict[str, Any]) -> Queue:
        """Create a queue (``POST /queues``); ``data`` needs ``name``, ``workspace``, ``schema``."""
        return await self._create(Resource.Queue, Queue, data)

    async def delete_queue(self, queue_id: int) -> None:
        """Request deletion of a queue (``DELETE /queues/{id}``; the API deletes it later)."""
        await self._delete(Resource.Queue, queue_id)


class WorkspaceMethods(ClientBase):
    """Workspaces: ``/workspaces``."""

    def list_workspaces(
        self, ordering: Sequence[WorkspaceOrdering] = (), **filters: Any
    ) -> AsyncIterator[Workspace]:
        """Iterate workspaces (``GET /workspaces``)."""
        return self._list(Resource.Workspace, Workspace, ordering, **filters)

    async def retrieve_workspace(self, workspace_id: int) -> Workspace:
        """One workspace (``GET /workspaces/{id}``)."""
        return await self._retrieve(Resource.Workspace, Workspace, workspace_id)

    async def create_new_workspace(self, data: dict[str, Any]) -> Workspace:
        """Create a workspace (``POST /workspaces``); ``data`` needs ``name``, ``organization``."""
        return await self._create(Resource.Workspace, Workspace, data)

    async def delete_workspace(self, workspace_id: int) -> None:
        """Delete a workspace (``DELETE /workspaces/{id}``; 409 while it holds queues)."""
        await self._delete(Resource.Workspace, workspace_id)


class OrganizationMethods(ClientBase):
    """Organizations: ``/organizations``."""

    def list_organizations(
        self, ordering: Sequence[OrganizationOrdering] = (), **filters: Any
    ) -> AsyncIterator[Organization]:
        """Iterate organizations (``GET /organizations``)."""
        return self._list(Resource.Organization, Organization, ordering, **filters)

    async def retrieve_organization(self, org_id: int) -> Organization:
        """One organization (``GET /organizations/{id}``)."""
        return await self._retrieve(Resource.Organization, Organization, org_id)

    async def retrieve_own_organization(self) -> Organization:
        """The organization of the logged-in user (``GET /auth/user``, then the organization)."""
        user = await self.request_json("GET", "auth/user")
        org_url = user.get("organization")
        if not isinstance(org_url, str):
            raise UnexpectedResponseError(
                "GET", f"{self.base_url}/auth/user", 200, "the user has no organization URL"
            )
        return await self.retrieve_organization(parse_resource_id_from_url(org_url))


class RelationMethods(ClientBase):
    """Relations between annotations: ``/relations``."""

    def list_relations(
        self, ordering: Sequence[RelationOrdering] = (), **filters: Any
    ) -> AsyncIterator[Relation]:
        """Iterate relations (``GET /relations``); filters ``type``, ``parent``, ``key``, ..."""
        return self._list(Resource.Relation, Relation, ordering, **filters)

    async def create_new_relation(self, data: dict[str, Any]) -> Relation:
        """Create a relation (``POST /relations``): ``type``, ``parent``, ``annotations``."""
        return await self._create(Resource.Relation, Relation, data)
