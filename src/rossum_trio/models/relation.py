"""Relations between annotations (edits, attachments, duplicates)."""

from __future__ import annotations

from enum import StrEnum

import msgspec

from rossum_trio.models._common import known


class RelationType(StrEnum):
    """Known values of :attr:`Relation.type`; others are kept as plain ``str``."""

    EDIT = "edit"
    ATTACHMENT = "attachment"
    DUPLICATE = "duplicate"


class Relation(msgspec.Struct):
    """A relation (``/relations/{id}``) linking a parent annotation to other annotations."""

    id: int
    type: str
    key: str | None
    parent: str | None
    annotations: list[str]
    url: str

    def __post_init__(self) -> None:
        self.type = known(RelationType, self.type)
