"""Re-exports ``rossum_trio.models.group`` under the official path."""

from rossum_trio.models.group import Group

__all__ = ["Group"]
