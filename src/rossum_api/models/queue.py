"""Re-exports ``rossum_trio.models.queue`` under the official path."""

from rossum_trio.models.queue import Queue

__all__ = ["Queue"]
