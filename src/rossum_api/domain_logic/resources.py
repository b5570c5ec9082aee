"""Official import path of ``Resource`` (the value is the resource's URL segment)."""

from rossum_trio._resources import NON_PAGINATED_RESOURCES, Resource

__all__ = ["NON_PAGINATED_RESOURCES", "Resource"]
