"""Field validators of the resources (the constraints the reference states).

A validator returns the value to store or raises ValueError with a DRF-style message; the caller
turns that into 400 ``{"<field>": ["message"]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._http import encode_json

__all__ = [
    "HOOK_EVENTS",
    "MAX_METADATA_BYTES",
    "Validator",
    "hook_config",
    "hook_events",
    "integer",
    "metadata",
    "schema_content",
    "text",
]

Validator = Callable[[Any], Any]
"""Returns the value to store, or raises ValueError with the DRF message."""

MAX_METADATA_BYTES = 4096
"""The reference: "Total metadata size may be up to 4 kB per object"."""

HOOK_EVENTS: dict[str, tuple[str, ...]] = {
    "annotation_status": ("changed",),
    "annotation_content": (
        "initialize",
        "started",
        "user_update",
        "updated",
        "confirm",
        "export",
    ),
    "upload": ("created",),
    "email": ("received",),
    "invocation": ("scheduled", "manual", "interface"),
}
"""Hook events and their actions (the reference's "Webhook events"; ``invocation.interface`` as
the official client knows it). A whole event stands for all of its actions."""


def text(max_length: int, *, blank: bool = True, null: bool = False) -> Validator:
    """A string of at most ``max_length`` characters."""

    def check(value: Any) -> Any:
        if value is None:
            if null:
                return None
            raise ValueError("This field may not be null.")
        if not isinstance(value, str):
            raise ValueError("Not a valid string.")
        if not blank and not value.strip():
            raise ValueError("This field may not be blank.")
        if len(value) > max_length:
            raise ValueError(f"Ensure this field has no more than {max_length} characters.")
        return value

    return check


def metadata(value: Any) -> Any:
    """A JSON object of at most 4 kB."""
    if not isinstance(value, dict):
        raise ValueError("Value must be valid JSON object.")
    if len(encode_json(value)) > MAX_METADATA_BYTES:
        raise ValueError(f"Metadata may be up to {MAX_METADATA_BYTES} bytes per object.")
    return value


def integer(low: int, high: int, *, null: bool = True) -> Validator:
    """An integer in ``[low, high]`` (or null)."""

    def check(value: Any) -> Any:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("A valid integer is required.")
        if not low <= value <= high:
            raise ValueError(f"Ensure this value is between {low} and {high}.")
        return value

    return check


def hook_events(value: Any) -> Any:
    """A list of ``event.action`` names; a whole ``event`` is stored as all of its actions."""
    if not isinstance(value, list):
        raise ValueError(f'Expected a list of items but got type "{type(value).__name__}".')
    out: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f'"{item}" is not a valid choice.')
        event, dot, action = item.partition(".")
        actions = HOOK_EVENTS.get(event, ())
        if dot and action in actions:
            names = [item]
        elif not dot and actions:
            names = [f"{event}.{a}" for a in actions]
        else:
            raise ValueError(f'"{item}" is not a valid choice.')
        out += [n for n in names if n not in out]
    return out


def hook_config(value: Any) -> Any:
    """A hook ``config`` object; the documented numeric settings within their ranges."""
    if not isinstance(value, dict):
        raise ValueError("Value must be valid JSON object.")
    for key, low, high in (
        ("timeout_s", 0, 60),
        ("retry_count", 0, 4),
        ("max_polling_time_s", 1, 3600),
        ("memory_size_mb", 128, 256),
    ):
        if key in value:
            try:
                integer(low, high, null=False)(value[key])
            except ValueError as exc:
                raise ValueError(f"{key}: {exc}") from None
    return value


def schema_content(value: Any) -> Any:
    """A schema ``content``: a list of section objects; object ids up to 50 characters."""
    if not isinstance(value, list):
        raise ValueError(f'Expected a list of items but got type "{type(value).__name__}".')
    stack: list[Any] = list(value)
    for section in value:
        if not isinstance(section, dict):
            raise ValueError("Each schema section must be an object.")
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            raise ValueError("Each schema node must be an object.")
        sid = node.get("id")
        if sid is not None and (not isinstance(sid, str) or len(sid) > 50):
            raise ValueError("Schema object ids are strings of at most 50 characters.")
        children = node.get("children")
        if isinstance(children, dict):
            stack.append(children)
        elif isinstance(children, list):
            stack.extend(children)
        elif children is not None:
            raise ValueError("Schema node children must be an object or a list.")
    return value
