"""Official import path ``rossum_api``: the clients and ``APIClientError`` of rossum-trio.

Code written for the official ``rossum-api`` package imports from here unchanged; every name
is the rossum-trio object itself (see ``docs/differences.md`` for what behaves differently).
"""

from rossum_api.clients.external_async_client import AsyncRossumAPIClient
from rossum_api.clients.external_sync_client import SyncRossumAPIClient
from rossum_api.exceptions import APIClientError

#: The version of the official package whose API this compatibility layer provides.
__version__ = "3.17.0"

__all__ = (
    "APIClientError",
    "AsyncRossumAPIClient",
    "SyncRossumAPIClient",
)
