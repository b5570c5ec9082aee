"""Connectors: ``/connectors``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import Connector
from rossum_trio.types import ConnectorOrdering


class ConnectorMethods(ClientBase):
    """Connectors: ``/connectors``."""

    def list_connectors(
        self, ordering: Sequence[ConnectorOrdering] = (), **filters: Any
    ) -> Listing[Connector]:
        """Iterate connectors (``GET /connectors``); filters ``id``, ``name``, ``service_url``."""
        return self._list(Connector, ordering, **filters)

    async def retrieve_connector(self, connector_id: int) -> Connector:
        """One connector (``GET /connectors/{id}``)."""
        return await self._retrieve(Connector, connector_id=connector_id)

    async def create_new_connector(self, data: dict[str, Any]) -> Connector:
        """Create a connector (``POST /connectors``); ``data`` needs ``name``, ``queues``,
        ``service_url``, ``authorization_token``."""
        return await self._create(Connector, data)
