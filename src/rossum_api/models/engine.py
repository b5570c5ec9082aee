"""Re-exports ``rossum_trio.models.engine`` under the official path."""

from rossum_trio.models.engine import Engine, EngineField, EngineFieldType, MultilineType

__all__ = ["Engine", "EngineField", "EngineFieldType", "MultilineType"]
