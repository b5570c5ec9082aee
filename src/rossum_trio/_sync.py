"""The blocking client: :class:`SyncRossumAPIClient`, every call one ``trio.run``.

The methods are generated from :class:`~rossum_trio.AsyncRossumAPIClient` into
``_sync_generated.py`` by the development script ``tools/gen_sync.py`` (not shipped); the
machinery is in ``_sync_base.py``. Nothing here reimplements a request.
"""

from __future__ import annotations

from typing import Any

from rossum_trio._endpoints.organizations import warn_my_organization_deprecated
from rossum_trio._sync_base import SyncByteStream
from rossum_trio._sync_generated import SyncDelegates
from rossum_trio.errors import WaitTimeoutError
from rossum_trio.models import Organization

__all__ = [
    "SyncByteStream",
    "SyncRossumAPIClient",
    "SyncRossumAPIClientWithDefaultDeserializer",
    "WaitTimeoutError",
]


class SyncRossumAPIClient(SyncDelegates):
    """A blocking client for the Rossum API (the methods of the official ``SyncRossumAPIClient``).

    Each call runs the matching :class:`~rossum_trio.AsyncRossumAPIClient` coroutine in one
    :func:`trio.run`, so it has the same behaviour: one in-flight cap, single-flight login,
    safe retries, a finite default timeout. The constructor takes the async client's
    parameters, including ``max_in_flight_requests``, ``retry_backoff_factor``,
    ``retry_max_jitter``, ``rate_limit_per_second`` and ``transport=`` (an *async* httpx
    transport).

    * One connection pool per client: keep-alive connections (TCP and TLS) are reused from one
      call to the next.
    * ``list_*``, ``search_for_annotations``, ``export_annotations_to_json`` and
      ``request_(cursor_)paginated`` return ordinary iterators that fetch a window of pages
      concurrently per ``trio.run``; breaking out early leaves nothing running.
      ``request_paginated`` keeps the official *sync* positional order.
    * ``export_annotations_to_file`` returns a :class:`SyncByteStream`.
    * Waiting helpers (``poll_*``, ``*_until_*``, ``upload_and_wait_until_imported``) take
      ``timeout=`` seconds and then raise :class:`WaitTimeoutError` (a :class:`TimeoutError`).
    * Ctrl-C interrupts a call cleanly (``KeyboardInterrupt`` propagates); the client stays
      usable.
    * ``with SyncRossumAPIClient(...) as client:`` or :meth:`close`; a closed client raises
      :class:`~rossum_trio.errors.ClientClosedError`.

    It cannot be used inside a running trio program (use the async client there). Calls from
    several threads are serialised, one ``trio.run`` at a time per client.

    >>> with SyncRossumAPIClient(
    ...     "https://acme.rossum.app/api/v1", Token("...")
    ... ) as client:  # doctest: +SKIP
    ...     for queue in client.list_queues():
    ...         print(queue.name)
    """

    #: Raised by the waiting helpers when their ``timeout=`` runs out.
    WaitTimeoutError = WaitTimeoutError

    def __class_getitem__(cls, params: Any) -> type[SyncRossumAPIClient]:
        # The official client is Generic over 24 model types; subscripting ours keeps working.
        return cls

    def retrieve_my_organization(self) -> Organization:
        """Deprecated alias of :meth:`retrieve_own_organization` (the official sync client's).

        Warns (:class:`DeprecationWarning`) at the caller's line, then runs
        ``retrieve_own_organization`` in one ``trio.run``.
        """
        warn_my_organization_deprecated(stacklevel=2)
        return self.retrieve_own_organization()


#: The official alias: the client with the default models.
SyncRossumAPIClientWithDefaultDeserializer = SyncRossumAPIClient
