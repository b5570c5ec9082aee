"""Re-exports ``rossum_trio.models.email`` under the official path."""

from rossum_trio.models.email import Email, EmailLabel, EmailType

__all__ = ["Email", "EmailLabel", "EmailType"]
