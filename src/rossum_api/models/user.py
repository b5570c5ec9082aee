"""Re-exports ``rossum_trio.models.user`` under the official path."""

from rossum_trio.models.user import User

__all__ = ["User"]
