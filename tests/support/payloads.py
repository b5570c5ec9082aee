"""JSON answers of the API, as scripted servers and respx routes send them.

Each factory builds a minimal valid object with the given id, its URLs below ``base`` (the
shared :data:`tests.support.BASE` unless a test serves another origin); keyword arguments
replace or add fields. :func:`page` wraps results in the list envelope.
"""

from __future__ import annotations

from typing import Any

from tests.support import BASE


def workspace(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"ws-{i}",
        "url": f"{base}/workspaces/{i}",
        "autopilot": False,
        "organization": f"{base}/organizations/1",
        "queues": [],
    }


#: The workspace of the API reference's example, field for field (a fuller one than
#: :func:`workspace`).
REFERENCE_WORKSPACE: dict[str, Any] = {
    "id": 7540,
    "name": "East West Trading Co",
    "url": f"{BASE}/workspaces/7540",
    "autopilot": True,
    "organization": f"{BASE}/organizations/406",
    "queues": [f"{BASE}/queues/8199"],
    "metadata": {},
}


def annotation(i: int, status: str = "to_review", base: str = BASE, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": i,
        "url": f"{base}/annotations/{i}",
        "status": status,
        "document": f"{base}/documents/{i + 100}",
        "queue": f"{base}/queues/8199",
        "schema": f"{base}/schemas/95",
        "modifier": None,
        "content": f"{base}/annotations/{i}/content",
        "automation_blocker": None,
        "metadata": {},
    }
    data.update(extra)
    return data


def exported(i: int, base: str = BASE) -> dict[str, Any]:
    """An annotation as the JSON export gives it (document and schema nested, content inline)."""
    return {
        "url": f"{base}/annotations/{i}",
        "status": "exported",
        "arrived_at": "2019-10-13T21:33:01.509886Z",
        "document": {"url": f"{base}/documents/{i}", "file_name": "a.pdf", "file": "..."},
        "modifier": None,
        "schema": {"url": f"{base}/schemas/31336"},
        "metadata": {},
        "content": [{"category": "section", "schema_id": "s", "children": []}],
    }


def document(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "url": f"{base}/documents/{i}",
        "s3_name": "272c2f01ae84a4e19a421cb432e490bb",
        "parent": None,
        "email": None,
        "annotations": [],
        "mime_type": "application/pdf",
        "creator": f"{base}/users/1",
        "created_at": "2019-10-13T23:04:00.933658Z",
        "arrived_at": "2019-10-13T23:04:00.933658Z",
        "original_file_name": "invoice.pdf",
        "content": f"{base}/documents/{i}/content",
        "metadata": {},
    }


def task(i: int, status: str = "running", base: str = BASE, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": i,
        "url": f"{base}/tasks/{i}",
        "type": "upload_created",
        "status": status,
        "expires_at": "2030-01-01T00:00:00.000000Z",
        "content": {"upload": f"{base}/uploads/{i}"},
        "detail": None,
    }
    data.update(extra)
    return data


def upload_answer(annotation_id: int, base: str = BASE) -> dict[str, Any]:
    """What ``POST /queues/{id}/upload`` answers for one file."""
    return {
        "results": [
            {
                "annotation": f"{base}/annotations/{annotation_id}",
                "document": f"{base}/documents/{annotation_id + 100}",
            }
        ]
    }


def queue(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "name": f"queue-{i}",
        "url": f"{base}/queues/{i}",
        "workspace": f"{base}/workspaces/7",
        "connector": None,
        "schema": f"{base}/schemas/95",
        "inbox": None,
        "counts": {"to_review": 1},
    }


def organization(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "name": "Org",
        "url": f"{base}/organizations/{i}",
        "workspaces": [],
        "users": [],
        "organization_group": f"{base}/organization_groups/1",
        "is_trial": False,
        "created_at": "2019-09-02T14:28:11.000000Z",
    }


def user(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "url": f"{base}/users/{i}",
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "date_joined": "2018-09-19T13:44:56.000000Z",
        "username": "jane@example.com",
        "organization": f"{base}/organizations/406",
    }


def relation(i: int, base: str = BASE) -> dict[str, Any]:
    return {
        "id": i,
        "type": "duplicate",
        "key": "abc",
        "parent": f"{base}/annotations/1",
        "annotations": [f"{base}/annotations/2"],
        "url": f"{base}/relations/{i}",
    }


def page(
    results: list[Any],
    *,
    total_pages: int | None = None,
    total: int | None = None,
    next_url: str | None = None,
    **sideloads: Any,
) -> dict[str, Any]:
    """The list envelope around ``results`` (plus sideloads, e.g. ``documents=[...]``).

    By default a page that says how many pages there are: ``total_pages`` (1 unless given) and
    ``total`` (pages of this size unless given). With ``next_url`` and no ``total_pages``, a
    page that only links to the next one (no counts: the reader must follow the link).
    """
    pagination: dict[str, Any] = {"next": next_url, "previous": None}
    if total_pages is None and next_url is None:
        total_pages = 1
    if total_pages is not None:
        pagination["total_pages"] = total_pages
        pagination["total"] = len(results) * total_pages if total is None else total
    elif total is not None:
        pagination["total"] = total
    return {"pagination": pagination, "results": results, **sideloads}
