"""Uploads whose answer was lost: are they on the server?

A bulk upload whose request went out but whose answer never came (or came unreadable) may have
reached the server. Before such a file is sent again, :func:`find_uploads` looks for it: a
document of the queue that arrived since the run began, with the file's name and bytes, that
no file of the run claims. Only what is not found is sent again, so nothing lands twice.
"""

from __future__ import annotations

import datetime
import hashlib
import pathlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import trio

from rossum_trio._files import FileSpec

if TYPE_CHECKING:
    from rossum_trio._client import AsyncRossumAPIClient

#: How far before the run's start an upload found on the server may have arrived (clock skew).
RECONCILE_MARGIN_S: Final = 300.0


async def find_uploads(
    client: AsyncRossumAPIClient,
    queue_id: int,
    files: Sequence[FileSpec],
    wanted: Sequence[int],
    *,
    claimed: set[int],
    since: datetime.datetime,
) -> dict[int, list[int]]:
    """For the files at the indexes ``wanted``, the annotation ids of their upload if it is on
    the server.

    An upload is a document in the queue that arrived since ``since`` (less a margin for clock
    skew), has the file's name and its bytes, and none of whose annotations is ``claimed`` (by
    a file of the run). One listing of the queue's recent annotations (documents sideloaded;
    read as raw items: a custom ``deserializer=`` may keep neither ids nor documents), and one
    download per candidate to compare the bytes.
    """
    after = since - datetime.timedelta(seconds=RECONCILE_MARGIN_S)
    listing = client._list(
        dict,
        url="annotations",
        sideloads=["documents"],
        queue=queue_id,
        arrived_at_after=after.isoformat().replace("+00:00", "Z"),
    )
    documents: dict[int, tuple[str, list[int]]] = {}  # id -> (file name, annotation ids)
    async for item in listing:
        annotation_id, document = item.get("id"), item.get("document")
        if (
            isinstance(annotation_id, int)
            and not isinstance(annotation_id, bool)
            and isinstance(document, dict)
            and isinstance(document.get("id"), int)
            and isinstance(document.get("original_file_name"), str)
        ):
            name = document["original_file_name"]
            documents.setdefault(document["id"], (name, []))[1].append(annotation_id)
    found: dict[int, list[int]] = {}
    taken: set[int] = set()
    for index in wanted:
        path, name = files[index]
        digest: str | None = None
        for document_id, (doc_name, ids) in documents.items():
            if doc_name != name or document_id in taken or claimed.intersection(ids):
                continue
            if digest is None:
                digest = await _sha256_of(path)
            content = await client.retrieve_document_content(document_id)
            if hashlib.sha256(content).hexdigest() != digest:
                continue
            taken.add(document_id)
            found[index] = ids
            break
    return found


async def _sha256_of(path: str | pathlib.Path) -> str | None:
    """The file's SHA-256, read in a worker thread; None if it cannot be read."""

    def digest() -> str | None:
        hasher = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    hasher.update(block)
        except OSError:
            return None
        return hasher.hexdigest()

    return await trio.to_thread.run_sync(digest, abandon_on_cancel=True)
