"""Queue automation insights, projections and targets (``/queues/{id}/automation/...``)."""

from __future__ import annotations

from typing import Literal

import msgspec

#: Known values of :attr:`AutomationTarget.type` (the field accepts any string).
AutomationTargetType = Literal["legacy_thresholds", "automation_assistant_v1"]
#: Blockers that may be excluded when setting up automation.
AutomationSetupExcludeBlocker = Literal["error_message", "extension"]
#: Known values of :attr:`DocumentBlocker.granularity` (the field accepts any string).
DocumentBlockerGranularity = Literal["annotation", "datapoint"]


class DailyEstimatedErrorRate(msgspec.Struct):
    """Estimated error rate of one day."""

    date: str
    error_rate_estimate: float
    is_quality_estimate: bool
    window_document_count: int


class DocumentAutomationTimeSeriesData(msgspec.Struct):
    """Document counts of one day; the counts are cast to ``int`` (the API may send floats)."""

    date: str
    automated_count: int | float
    non_automated_count: int | float
    touched_count: int | float
    touchless_count: int | float

    def __post_init__(self) -> None:
        self.automated_count = int(self.automated_count)
        self.non_automated_count = int(self.non_automated_count)
        self.touched_count = int(self.touched_count)
        self.touchless_count = int(self.touchless_count)


class DocumentBlocker(msgspec.Struct):
    """How many documents one blocker stopped from being automated."""

    blocker: str
    document_count: int
    granularity: str
    example_annotation_ids: list[int] = []


class DatapointStatistics(msgspec.Struct):
    """Automation statistics of one schema field."""

    schema_id: str
    is_quality_estimate: bool
    blocked_document_counts: dict[str, int] = {}
    estimated_error_rate: float | None = None
    confidence_threshold: float | None = None
    blockers: list[DocumentBlocker] = []


class AutomationStats(msgspec.Struct):
    """Automation insights of a queue (``/queues/{id}/automation/insights``)."""

    document_automation_rate: float
    document_touchless_rate: float | None = None
    document_automation_timeseries: list[DocumentAutomationTimeSeriesData] = []
    datapoint_statistics: list[DatapointStatistics] = []
    document_blockers: list[DocumentBlocker] = []
    estimated_error_rate_timeseries: list[DailyEstimatedErrorRate] | None = None
    estimated_error_rate: float | None = None
    is_aurora_queue: bool | None = None


class AutomationProjections(msgspec.Struct):
    """Projected automation of a queue (``/queues/{id}/automation/projections``)."""

    baseline: AutomationStats
    total_document_count: int
    used_document_count: int
    projections: list[AutomationStats] = []


class FieldErrorRateLimit(msgspec.Struct):
    """Maximum error rate accepted for one schema field."""

    schema_id: str
    error_rate_limit: float


class DatapointAutomationTarget(msgspec.Struct):
    """Automation target of one schema field."""

    schema_id: str
    error_rate_target: float
    confidence_threshold: float
    error_rate_limit: float | None = None


class AutomationTarget(msgspec.Struct):
    """An automation target of a queue (``/queues/{id}/automation/targets``)."""

    automation_rate_target: float
    error_rate_target: float
    type: str
    datapoint_automation_targets: list[DatapointAutomationTarget] = []
    datetime: str | None = None
