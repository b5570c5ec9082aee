"""Helpers shared by the model modules (not public)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


def known(enum: type[StrEnum], value: str) -> str:
    """Return the member of ``enum`` for ``value`` when it is a known value, else ``value`` as is.

    Open sets (statuses, types, events) are stored as ``str`` so that a value the API adds later
    never breaks decoding; known values become enum members, which are ``str`` too, so both
    ``task.status is TaskStatus.SUCCEEDED`` and ``task.status == "succeeded"`` hold.
    """
    member = enum._value2member_map_.get(value)
    return member if isinstance(member, str) else value


def known_list(enum: type[StrEnum], values: Iterable[str]) -> list[str]:
    """Apply :func:`known` to each value of a list."""
    return [known(enum, value) for value in values]
