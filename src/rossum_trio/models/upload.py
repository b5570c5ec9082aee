"""Uploads: a batch of files uploaded to a queue."""

from __future__ import annotations

import msgspec


class Upload(msgspec.Struct):
    """An upload (``/uploads/{id}``): the documents and annotations created from uploaded files."""

    id: int
    url: str
    queue: str
    organization: str
    creator: str
    created_at: str
    documents: list[str]
    additional_documents: list[str] = []
    annotations: list[str] = []
    email: str | None = None
