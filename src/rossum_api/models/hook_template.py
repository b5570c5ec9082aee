"""Re-exports ``rossum_trio.models.hook_template`` under the official path."""

from rossum_trio.models import JsonDict
from rossum_trio.models.hook import HookEventAndAction, HookExtensionSource, HookType
from rossum_trio.models.hook_template import HookTemplate, InstallAction

__all__ = [
    "HookEventAndAction",
    "HookExtensionSource",
    "HookTemplate",
    "HookType",
    "InstallAction",
    "JsonDict",
]
