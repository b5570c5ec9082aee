"""Uploads: a batch of files uploaded to a queue."""

from __future__ import annotations

import msgspec

from rossum_trio._params import parse_resource_id_from_url


class Upload(msgspec.Struct):
    """An upload (``/uploads/{id}``): the documents and annotations created from uploaded files.

    ``documents`` and ``annotations`` are URLs, as the API sends them; :attr:`document_ids` and
    :attr:`annotation_ids` are their ids, ready for ``retrieve_document``,
    ``poll_annotation_until_imported`` and the other methods that take an id.
    """

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

    @property
    def document_ids(self) -> list[int]:
        """The ids of :attr:`documents`, in the same order."""
        return [parse_resource_id_from_url(url) for url in self.documents]

    @property
    def annotation_ids(self) -> list[int]:
        """The ids of :attr:`annotations`, in the same order (empty until the API lists them)."""
        return [parse_resource_id_from_url(url) for url in self.annotations]
