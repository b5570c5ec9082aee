"""Official import path ``rossum_api.utils``: ``to_singular`` and ``ObjectWithStatus``.

``enforce_domain`` is not provided: URL joining happens inside the client (and, unlike the
official helper, never produces ``//``).
"""

from typing import Any, Protocol

from rossum_trio._base import _singular as to_singular


class ObjectWithStatus(Protocol):
    """Anything with a ``status`` (the bound of ``AnnotationType`` and ``TaskType``)."""

    status: Any


__all__ = ["ObjectWithStatus", "to_singular"]
