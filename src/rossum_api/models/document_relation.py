"""Re-exports ``rossum_trio.models.document_relation`` under the official path."""

from rossum_trio.models.document_relation import DocumentRelation, DocumentRelationType

__all__ = ["DocumentRelation", "DocumentRelationType"]
