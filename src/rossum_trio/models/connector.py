"""Connectors: external services validating and exporting a queue's annotations."""

from __future__ import annotations

from typing import Any

import msgspec


class Connector(msgspec.Struct):
    """A connector (``/connectors/{id}``).

    ``modified_by``/``modified_at`` are documented API fields missing from the official model
    (added last, optional).
    """

    id: int
    name: str
    url: str
    service_url: str
    params: str | None
    client_ssl_certificate: str | None
    authorization_token: str | None
    client_ssl_key: str | None = None
    queues: list[str] = []
    authorization_type: str = "secret_key"
    asynchronous: bool = True
    metadata: dict[str, Any] = {}
    # Documented by the API, absent from the official model.
    modified_by: str | None = None
    modified_at: str | None = None
