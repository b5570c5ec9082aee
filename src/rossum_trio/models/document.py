"""Documents: the original files behind annotations."""

from __future__ import annotations

from typing import Any

import msgspec


class Document(msgspec.Struct):
    """A document (``/documents/{id}``): an uploaded file and its metadata."""

    id: int
    url: str
    s3_name: str
    parent: str | None
    email: str | None
    mime_type: str
    creator: str | None
    created_at: str
    arrived_at: str
    original_file_name: str
    content: str
    metadata: dict[str, Any] = {}
    annotations: list[str] = []
    attachment_status: str | None = None
