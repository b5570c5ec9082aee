"""Every official import path and name of ``rossum_api`` 3.17.0 resolves, to rossum-trio's objects.

``data/upstream_names.json`` lists, per official module, the public names defined there (taken
from the 3.17.0 wheel). Left out on purpose: ``rossum_api.models.DACITE_CONFIG`` (we do not use
dacite), ``rossum_api.utils.enforce_domain``, the internal clients and the ``domain_logic``
modules that only serve them (``documents``, ``emails``, ``pagination``, ``retry``, ...; see
docs/differences.md).
"""

from __future__ import annotations

import importlib
import json
import pathlib
import typing
from typing import Any

import pytest

import rossum_trio
import rossum_trio.errors
import rossum_trio.models

NAMES: dict[str, list[str]] = json.loads(
    (pathlib.Path(__file__).parent / "data" / "upstream_names.json").read_text()
)

CASES = [(module, name) for module, names in sorted(NAMES.items()) for name in names]


@pytest.mark.parametrize(("module", "name"), CASES, ids=[f"{m}:{n}" for m, n in CASES])
def test_official_name_resolves(module: str, name: str) -> None:
    imported = importlib.import_module(module)
    assert getattr(imported, name) is not None


def test_top_level() -> None:
    import rossum_api

    assert rossum_api.__version__ == "3.17.0"
    assert rossum_api.__all__ == ("APIClientError", "AsyncRossumAPIClient", "SyncRossumAPIClient")
    assert rossum_api.AsyncRossumAPIClient is rossum_trio.AsyncRossumAPIClient
    assert rossum_api.APIClientError is rossum_trio.APIClientError
    assert rossum_api.SyncRossumAPIClient is rossum_trio.SyncRossumAPIClient


def test_sync_client_module() -> None:
    from rossum_api.clients import external_sync_client

    assert external_sync_client.SyncRossumAPIClient is rossum_trio.SyncRossumAPIClient
    assert (
        external_sync_client.SyncRossumAPIClientWithDefaultDeserializer
        is rossum_trio.SyncRossumAPIClient
    )


def test_compat_modules_re_export_the_same_objects() -> None:
    from rossum_api.clients import external_async_client, types
    from rossum_api.domain_logic import annotations, resources
    from rossum_api.dtos import Token, UserCredentials
    from rossum_api.exceptions import APIClientError, NotFoundError
    from rossum_api.models.relation import RelationType

    assert external_async_client.AsyncRossumAPIClient is rossum_trio.AsyncRossumAPIClient
    assert (
        external_async_client.AsyncRossumAPIClientWithDefaultDeserializer
        is rossum_trio.AsyncRossumAPIClient
    )
    assert Token is rossum_trio.Token and UserCredentials is rossum_trio.UserCredentials
    assert APIClientError is rossum_trio.errors.APIClientError
    assert NotFoundError is rossum_trio.errors.NotFoundError
    assert resources.Resource is rossum_trio.Resource
    assert annotations.ExportFileFormats is rossum_trio.ExportFileFormats
    assert RelationType is rossum_trio.models.RelationType
    assert typing.get_args(types.QueueOrdering)[:2] == ("id", "name")


def test_type_vars_exist_with_official_bounds() -> None:
    from rossum_api import types
    from rossum_api.utils import ObjectWithStatus

    type_vars = [
        n for n in NAMES["rossum_api.types"] if n.endswith("Type") and n != "RossumApiType"
    ]
    assert len(type_vars) == 24
    for name in type_vars:
        value: Any = getattr(types, name)
        assert isinstance(value, typing.TypeVar), name
        bound = ObjectWithStatus if name in {"AnnotationType", "TaskType"} else None
        assert value.__bound__ is bound, name
    assert typing.get_args(types.Sideload) == (
        "content",
        "automation_blockers",
        "documents",
        "modifiers",
        "queues",
    )


def test_utils_and_domain_logic_helpers() -> None:
    from rossum_api.domain_logic.annotations import build_export_query_params
    from rossum_api.domain_logic.urls import (
        EMAIL_IMPORT_URL,
        parse_annotation_id_from_datapoint_url,
        parse_resource_id_from_url,
    )
    from rossum_api.utils import to_singular

    assert [to_singular(w) for w in ("documents", "content", "queues")] == [
        "document",
        "content",
        "queue",
    ]
    assert EMAIL_IMPORT_URL == "emails/import"
    assert parse_resource_id_from_url("https://x/api/v1/annotations/5/content") == 5
    assert parse_annotation_id_from_datapoint_url("https://x/api/v1/annotations/5/content/9") == 5
    assert build_export_query_params("csv", ["a", "b"], status="exported") == {
        "format": "csv",
        "status": "exported",
        "columns": "a,b",
    }
