"""Official import path of the ordering ``Literal`` aliases (hints only, not validated)."""

from rossum_trio.types import (
    AnnotationOrdering,
    ConnectorOrdering,
    DocumentRelationOrdering,
    EmailTemplateOrdering,
    HookOrdering,
    OrganizationGroupOrdering,
    OrganizationOrdering,
    QueueOrdering,
    RelationOrdering,
    RuleOrdering,
    RulesExecutionLogOrdering,
    SchemaOrdering,
    UserOrdering,
    UserRoleOrdering,
    WorkspaceOrdering,
)

__all__ = [
    "AnnotationOrdering",
    "ConnectorOrdering",
    "DocumentRelationOrdering",
    "EmailTemplateOrdering",
    "HookOrdering",
    "OrganizationGroupOrdering",
    "OrganizationOrdering",
    "QueueOrdering",
    "RelationOrdering",
    "RuleOrdering",
    "RulesExecutionLogOrdering",
    "SchemaOrdering",
    "UserOrdering",
    "UserRoleOrdering",
    "WorkspaceOrdering",
]
