"""The official ``rossum_api.domain_logic.annotations`` helpers, on the client's own rules.

Each helper has the official name, signature and behaviour; the rule behind it is the one the
client applies (imported from where the client defines it), so the two cannot drift apart.
``rossum_api.domain_logic.annotations`` re-exports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._endpoints.annotations import IMPORTING_STATUSES, _check_sideload_params
from rossum_trio._params import export_method
from rossum_trio.types import HttpMethod, ObjectWithStatus, Sideload

__all__ = [
    "get_http_method_for_annotation_export",
    "is_annotation_imported",
    "validate_list_annotations_params",
    "validate_sideload_query_params",
]

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
    _check_sideload_params(sideloads, sideload_query_params)


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
