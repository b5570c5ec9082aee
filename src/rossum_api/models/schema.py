"""Re-exports ``rossum_trio.models.schema`` under the official path."""

from rossum_trio.models.schema import (
    Datapoint,
    DateFormat,
    Matching,
    MatchingConfiguration,
    MatchingQuery,
    MatchingVariable,
    Multivalue,
    Node,
    NumberFormat,
    ParentType,
    Schema,
    Section,
    Tuple,
    ValueSource,
)

__all__ = [
    "Datapoint",
    "DateFormat",
    "Matching",
    "MatchingConfiguration",
    "MatchingQuery",
    "MatchingVariable",
    "Multivalue",
    "Node",
    "NumberFormat",
    "ParentType",
    "Schema",
    "Section",
    "Tuple",
    "ValueSource",
]
