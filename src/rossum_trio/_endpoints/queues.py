"""Queues: ``/queues`` and queue automation (``/queues/{id}/automation/...``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing, Page, PageIterator
from rossum_trio.models import (
    AutomationProjections,
    AutomationStats,
    AutomationTarget,
    DatapointAutomationTarget,
    FieldErrorRateLimit,
    Queue,
)
from rossum_trio.models.automation import AutomationSetupExcludeBlocker, AutomationTargetType
from rossum_trio.types import JsonDict, QueueOrdering


def _pick(item: object, *names: str) -> JsonDict:
    """The named attributes of a model (or keys of a plain dict) as a JSON object."""
    if isinstance(item, Mapping):
        return {name: item.get(name) for name in names}
    return {name: getattr(item, name, None) for name in names}


class QueueMethods(ClientBase):
    """Queues: ``/queues``."""

    async def retrieve_queue(self, queue_id: int) -> Queue:
        """One queue (``GET /queues/{id}``)."""
        return await self._retrieve(Queue, queue_id=queue_id)

    def list_queues(self, ordering: Sequence[QueueOrdering] = (), **filters: Any) -> Listing[Queue]:
        """Iterate queues (``GET /queues``); filters such as ``workspace=7540``, ``name=...``."""
        return self._list(Queue, ordering, **filters)

    async def create_new_queue(self, data: dict[str, Any]) -> Queue:
        """Create a queue (``POST /queues``); ``data`` needs ``name``, ``workspace``, ``schema``."""
        return await self._create(Queue, data)

    async def delete_queue(self, queue_id: int) -> None:
        """Request deletion of a queue (``DELETE /queues/{id}``; the API deletes it later)."""
        await self._delete(Queue, queue_id=queue_id)


class AutomationMethods(ClientBase):
    """Queue automation: ``/queues/{id}/automation/{insights,projections,targets}``."""

    async def retrieve_automation_insights(self, queue_id: int) -> AutomationStats:
        """Current automation statistics of a queue (``GET /queues/{id}/automation/insights``)."""
        return await self._get(
            AutomationStats, self._at("queues/{}/automation/insights", queue_id=queue_id)
        )

    async def retrieve_automation_projections(
        self,
        queue_id: int,
        fields: Sequence[FieldErrorRateLimit],
        exclude_blockers: Sequence[AutomationSetupExcludeBlocker] = (),
    ) -> AutomationProjections:
        """Project a queue's automation for per-field error-rate limits
        (``POST /queues/{id}/automation/projections``).

        ``fields`` holds :class:`~rossum_trio.models.FieldErrorRateLimit` objects (or dicts with
        ``schema_id`` and ``error_rate_limit``); ``exclude_blockers`` leaves out
        ``error_message`` and/or ``extension`` blockers. The request changes nothing, so it is
        retried like a GET.
        """
        body = {"fields": [_pick(f, "schema_id", "error_rate_limit") for f in fields]}
        params = {"exclude_blockers": ",".join(exclude_blockers)} if exclude_blockers else None
        response = await self._send(
            "POST",
            self._at("queues/{}/automation/projections", queue_id=queue_id),
            json=body,
            params=params,
            retry_safe=True,
        )
        return self._decode(AutomationProjections, response)

    def list_automation_targets(self, queue_id: int) -> Listing[AutomationTarget]:
        """Iterate the saved automation targets of a queue
        (``GET /queues/{id}/automation/targets``; one request)."""
        url = self._at("queues/{}/automation/targets", queue_id=queue_id)

        async def fetch(_: object) -> Page[AutomationTarget]:
            response = await self._send("GET", url)
            return self._decode_page(AutomationTarget, response)

        return PageIterator(fetch, fetch, window=self._window, max_pages=1, cursor=True)

    async def create_new_automation_target(
        self,
        queue_id: int,
        automation_rate_target: float,
        error_rate_target: float,
        datapoint_automation_targets: Sequence[DatapointAutomationTarget],
        target_type: AutomationTargetType = "automation_assistant_v1",
    ) -> None:
        """Save an automation target for a queue (``POST /queues/{id}/automation/targets``).

        ``datapoint_automation_targets`` holds
        :class:`~rossum_trio.models.DatapointAutomationTarget` objects (or equivalent dicts);
        ``target_type`` is ``automation_assistant_v1`` or ``legacy_thresholds``.
        """
        body = {
            "automation_rate_target": automation_rate_target,
            "error_rate_target": error_rate_target,
            "datapoint_automation_targets": [
                _pick(
                    t,
                    "schema_id",
                    "error_rate_target",
                    "confidence_threshold",
                    "error_rate_limit",
                )
                for t in datapoint_automation_targets
            ],
            "type": target_type,
        }
        await self._send(
            "POST", self._at("queues/{}/automation/targets", queue_id=queue_id), json=body
        )
