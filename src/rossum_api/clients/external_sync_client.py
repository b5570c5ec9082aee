"""Official import path of the synchronous client (re-exports ``rossum_trio``'s).

Resolved on first access: the sync client module is imported only when used.
"""

import importlib
from typing import Any

__all__ = ["SyncRossumAPIClient", "SyncRossumAPIClientWithDefaultDeserializer"]  # noqa: F822


def __getattr__(name: str) -> Any:
    if name in __all__:
        value = getattr(importlib.import_module("rossum_trio"), name, None)
        if value is None:
            value = getattr(importlib.import_module("rossum_trio._sync"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
