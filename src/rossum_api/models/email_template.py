"""Re-exports ``rossum_trio.models.email_template`` under the official path."""

from rossum_trio.models.email_template import EmailTemplate

__all__ = ["EmailTemplate"]
