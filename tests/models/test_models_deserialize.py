"""The resource table and both decode paths, for every Resource."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from rossum_trio._resources import Resource
from rossum_trio.models import (
    RESOURCE_TO_MODEL,
    decode_resource,
    decoder_for,
    deserialize_default,
)
from tests.support import BASE

#: A minimal valid payload for each resource (required fields, plus a few extras), by name;
#: its URLs are below ``BASE``.
SAMPLES: dict[Resource, dict[str, Any]] = {
    Resource[name]: payload
    for name, payload in json.loads(
        (Path(__file__).parent / "model_samples.json").read_text()
    ).items()
}

MODELLED = [r for r in Resource if r is not Resource.Auth]


def test_every_resource_but_auth_has_a_model_and_a_sample() -> None:
    assert set(RESOURCE_TO_MODEL) == set(MODELLED)
    assert set(SAMPLES) == set(MODELLED)


@pytest.mark.parametrize("resource", MODELLED, ids=lambda r: r.name)
def test_both_paths_for_every_resource(resource: Resource) -> None:
    model = RESOURCE_TO_MODEL[resource]
    payload = SAMPLES[resource]
    from_dict = deserialize_default(resource, payload)
    from_bytes = decode_resource(resource, json.dumps(payload).encode())
    assert type(from_dict) is model
    assert from_dict == from_bytes
    encoded = msgspec.json.encode(from_bytes)
    assert decoder_for(model).decode(encoded) == from_bytes
    assert deserialize_default(resource, json.loads(encoded)) == from_bytes


@pytest.mark.parametrize("resource", MODELLED, ids=lambda r: r.name)
def test_extra_keys_are_ignored_for_every_resource(resource: Resource) -> None:
    payload = {**SAMPLES[resource], "zz_new_field": [1, {"a": None}], "x": "y"}
    assert deserialize_default(resource, payload) == deserialize_default(
        resource, SAMPLES[resource]
    )


def test_auth_has_no_model() -> None:
    with pytest.raises(KeyError):
        deserialize_default(Resource.Auth, {})
    with pytest.raises(KeyError):
        decode_resource(Resource.Auth, b"{}")


def test_post_init_behaviours() -> None:
    template = deserialize_default(Resource.HookTemplate, SAMPLES[Resource.HookTemplate])
    assert template.id == 7
    odd = deserialize_default(Resource.HookTemplate, {"name": "t", "url": f"{BASE}/x/latest/"})
    assert odd.id is None
    explicit = deserialize_default(Resource.HookTemplate, {"name": "t", "url": "u/7", "id": 9})
    assert explicit.id == 9
    stats = deserialize_default(Resource.AutomationStats, SAMPLES[Resource.AutomationStats])
    counts = stats.document_automation_timeseries[0]
    assert (counts.automated_count, counts.touched_count) == (3, 2)
    assert type(counts.automated_count) is int
    target = deserialize_default(Resource.AutomationTarget, SAMPLES[Resource.AutomationTarget])
    assert target.type == "automation_assistant_v2"  # not in the official Literal


def test_deserialize_default_needs_the_wire_key_for_email() -> None:
    payload = {**SAMPLES[Resource.Email]}
    payload["from_"] = payload.pop("from")
    assert deserialize_default(Resource.Email, payload).from_ == {}  # like the official one
