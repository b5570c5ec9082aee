"""Re-exports ``rossum_trio.models.document`` under the official path."""

from rossum_trio.models.document import Document

__all__ = ["Document"]
