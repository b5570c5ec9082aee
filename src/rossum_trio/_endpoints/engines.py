"""Engines: ``/engines``, their fields (``/engine_fields``) and the queues using them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio._params import validate_id
from rossum_trio.models import Engine, EngineField, Queue
from rossum_trio.types import Sideload


class EngineMethods(ClientBase):
    """Engines: ``/engines``, ``/engine_fields`` and the queues using an engine."""

    async def retrieve_engine(self, engine_id: int) -> Engine:
        """One engine (``GET /engines/{id}``)."""
        return await self._retrieve(Engine, engine_id=engine_id)

    def list_engines(
        self, ordering: Sequence[str] = (), sideloads: Sequence[Sideload] = (), **filters: Any
    ) -> Listing[Engine]:
        """Iterate engines (``GET /engines``); filters ``id``, ``type``, ``agenda_id``."""
        return self._list(Engine, ordering, sideloads=sideloads, **filters)

    def retrieve_engine_fields(self, engine_id: int | None = None) -> Listing[EngineField]:
        """Iterate the fields of an engine (``GET /engine_fields?engine={id}``).

        With ``engine_id=None`` the filter is sent empty (``engine=``), as the official client
        does, and the API answers with the fields of all engines.
        """
        engine = None if engine_id is None else validate_id(engine_id, "engine_id")
        return self._list(EngineField, engine=engine)

    def retrieve_engine_queues(self, engine_id: int) -> Listing[Queue]:
        """Iterate the queues that use an engine (``GET /queues?engine={id}``)."""
        return self._list(Queue, engine=validate_id(engine_id, "engine_id"))
