"""Re-exports ``rossum_trio.models.rules_execution_logs`` under the official path."""

from rossum_trio.models.rules_execution_logs import ExecutionResult, RulesExecutionLog

__all__ = ["ExecutionResult", "RulesExecutionLog"]
