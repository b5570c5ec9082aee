"""Official import path of ``Resource`` (the value is the resource's URL segment)."""

from rossum_trio import Resource

__all__ = ["Resource"]
