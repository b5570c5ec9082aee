"""Re-exports ``rossum_trio.models.automation_blocker`` under the official path."""

from rossum_trio.models.automation_blocker import (
    AutomationBlocker,
    AutomationBlockerContent,
    AutomationBlockerTypes,
)

__all__ = ["AutomationBlocker", "AutomationBlockerContent", "AutomationBlockerTypes"]
