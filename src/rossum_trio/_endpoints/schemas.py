"""Schemas: ``/schemas``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import Schema
from rossum_trio.types import SchemaOrdering


class SchemaMethods(ClientBase):
    """Schemas: ``/schemas``."""

    def list_schemas(
        self, ordering: Sequence[SchemaOrdering] = (), **filters: Any
    ) -> Listing[Schema]:
        """Iterate schemas (``GET /schemas``); filters ``id``, ``name``, ``queue``."""
        return self._list(Schema, ordering, **filters)

    async def retrieve_schema(self, schema_id: int) -> Schema:
        """One schema with its content tree (``GET /schemas/{id}``)."""
        return await self._retrieve(Schema, schema_id=schema_id)

    async def create_new_schema(self, data: dict[str, Any]) -> Schema:
        """Create a schema (``POST /schemas``); ``data`` needs ``name`` and ``content``."""
        return await self._create(Schema, data)

    async def delete_schema(self, schema_id: int) -> None:
        """Delete a schema (``DELETE /schemas/{id}``)."""
        await self._delete(Schema, schema_id=schema_id)
