"""Automation blockers: why an annotation was not processed automatically."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

#: Known values of :attr:`AutomationBlockerContent.type` (the field itself accepts any string).
AutomationBlockerTypes = Literal[
    "automation_disabled",
    "is_duplicate",
    "suggested_edit_present",
    "low_score",
    "failed_checks",
    "no_validation_sources",
    "error_message",
    "delete_recommendation_filename",
    "delete_recommendation_page_count",
    "delete_recommendation_field",
    "extension",
]


class AutomationBlockerContent(msgspec.Struct):
    """One reason blocking automation, at annotation or datapoint ``level``.

    ``type`` is a plain ``str``: see :data:`AutomationBlockerTypes` for the known values.
    """

    level: str
    type: str
    schema_id: str | None = None
    samples_truncated: bool | None = False
    samples: list[dict[str, Any]] = []
    details: dict[str, Any] = {}


class AutomationBlocker(msgspec.Struct):
    """An automation blocker (``/automation_blockers/{id}``) of one annotation."""

    id: int
    url: str
    annotation: str
    content: list[AutomationBlockerContent] = []
