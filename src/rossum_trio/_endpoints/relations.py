"""Relations: between annotations (``/relations``) and between documents
(``/document_relations``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import DocumentRelation, Relation
from rossum_trio.types import DocumentRelationOrdering, RelationOrdering


class RelationMethods(ClientBase):
    """Relations between annotations: ``/relations``."""

    def list_relations(
        self, ordering: Sequence[RelationOrdering] = (), **filters: Any
    ) -> Listing[Relation]:
        """Iterate relations (``GET /relations``); filters ``type``, ``parent``, ``key``, ..."""
        return self._list(Relation, ordering, **filters)

    async def create_new_relation(self, data: dict[str, Any]) -> Relation:
        """Create a relation (``POST /relations``): ``type``, ``parent``, ``annotations``."""
        return await self._create(Relation, data)


class DocumentRelationMethods(ClientBase):
    """Relations between documents: ``/document_relations``."""

    def list_document_relations(
        self, ordering: Sequence[DocumentRelationOrdering] = (), **filters: Any
    ) -> Listing[DocumentRelation]:
        """Iterate document relations (``GET /document_relations``); filters ``type``,
        ``annotation``, ``key``, ``documents``."""
        return self._list(DocumentRelation, ordering, **filters)

    async def retrieve_document_relation(self, document_relation_id: int) -> DocumentRelation:
        """One document relation (``GET /document_relations/{id}``)."""
        return await self._retrieve(DocumentRelation, document_relation_id=document_relation_id)

    async def create_new_document_relation(self, data: dict[str, Any]) -> DocumentRelation:
        """Create a document relation (``POST /document_relations``): ``type``,
        ``annotation``, ``documents``."""
        return await self._create(DocumentRelation, data)

    async def update_document_relation(
        self, document_relation_id: int, data: dict[str, Any]
    ) -> DocumentRelation:
        """Replace a document relation (``PUT /document_relations/{id}``)."""
        return await self._replace(
            DocumentRelation, data, document_relation_id=document_relation_id
        )

    async def update_part_document_relation(
        self, document_relation_id: int, data: dict[str, Any]
    ) -> DocumentRelation:
        """Update some fields of a document relation (``PATCH /document_relations/{id}``)."""
        return await self._update(DocumentRelation, data, document_relation_id=document_relation_id)

    async def delete_document_relation(self, document_relation_id: int) -> None:
        """Delete a document relation (``DELETE /document_relations/{id}``)."""
        await self._delete(DocumentRelation, document_relation_id=document_relation_id)
