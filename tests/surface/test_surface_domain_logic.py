"""``rossum_api.domain_logic.annotations``: the official helpers, with the official signatures
and behaviour, applying the same rules as the client."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

import rossum_trio
from rossum_api.domain_logic import annotations
from rossum_trio import AsyncRossumAPIClient
from rossum_trio.models import Annotation

P = inspect.Parameter

#: The official 3.17.0 signatures: (name, kind, default) per parameter.
OFFICIAL_SIGNATURES: dict[str, list[tuple[str, Any, Any]]] = {
    "validate_list_annotations_params": [
        ("sideloads", P.POSITIONAL_OR_KEYWORD, ()),
        ("content_schema_ids", P.POSITIONAL_OR_KEYWORD, ()),
    ],
    "validate_sideload_query_params": [
        ("sideloads", P.POSITIONAL_OR_KEYWORD, P.empty),
        ("sideload_query_params", P.POSITIONAL_OR_KEYWORD, P.empty),
    ],
    "get_http_method_for_annotation_export": [("filters", P.VAR_KEYWORD, P.empty)],
    "is_annotation_imported": [("annotation", P.POSITIONAL_OR_KEYWORD, P.empty)],
}


@pytest.mark.parametrize("name", sorted(OFFICIAL_SIGNATURES))
def test_official_signature_and_docstring(name: str) -> None:
    helper = getattr(annotations, name)
    params = inspect.signature(helper).parameters.values()
    assert [(p.name, p.kind, p.default) for p in params] == OFFICIAL_SIGNATURES[name]
    assert helper.__name__ == name
    assert inspect.getdoc(helper)
    assert name in annotations.__all__
    # Defined in rossum_trio; rossum_api only re-exports it.
    assert helper.__module__.startswith("rossum_trio.")


def test_validate_list_annotations_params() -> None:
    validate = annotations.validate_list_annotations_params
    validate()
    validate(["documents", "modifiers"])
    validate(["content"], ["amount_total"])
    with pytest.raises(ValueError, match='"content_schema_ids" must be provided') as info:
        validate(["documents", "content"])
    assert str(info.value) == (
        'When content sideloading is requested, "content_schema_ids" must be provided'
    )
    with pytest.raises(ValueError, match="content_schema_ids"):
        validate(sideloads=["content"], content_schema_ids=[])


def test_validate_sideload_query_params() -> None:
    validate = annotations.validate_sideload_query_params
    validate([], None)
    validate(["content"], {})
    validate(["content", "documents"], {"content": {"schema_id": "amount_total"}})
    with pytest.raises(ValueError, match="not requested.*modifiers"):
        validate(["content"], {"content": {}, "modifiers": {}})
    with pytest.raises(ValueError, match="not requested"):
        validate([], {"documents": {}})


def test_get_http_method_for_annotation_export() -> None:
    method = annotations.get_http_method_for_annotation_export
    assert method() == "GET"
    assert method(status="confirmed", format="json") == "GET"
    assert method(to_status="exported") == "POST"
    assert method(to_status=None) == "POST"  # the key decides, as officially


@dataclass
class WithStatus:
    status: str


@pytest.mark.parametrize(
    ("status", "imported"),
    [
        ("importing", False),
        ("created", False),
        ("to_review", True),
        ("reviewing", True),
        ("exported", True),
        ("failed_import", True),  # finished, if badly (as officially)
        ("a_status_added_later", True),
    ],
)
def test_is_annotation_imported(status: str, imported: bool) -> None:
    assert annotations.is_annotation_imported(WithStatus(status)) is imported
    annotation = msgspec.convert(
        {"url": "u", "status": status, "schema": "s", "modifier": None, "content": []}, Annotation
    )
    assert annotations.is_annotation_imported(annotation) is imported


# -- the same rules as the client --------------------------------------------------------------


async def test_the_client_applies_the_same_rules(
    wire: Any, wire_client: Callable[..., AsyncRossumAPIClient]
) -> None:
    async with wire_client() as client:
        with pytest.raises(ValueError) as from_helper:
            annotations.validate_list_annotations_params(["content"])
        with pytest.raises(ValueError) as from_listing:
            client.list_annotations(sideloads=["content"])
        with pytest.raises(ValueError) as from_search:
            client.search_for_annotations({"$and": []}, sideloads=["content"])
        assert str(from_helper.value) == str(from_listing.value) == str(from_search.value)

        with pytest.raises(ValueError) as from_helper:
            annotations.validate_sideload_query_params(["content"], {"documents": {}})
        with pytest.raises(ValueError) as from_retrieve:
            await client.retrieve_annotation(
                1, ["content"], sideload_query_params={"documents": {}}
            )
        assert str(from_helper.value) == str(from_retrieve.value)

        wire.on("POST", "queues/7/export", content=b"")
        wire.on("GET", "queues/7/export", content=b"")
        for filters in ({"status": "confirmed"}, {"to_status": "exported"}):
            await client.export_annotations_to_file(7, "csv", **filters).read_all()
            sent = wire.requests.pop()
            assert sent.method == annotations.get_http_method_for_annotation_export(**filters)
    assert wire.requests == []  # the argument checks sent nothing


def test_helpers_are_reexported_not_redefined() -> None:
    from rossum_trio import _annotation_rules

    for name in OFFICIAL_SIGNATURES:
        assert getattr(annotations, name) is getattr(_annotation_rules, name)
    from rossum_api.utils import ObjectWithStatus

    assert ObjectWithStatus is rossum_trio.types.ObjectWithStatus
