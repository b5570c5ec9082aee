"""The public asynchronous client."""

from __future__ import annotations

from rossum_trio._methods_documents import DocumentMethods
from rossum_trio._methods_resources import (
    OrganizationMethods,
    QueueMethods,
    RelationMethods,
    WorkspaceMethods,
)


class AsyncRossumAPIClient(
    DocumentMethods,
    QueueMethods,
    WorkspaceMethods,
    OrganizationMethods,
    RelationMethods,
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


#: The official alias: the client with the default models.
AsyncRossumAPIClientWithDefaultDeserializer = AsyncRossumAPIClient
