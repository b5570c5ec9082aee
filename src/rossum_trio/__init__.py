"""rossum-trio: a trio-native client for the Rossum document-processing API.

>>> import trio
>>> from rossum_trio import AsyncRossumAPIClient, Token
"""

from rossum_trio._bulk import BulkUpload as BulkUpload
from rossum_trio._bulk import BulkUploadResult as BulkUploadResult
from rossum_trio._bulk import FileStatus as FileStatus
from rossum_trio._client import (
    AsyncRossumAPIClient as AsyncRossumAPIClient,
)
from rossum_trio._client import (
    AsyncRossumAPIClientWithDefaultDeserializer as AsyncRossumAPIClientWithDefaultDeserializer,
)
from rossum_trio._endpoints.exports import ExportFileFormats as ExportFileFormats
from rossum_trio._pagination import Listing as Listing
from rossum_trio._params import parse_resource_id_from_url as parse_resource_id_from_url
from rossum_trio._prefetch import prefetch as prefetch
from rossum_trio._resources import Resource as Resource
from rossum_trio._stats import RequestStats as RequestStats
from rossum_trio._streams import ByteStream as ByteStream
from rossum_trio._sync import SyncRossumAPIClient as SyncRossumAPIClient
from rossum_trio._sync import (
    SyncRossumAPIClientWithDefaultDeserializer as SyncRossumAPIClientWithDefaultDeserializer,
)
from rossum_trio.dtos import Token as Token
from rossum_trio.dtos import UserCredentials as UserCredentials
from rossum_trio.errors import (
    APIClientError as APIClientError,
)
from rossum_trio.errors import (
    APIConnectionError as APIConnectionError,
)
from rossum_trio.errors import (
    APITimeoutError as APITimeoutError,
)
from rossum_trio.errors import (
    RossumError as RossumError,
)

__version__ = "0.1.0"

__all__ = [
    "APIClientError",
    "APIConnectionError",
    "APITimeoutError",
    "AsyncRossumAPIClient",
    "AsyncRossumAPIClientWithDefaultDeserializer",
    "BulkUpload",
    "BulkUploadResult",
    "ByteStream",
    "ExportFileFormats",
    "FileStatus",
    "Listing",
    "RequestStats",
    "Resource",
    "RossumError",
    "SyncRossumAPIClient",
    "SyncRossumAPIClientWithDefaultDeserializer",
    "Token",
    "UserCredentials",
    "parse_resource_id_from_url",
    "prefetch",
]
