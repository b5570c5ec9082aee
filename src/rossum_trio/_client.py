"""The public asynchronous client."""

from __future__ import annotations

from typing import Any

from rossum_trio._endpoints.bulk import BulkMethods
from rossum_trio._endpoints.engines import (
    ConnectorMethods,
    EmailMethods,
    EngineMethods,
    InboxMethods,
)
from rossum_trio._endpoints.hooks import HookMethods, RuleMethods
from rossum_trio._endpoints.queues import (
    OrganizationGroupMethods,
    OrganizationMethods,
    QueueMethods,
    RelationMethods,
    WorkspaceMethods,
)
from rossum_trio._endpoints.relations import AutomationMethods, DocumentRelationMethods
from rossum_trio._endpoints.users import SchemaMethods, UserMethods


class AsyncRossumAPIClient(
    BulkMethods,
    QueueMethods,
    WorkspaceMethods,
    OrganizationMethods,
    OrganizationGroupMethods,
    RelationMethods,
    DocumentRelationMethods,
    SchemaMethods,
    UserMethods,
    EngineMethods,
    InboxMethods,
    EmailMethods,
    ConnectorMethods,
    HookMethods,
    RuleMethods,
    AutomationMethods,
):
    """A trio client for the Rossum API (same methods as the official ``AsyncRossumAPIClient``).

    Every request of a client shares one in-flight cap (``max_in_flight_requests``), one login
    (single-flight; again once on 401 with :class:`~rossum_trio.dtos.UserCredentials`), retries
    that never repeat a non-idempotent request after it may have reached the server
    (``n_retries`` = total attempts; ``Retry-After`` honoured), and a finite default timeout.
    Lists fetch their pages concurrently and stop cleanly when the consumer stops.

    ``transport=`` takes an httpx transport (tests, the embedded emulator);
    ``rate_limit_per_second=`` paces all requests of the client (the API allows about 10/s).

    >>> async with AsyncRossumAPIClient(
    ...     "https://acme.rossum.app/api/v1", Token("...")
    ... ) as client:  # doctest: +SKIP
    ...     async for queue in client.list_queues():
    ...         print(queue.name)
    """

    def __class_getitem__(cls, params: Any) -> type[AsyncRossumAPIClient]:
        # The official client is Generic over 24 model types; ours is not, but code that
        # subscripts it at runtime (``AsyncRossumAPIClient[Annotation, ...]``) keeps working.
        return cls


#: The official alias: the client with the default models.
AsyncRossumAPIClientWithDefaultDeserializer = AsyncRossumAPIClient
