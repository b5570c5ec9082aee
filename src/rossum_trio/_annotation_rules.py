"""The rules about annotations that the client applies, and the official
``rossum_api.domain_logic.annotations`` helpers built on them.

Each rule is written once, here: the client's methods call it, and
``rossum_api.domain_logic.annotations`` re-exports the helpers (official names, signatures and
behaviour), so the two cannot drift apart. Nothing here depends on the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._params import export_method
from rossum_trio.types import HttpMethod, ObjectWithStatus, Sideload

__all__ = [
    "get_http_method_for_annotation_export",
    "is_annotation_imported",
    "validate_list_annotations_params",
    "validate_sideload_query_params",
]

#: Statuses an annotation is in while its document is still being imported.
IMPORTING_STATUSES = frozenset({"importing", "created"})
#: Statuses from which waiting for another status is pointless.
FAILED_STATUSES = frozenset({"failed_import"})

#: The message of the ``ValueError`` for a ``content`` sideload without schema ids (official).
CONTENT_NEEDS_SCHEMA_IDS = (
    'When content sideloading is requested, "content_schema_ids" must be provided'
)


def validate_list_annotations_params(
    sideloads: Sequence[Sideload] = (), content_schema_ids: Sequence[str] = ()
) -> None:
    """Check the sideload arguments of a listing of annotations.

    Raises ``ValueError`` when the ``content`` sideload is requested without
    ``content_schema_ids`` (the API would answer with every datapoint of every annotation).

    >>> validate_list_annotations_params(["content"], ["amount_total"])
    >>> validate_list_annotations_params(["content"])
    Traceback (most recent call last):
    ...
    ValueError: When content sideloading is requested, "content_schema_ids" must be provided
    """
    if "content" in sideloads and not content_schema_ids:
        raise ValueError(CONTENT_NEEDS_SCHEMA_IDS)


def validate_sideload_query_params(
    sideloads: Sequence[Sideload], sideload_query_params: dict[str, dict[str, Any]] | None
) -> None:
    """Check that ``sideload_query_params`` only names sideloads that are requested.

    Raises ``ValueError`` otherwise, as
    :meth:`~rossum_trio.AsyncRossumAPIClient.retrieve_annotation` does.
    """
    unknown = set(sideload_query_params or {}) - set(sideloads)
    if unknown:
        raise ValueError(
            f"sideload_query_params given for sideloads that are not requested: {sorted(unknown)}"
        )


def get_http_method_for_annotation_export(**filters: Any) -> HttpMethod:
    """The HTTP method of a queue export with these filters.

    ``POST`` when ``to_status`` is among them (the export then moves the annotations), else
    ``GET``.

    >>> get_http_method_for_annotation_export(status="confirmed")
    'GET'
    >>> get_http_method_for_annotation_export(status="confirmed", to_status="exported")
    'POST'
    """
    return export_method(filters)


def is_annotation_imported(annotation: ObjectWithStatus) -> bool:
    """Whether the import of ``annotation`` has finished: its status is no longer
    ``importing`` or ``created``.

    As officially, ``failed_import`` counts as finished (the client's
    ``poll_annotation_until_imported`` raises ``AnnotationImportFailedError`` for it instead).
    """
    return annotation.status not in IMPORTING_STATUSES


def status_of(obj: Any) -> Any:
    """The ``status`` of a model, or of a raw dict (what a custom ``deserializer=`` may return)."""
    if isinstance(obj, dict):
        return obj.get("status")
    return getattr(obj, "status", None)
