"""Documents: ``/documents`` (the uploaded files, without their annotations)."""

from __future__ import annotations

import json as jsonlib
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio.models import Document


class DocumentMethods(ClientBase):
    """Documents: ``/documents``."""

    async def retrieve_document(self, document_id: int) -> Document:
        """One document (``GET /documents/{id}``)."""
        return await self._retrieve(Document, document_id=document_id)

    async def retrieve_document_content(self, document_id: int) -> bytes:
        """The original file of a document (``GET /documents/{id}/content``)."""
        response = await self._send(
            "GET", self._at("documents/{}/content", document_id=document_id)
        )
        return response.content

    async def create_new_document(
        self,
        file_name: str,
        file_data: bytes,
        metadata: dict[str, Any] | None = None,
        parent: str | None = None,
    ) -> Document:
        """Create a document without an annotation (``POST /documents``, multipart)."""
        if not isinstance(file_data, bytes | bytearray):
            raise ValueError(f"file_data must be bytes, got {type(file_data).__name__}")
        files: list[tuple[str, Any]] = [
            ("content", (file_name, bytes(file_data))),
            ("metadata", ("", jsonlib.dumps(metadata or {}).encode())),
        ]
        if parent:
            files.append(("parent", ("", parent)))
        response = await self._send("POST", "documents", files=files)
        return self._decode(Document, response)
