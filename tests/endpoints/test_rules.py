"""Rules and rule execution logs (``_endpoints/rules.py``) on the wire."""

from __future__ import annotations

from rossum_trio import Resource
from tests.support.crud import create_tests, delete_tests, list_tests, retrieve_tests, update_tests

# plain retrieve/create/update/delete/list: the tables of tests/support/crud.py
test_retrieve = retrieve_tests(("retrieve_rule", Resource.Rule, "rules/7"))
test_create = create_tests(("create_new_rule", Resource.Rule, "rules"))
test_update = update_tests(("update_part_rule", "PATCH", Resource.Rule, "rules/7"))
test_delete = delete_tests(("delete_rule", "rules/7"))
test_list, test_list_defaults = list_tests(
    ("list_rules", Resource.Rule, "rules", ["organization"], {"schema": "3"}),
    (
        "list_rules_execution_logs",
        Resource.RulesExecutionLog,
        "rules_execution_logs",
        ["-created_at"],
        {"rule": "3"},
    ),
)
