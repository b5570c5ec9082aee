"""Re-exports ``rossum_trio.models.organization_group`` under the official path."""

from rossum_trio.models import JsonDict
from rossum_trio.models.organization_group import OrganizationGroup

__all__ = ["JsonDict", "OrganizationGroup"]
