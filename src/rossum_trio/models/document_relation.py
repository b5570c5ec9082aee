"""Document relations: documents attached to an annotation (exports, e-invoices)."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from rossum_trio.models._common import known


class DocumentRelationType(StrEnum):
    """Known values of :attr:`DocumentRelation.type`; others are kept as plain ``str``."""

    EXPORT = "export"
    EINVOICE = "einvoice"


class DocumentRelation(msgspec.Struct):
    """A document relation (``/document_relations/{id}``)."""

    id: int
    type: str
    annotation: str
    key: str | None
    documents: list[str]
    url: str

    def __post_init__(self) -> None:
        self.type = known(DocumentRelationType, self.type)
