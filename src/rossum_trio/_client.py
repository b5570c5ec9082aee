"""The public asynchronous client."""

from __future__ import annotations

from typing import Any

from rossum_trio._endpoints.annotations import AnnotationMethods
from rossum_trio._endpoints.bulk import BulkMethods
from rossum_trio._endpoints.connectors import ConnectorMethods
from rossum_trio._endpoints.documents import DocumentMethods
from rossum_trio._endpoints.emails import EmailMethods
from rossum_trio._endpoints.engines import EngineMethods
from rossum_trio._endpoints.exports import ExportMethods
from rossum_trio._endpoints.generic import GenericMethods
from rossum_trio._endpoints.hooks import HookMethods
from rossum_trio._endpoints.inboxes import InboxMethods
from rossum_trio._endpoints.organizations import OrganizationGroupMethods, OrganizationMethods
from rossum_trio._endpoints.queues import AutomationMethods, QueueMethods
from rossum_trio._endpoints.relations import DocumentRelationMethods, RelationMethods
from rossum_trio._endpoints.rules import RuleMethods
from rossum_trio._endpoints.schemas import SchemaMethods
from rossum_trio._endpoints.uploads import UploadMethods
from rossum_trio._endpoints.users import UserMethods
from rossum_trio._endpoints.workspaces import WorkspaceMethods


# Every part of the client: one mixin per API resource, each in the _endpoints module named for
# it (a comment says where one holds more, or lives elsewhere). All derive from ClientBase
# (_base.py: construction, decoding, request helpers). A mixin that calls another's methods
# derives from it (bulk -> uploads -> annotations), so it comes first here.
class AsyncRossumAPIClient(
    BulkMethods,
    UploadMethods,  # and tasks
    AnnotationMethods,
    DocumentMethods,
    ExportMethods,
    QueueMethods,
    AutomationMethods,  # queue automation, in queues.py
    WorkspaceMethods,
    OrganizationMethods,  # and their limits
    OrganizationGroupMethods,  # in organizations.py
    SchemaMethods,
    UserMethods,  # and user roles, passwords
    RelationMethods,
    DocumentRelationMethods,  # in relations.py
    HookMethods,  # and hook run logs, hook templates
    RuleMethods,  # and rule execution logs
    EngineMethods,  # and engine fields
    InboxMethods,
    EmailMethods,  # and email templates
    ConnectorMethods,
    GenericMethods,  # request*, get_token, authenticate
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
