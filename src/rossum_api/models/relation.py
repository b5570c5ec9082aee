"""Re-exports ``rossum_trio.models.relation`` under the official path."""

from rossum_trio.models.relation import Relation, RelationType

__all__ = ["Relation", "RelationType"]
