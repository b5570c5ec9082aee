"""Groups: user roles (``admin``, ``annotator``, ...)."""

from __future__ import annotations

import msgspec


class Group(msgspec.Struct):
    """A user role (``/groups/{id}``)."""

    id: int
    name: str
    url: str
