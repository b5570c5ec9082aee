"""Rules execution logs: one entry per rule evaluated on an annotation."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

#: Known values of :attr:`RulesExecutionLog.execution_result` (the field accepts any string).
ExecutionResult = Literal["success", "failure", "partial_success"]


class RulesExecutionLog(msgspec.Struct):
    """A rules execution log entry (``/rules_execution_logs``)."""

    rule_id: int
    rule_name: str
    queue_id: int
    annotation_id: int
    request_id: str
    created_at: str
    trigger_event: str
    trigger_condition: str
    execution_result: str
    trigger_condition_results: list[bool] | None = None
    trigger_condition_values: list[dict[str, Any]] | None = None
    execution_error: str | None = None
    actions: list[list[dict[str, Any]] | None] | None = None
