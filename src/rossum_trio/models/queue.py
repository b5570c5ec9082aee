"""Queues: where documents are uploaded, annotated and exported."""

from __future__ import annotations

from typing import Any

import msgspec


class Queue(msgspec.Struct):
    """A queue (``/queues/{id}``).

    ``modified_by``/``modified_at`` are documented API fields missing from the official model
    (added last, optional).
    """

    id: int
    name: str
    url: str
    workspace: str | None
    connector: str | None
    schema: str
    inbox: str | None
    counts: dict[str, int]
    session_timeout: str = "01:00:00"
    webhooks: list[str] = []
    hooks: list[str] = []
    users: list[str] = []
    rir_url: str | None = None
    rir_params: str | None = None
    automation_enabled: bool = False
    automation_level: str = "never"
    default_score_threshold: float = 0.8
    locale: str = "en_GB"
    metadata: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    dedicated_engine: str | dict[str, Any] | None = None
    generic_engine: str | dict[str, Any] | None = None
    use_confirmed_state: bool = False
    document_lifetime: str | None = None
    delete_after: str | None = None
    status: str | None = None
    engine: str | None = None
    training_enabled: bool = True
    # Documented by the API, absent from the official model.
    modified_by: str | None = None
    modified_at: str | None = None
