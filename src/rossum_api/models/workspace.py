"""Re-exports ``rossum_trio.models.workspace`` under the official path."""

from rossum_trio.models.workspace import Workspace

__all__ = ["Workspace"]
