"""Re-exports ``rossum_trio.models.organization_limit`` under the official path."""

from rossum_trio.models.organization_limit import EmailLimits, OrganizationLimit

__all__ = ["EmailLimits", "OrganizationLimit"]
