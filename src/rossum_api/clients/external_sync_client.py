"""Official import path of the synchronous client (re-exports ``rossum_trio``'s)."""

from rossum_trio import SyncRossumAPIClient, SyncRossumAPIClientWithDefaultDeserializer

__all__ = ["SyncRossumAPIClient", "SyncRossumAPIClientWithDefaultDeserializer"]
