"""Hooks (extensions): ``/hooks``, their run logs and hook templates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import Hook, HookRunData, HookTemplate
from rossum_trio.types import HookOrdering


class HookMethods(ClientBase):
    """Hooks: ``/hooks``, ``/hooks/logs`` and ``/hook_templates``."""

    def list_hooks(self, ordering: Sequence[HookOrdering] = (), **filters: Any) -> Listing[Hook]:
        """Iterate hooks (``GET /hooks``); filters such as ``queue``, ``active``, ``type``."""
        return self._list(Hook, ordering, **filters)

    async def retrieve_hook(self, hook_id: int) -> Hook:
        """One hook (``GET /hooks/{id}``)."""
        return await self._retrieve(Hook, hook_id=hook_id)

    async def create_new_hook(self, data: dict[str, Any]) -> Hook:
        """Create a hook (``POST /hooks``); ``data`` needs ``name``, ``type``, ``events``, ..."""
        return await self._create(Hook, data)

    async def update_part_hook(self, hook_id: int, data: dict[str, Any]) -> Hook:
        """Update some fields of a hook (``PATCH /hooks/{id}``)."""
        return await self._update(Hook, data, hook_id=hook_id)

    async def delete_hook(self, hook_id: int) -> None:
        """Delete a hook (``DELETE /hooks/{id}``)."""
        await self._delete(Hook, hook_id=hook_id)

    def list_hook_run_data(self, **filters: Any) -> Listing[HookRunData]:
        """Iterate hook run logs (``GET /hooks/logs``; one request, the API does not page it).

        Filters such as ``hook``, ``queue``, ``annotation``, ``log_level``, ``status``,
        ``timestamp_after``; ``page_size`` (1-100) bounds how many logs come back.
        """
        return self._list(HookRunData, **filters)

    def list_hook_templates(self, **filters: Any) -> Listing[HookTemplate]:
        """Iterate hook templates, e.g. the Rossum store (``GET /hook_templates``)."""
        return self._list(HookTemplate, **filters)

    async def retrieve_hook_template(self, hook_template_id: int) -> HookTemplate:
        """One hook template (``GET /hook_templates/{id}``)."""
        return await self._retrieve(HookTemplate, hook_template_id=hook_template_id)
