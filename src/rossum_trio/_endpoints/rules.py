"""Rules (``/rules``) and their execution logs (``/rules_execution_logs``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rossum_trio._base import ClientBase
from rossum_trio._pagination import Listing
from rossum_trio.models import Rule, RulesExecutionLog
from rossum_trio.types import RuleOrdering, RulesExecutionLogOrdering


class RuleMethods(ClientBase):
    """Rules: ``/rules`` and ``/rules_execution_logs``."""

    def list_rules(self, ordering: Sequence[RuleOrdering] = (), **filters: Any) -> Listing[Rule]:
        """Iterate rules (``GET /rules``); filters such as ``schema``, ``organization``."""
        return self._list(Rule, ordering, **filters)

    async def retrieve_rule(self, rule_id: int) -> Rule:
        """One rule (``GET /rules/{id}``)."""
        return await self._retrieve(Rule, rule_id=rule_id)

    async def create_new_rule(self, data: dict[str, Any]) -> Rule:
        """Create a rule (``POST /rules``)."""
        return await self._create(Rule, data)

    async def update_part_rule(self, rule_id: int, data: dict[str, Any]) -> Rule:
        """Update some fields of a rule (``PATCH /rules/{id}``)."""
        return await self._update(Rule, data, rule_id=rule_id)

    async def delete_rule(self, rule_id: int) -> None:
        """Delete a rule (``DELETE /rules/{id}``)."""
        await self._delete(Rule, rule_id=rule_id)

    def list_rules_execution_logs(
        self, ordering: Sequence[RulesExecutionLogOrdering] = (), **filters: Any
    ) -> Listing[RulesExecutionLog]:
        """Iterate rule execution logs (``GET /rules_execution_logs``).

        Filters such as ``rule``, ``queue``, ``annotation``, ``execution_result``,
        ``created_at_after``.
        """
        return self._list(RulesExecutionLog, ordering, **filters)
