"""Waiting for many imports at once: one ``GET /annotations?id=a,b,...`` per 100 pending
annotations per round, and the rule that sorts each round's answers.

Used by :meth:`~rossum_trio.AsyncRossumAPIClient.wait_until_annotations_imported` and by the
import waiter of :class:`~rossum_trio._bulk.BulkUpload`: both poll the same way and give up on
an annotation missing from the answers for :data:`MISSING_ROUNDS` rounds in a row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import msgspec

from rossum_trio._annotation_rules import IMPORTING_STATUSES
from rossum_trio._concurrency import open_nursery
from rossum_trio._params import chunked
from rossum_trio.errors import PollingError, UnexpectedResponseError
from rossum_trio.models import Annotation

if TYPE_CHECKING:
    from rossum_trio._client import AsyncRossumAPIClient

#: Rounds an annotation may be missing from the poll answers before waiting for it fails.
MISSING_ROUNDS: Final = 3


class ImportRounds:
    """Sorts the answers of successive poll rounds.

    Each pending annotation is still importing (polled again), finished (its import is over:
    any status but ``importing``/``created``), or lost (missing from the answers for
    :data:`MISSING_ROUNDS` rounds in a row: deleted, or not visible to this user).
    """

    def __init__(self) -> None:
        self._missing: Counter[int] = Counter()

    def sort(
        self, pending: Sequence[int], seen: Mapping[int, Annotation]
    ) -> tuple[list[int], list[tuple[int, Annotation | None]]]:
        """One round: the ids still importing, and ``(id, annotation)`` for each id whose wait
        is over, in the order of ``pending`` (``annotation`` is None for a lost one)."""
        still: list[int] = []
        over: list[tuple[int, Annotation | None]] = []
        for annotation_id in pending:
            annotation = seen.get(annotation_id)
            if annotation is None:
                self._missing[annotation_id] += 1
                if self._missing[annotation_id] < MISSING_ROUNDS:
                    still.append(annotation_id)
                else:
                    over.append((annotation_id, None))
                continue
            self._missing.pop(annotation_id, None)
            if annotation.status in IMPORTING_STATUSES:
                still.append(annotation_id)
            else:
                over.append((annotation_id, annotation))
        return still, over


def lost_error(annotation_id: int) -> PollingError:
    """The error of an annotation that :class:`ImportRounds` found lost."""
    return PollingError(
        f"annotation {annotation_id} is missing from the answers "
        f"({MISSING_ROUNDS} rounds): deleted, or not visible to this user"
    )


async def annotations_by_id(
    client: AsyncRossumAPIClient, ids: Sequence[int]
) -> dict[int, Annotation]:
    """These annotations as they are now, by id (those the API returns).

    One ``GET /annotations?id=...`` per 100 ids, concurrently. Decoded straight into
    :class:`Annotation` (with a custom ``deserializer=``, which may return anything, the items
    are read raw and converted here, so it cannot break the wait).
    """
    chunks = chunked(ids)
    found: list[list[Annotation]] = [[] for _ in chunks]
    raw = client._deserializer is not None

    async def fetch(index: int, chunk: Sequence[int]) -> None:
        wanted = ",".join(map(str, chunk))
        if raw:
            listing = client._list(dict, url="annotations", id=wanted)
            found[index] = [_annotation(item) async for item in listing]
        else:
            found[index] = [a async for a in client._list(Annotation, id=wanted)]

    async with open_nursery() as nursery:
        for index, chunk in enumerate(chunks):
            nursery.start_soon(fetch, index, chunk)
    return {a.id: a for part in found for a in part if a.id is not None}


def _annotation(item: Any) -> Annotation:
    try:
        return msgspec.convert(item, Annotation)
    except msgspec.ValidationError as exc:
        raise UnexpectedResponseError(
            "GET", "annotations", 200, f"an annotation of the list is not one ({exc})"
        ) from None
