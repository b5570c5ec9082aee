"""Re-exports ``rossum_trio.models.inbox`` under the official path."""

from rossum_trio.models.inbox import Inbox

__all__ = ["Inbox"]
