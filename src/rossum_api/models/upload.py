"""Re-exports ``rossum_trio.models.upload`` under the official path."""

from rossum_trio.models.upload import Upload

__all__ = ["Upload"]
