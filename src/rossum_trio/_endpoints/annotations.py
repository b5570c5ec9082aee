"""Annotation methods: listing, search, retrieval with sideloads, edits, actions, polling."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import trio

from rossum_trio._annotation_rules import (
    FAILED_STATUSES,
    IMPORTING_STATUSES,
    status_of,
    validate_list_annotations_params,
    validate_sideload_query_params,
)
from rossum_trio._base import _DICT, ClientBase, _singular
from rossum_trio._concurrency import open_nursery
from rossum_trio._pagination import Listing
from rossum_trio._params import validate_non_negative
from rossum_trio.errors import AnnotationImportFailedError
from rossum_trio.models import Annotation, AnnotationProcessingDuration
from rossum_trio.types import AnnotationOrdering, JsonDict, Sideload

#: Statuses ``poll_annotation_until_imported`` waits past: still importing, or failed.
_NOT_YET_IMPORTED = IMPORTING_STATUSES | FAILED_STATUSES


class AnnotationMethods(ClientBase):
    """Annotations: ``/annotations`` and their actions."""

    def list_annotations(
        self,
        ordering: Sequence[AnnotationOrdering] = (),
        sideloads: Sequence[Sideload] = (),
        content_schema_ids: Sequence[str] = (),
        **filters: Any,
    ) -> Listing[Annotation]:
        """Iterate annotations (``GET /annotations``), pages fetched concurrently.

        ``sideloads`` embeds related objects (``documents``, ``modifiers``, ``queues``,
        ``automation_blockers``, ``content``); ``content`` needs ``content_schema_ids``.
        Filters are query parameters, e.g. ``status="to_review"``, ``queue=8199``.

        >>> async for a in client.list_annotations(status="to_review"):  # doctest: +SKIP
        ...     print(a.id, a.status)
        """
        validate_list_annotations_params(sideloads, content_schema_ids)
        return self._list(
            Annotation,
            ordering,
            sideloads=sideloads,
            content_schema_ids=content_schema_ids,
            **filters,
        )

    def search_for_annotations(
        self,
        query: dict[str, Any] | None = None,
        query_string: dict[str, Any] | None = None,
        ordering: Sequence[AnnotationOrdering] = (),
        sideloads: Sequence[Sideload] = (),
        **kwargs: Any,
    ) -> Listing[Annotation]:
        """Iterate annotations matching a search (``POST /annotations/search``).

        ``query`` is the API's ``{"$and": [...]}`` filter, ``query_string`` a full-text
        ``{"string": "..."}``; at least one is required. The same body is sent for every page.
        """
        if not query and not query_string:
            raise ValueError("Either query or query_string must be provided")
        validate_list_annotations_params(sideloads, kwargs.get("content_schema_ids", ()))
        body: JsonDict = {}
        if query:
            body["query"] = query
        if query_string:
            body["query_string"] = query_string
        return self._list(
            Annotation,
            ordering,
            url="annotations/search",
            sideloads=sideloads,
            method="POST",
            json=body,
            retry_safe=True,  # a search changes nothing
            **kwargs,
        )

    async def retrieve_annotation(
        self,
        annotation_id: int,
        sideloads: Sequence[Sideload] = (),
        *,
        sideload_query_params: dict[str, dict[str, Any]] | None = None,
    ) -> Annotation:
        """One annotation (``GET /annotations/{id}``), with related objects fetched alongside.

        The API does not sideload single objects, so each requested sideload is fetched from
        the URL in the annotation (concurrently); ``sideload_query_params`` adds query
        parameters per sideload, e.g. ``{"content": {"schema_id": "amount_total"}}``.
        """
        validate_sideload_query_params(sideloads, sideload_query_params)
        if not sideloads:
            return await self._retrieve(Annotation, annotation_id=annotation_id)
        answer = await self._answer("GET", self._at("annotations/{}", annotation_id=annotation_id))
        data = answer.data
        await self._sideload(data, sideloads, sideload_query_params)
        return self._from_answer(Annotation, data, answer.response)

    async def _sideload(
        self,
        data: JsonDict,
        sideloads: Sequence[str],
        params: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        async def fetch(sideload: str, field: str, url: str) -> None:
            found = await self._answer("GET", url, params=(params or {}).get(sideload), link=True)
            data[field] = found.data.get("content", []) if sideload == "content" else found.data

        async with open_nursery() as nursery:
            for sideload in sideloads:
                field = _singular(sideload)
                url = data.get(field)
                if isinstance(url, str):
                    nursery.start_soon(fetch, sideload, field, url)
                else:
                    data[field] = None

    async def create_new_annotation(self, data: dict[str, Any]) -> Annotation:
        """Create an annotation (``POST /annotations``)."""
        return await self._create(Annotation, data)

    async def update_annotation(self, annotation_id: int, data: dict[str, Any]) -> Annotation:
        """Replace an annotation (``PUT /annotations/{id}``)."""
        return await self._replace(Annotation, data, annotation_id=annotation_id)

    async def update_part_annotation(self, annotation_id: int, data: dict[str, Any]) -> Annotation:
        """Update some fields of an annotation (``PATCH /annotations/{id}``)."""
        return await self._update(Annotation, data, annotation_id=annotation_id)

    async def bulk_update_annotation_data(
        self, annotation_id: int, operations: list[dict[str, Any]]
    ) -> None:
        """Apply content operations (``replace``/``add``/``remove``) to an annotation's data."""
        await self._send(
            "POST",
            self._at("annotations/{}/content/operations", annotation_id=annotation_id),
            json={"operations": operations},
        )

    async def start_annotation(self, annotation_id: int) -> None:
        """Start reviewing (``POST /annotations/{id}/start``): the status becomes ``reviewing``."""
        await self._send("POST", self._at("annotations/{}/start", annotation_id=annotation_id))

    async def confirm_annotation(self, annotation_id: int) -> None:
        """Confirm a reviewed annotation (``POST /annotations/{id}/confirm``)."""
        await self._send("POST", self._at("annotations/{}/confirm", annotation_id=annotation_id))

    async def cancel_annotation(self, annotation_id: int) -> None:
        """Stop reviewing (``POST /annotations/{id}/cancel``), back to ``to_review``."""
        await self._send("POST", self._at("annotations/{}/cancel", annotation_id=annotation_id))

    async def delete_annotation(self, annotation_id: int) -> None:
        """Move an annotation to ``deleted`` (``POST /annotations/{id}/delete``; soft delete)."""
        await self._send("POST", self._at("annotations/{}/delete", annotation_id=annotation_id))

    async def retrieve_annotation_processing_duration(
        self, annotation_id: int
    ) -> AnnotationProcessingDuration:
        """Time spent on an annotation (``GET /annotations/{id}/processing_duration``)."""
        return await self._get(
            AnnotationProcessingDuration,
            self._at("annotations/{}/processing_duration", annotation_id=annotation_id),
        )

    async def poll_annotation(
        self,
        annotation_id: int,
        predicate: Callable[[Annotation], bool],
        sleep_s: float = 3,
        sideloads: Sequence[Sideload] = (),
    ) -> Annotation:
        """Fetch the annotation every ``sleep_s`` seconds until ``predicate(annotation)`` holds.

        Raises :class:`~rossum_trio.errors.AnnotationImportFailedError` if it reaches
        ``failed_import`` without satisfying the predicate (it will never leave it). Bound the
        wait with ``trio.fail_after``. Sideloads are fetched once, at the end.
        """
        validate_non_negative("sleep_s", sleep_s)
        url = self._at("annotations/{}", annotation_id=annotation_id)
        while True:
            response = await self._send("GET", url)
            annotation = self._decode(Annotation, response)
            if predicate(annotation):
                break
            if status_of(annotation) in FAILED_STATUSES:
                raise AnnotationImportFailedError(annotation_id, annotation)
            await trio.sleep(sleep_s)
        if not sideloads:
            return annotation
        data: JsonDict = _DICT.decode(response.content)
        await self._sideload(data, sideloads)
        return self._from_answer(Annotation, data, response)

    async def poll_annotation_until_imported(
        self, annotation_id: int, **poll_kwargs: Any
    ) -> Annotation:
        """Wait until the annotation has left ``importing`` or ``created`` (see poll_annotation).

        Unlike the official client, ``failed_import`` raises
        :class:`~rossum_trio.errors.AnnotationImportFailedError` instead of counting as imported.
        """
        return await self.poll_annotation(
            annotation_id,
            lambda a: status_of(a) not in _NOT_YET_IMPORTED,
            **poll_kwargs,
        )
