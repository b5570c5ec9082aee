"""Hook templates: store extensions a hook can be created from."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from rossum_trio.models._common import known_list
from rossum_trio.models.hook import HookEventAndAction, HookExtensionSource, HookType

__all__ = [
    "HookEventAndAction",
    "HookExtensionSource",
    "HookTemplate",
    "HookType",
    "InstallAction",
]

#: Known values of :attr:`HookTemplate.install_action` (the field accepts any string).
InstallAction = Literal["copy", "request_access"]


class HookTemplate(msgspec.Struct):
    """A hook template (``/hook_templates/{id}``).

    The API omits ``id``; when absent it is derived from the trailing number of ``url``.
    """

    name: str
    url: str
    id: int | None = None
    type: str = "webhook"
    events: list[str] = []
    sideload: list[str] = []
    metadata: dict[str, Any] = {}
    config: dict[str, Any] = {}
    test: dict[str, Any] = {}
    description: str | None = None
    extension_source: str = "rossum_store"
    settings: dict[str, Any] = {}
    settings_schema: dict[str, Any] | None = None
    secrets_schema: dict[str, Any] | None = None
    guide: str | None = None
    read_more_url: str | None = None
    extension_image_url: str | None = None
    settings_description: list[dict[str, Any]] = []
    store_description: str | None = None
    external_url: str | None = None
    use_token_owner: bool = False
    install_action: str = "copy"
    token_lifetime_s: int | None = None
    order: int = 0

    def __post_init__(self) -> None:
        self.events = known_list(HookEventAndAction, self.events)
        if self.id is None:
            tail = self.url.rstrip("/").rpartition("/")[2]
            # A URL not ending in a number leaves ``id`` unset rather than failing to decode.
            if tail.isascii() and tail.isdigit():
                self.id = int(tail)
