"""Official import path ``rossum_api.utils``: ``to_singular`` and ``ObjectWithStatus``.

``enforce_domain`` is not provided: URL joining happens inside the client (and, unlike the
official helper, never produces ``//``).
"""

from rossum_trio._base import _singular as to_singular
from rossum_trio.types import ObjectWithStatus

__all__ = ["ObjectWithStatus", "to_singular"]
