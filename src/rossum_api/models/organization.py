"""Re-exports ``rossum_trio.models.organization`` under the official path."""

from rossum_trio.models.organization import Organization

__all__ = ["Organization"]
