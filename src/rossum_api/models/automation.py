"""Re-exports ``rossum_trio.models.automation`` under the official path."""

from rossum_trio.models.automation import (
    AutomationProjections,
    AutomationSetupExcludeBlocker,
    AutomationStats,
    AutomationTarget,
    AutomationTargetType,
    DailyEstimatedErrorRate,
    DatapointAutomationTarget,
    DatapointStatistics,
    DocumentAutomationTimeSeriesData,
    DocumentBlocker,
    DocumentBlockerGranularity,
    FieldErrorRateLimit,
)

__all__ = [
    "AutomationProjections",
    "AutomationSetupExcludeBlocker",
    "AutomationStats",
    "AutomationTarget",
    "AutomationTargetType",
    "DailyEstimatedErrorRate",
    "DatapointAutomationTarget",
    "DatapointStatistics",
    "DocumentAutomationTimeSeriesData",
    "DocumentBlocker",
    "DocumentBlockerGranularity",
    "FieldErrorRateLimit",
]
