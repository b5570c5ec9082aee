"""Re-exports ``rossum_trio.models.task`` under the official path."""

from rossum_trio.models.task import Task, TaskStatus, TaskType

__all__ = ["Task", "TaskStatus", "TaskType"]
