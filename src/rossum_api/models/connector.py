"""Re-exports ``rossum_trio.models.connector`` under the official path."""

from rossum_trio.models.connector import Connector

__all__ = ["Connector"]
