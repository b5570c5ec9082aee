"""Re-exports ``rossum_trio.models.hook`` under the official path."""

from rossum_trio.models import JsonDict
from rossum_trio.models.hook import (
    Hook,
    HookEventAndAction,
    HookExtensionSource,
    HookRunData,
    HookType,
)

__all__ = [
    "Hook",
    "HookEventAndAction",
    "HookExtensionSource",
    "HookRunData",
    "HookType",
    "JsonDict",
]
