"""Schema trees: tagged-union decoding, tolerance, parents, traversal and lookups."""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec
import pytest

from rossum_trio._resources import Resource
from rossum_trio.models import decode_resource, decoder_for, deserialize_default
from rossum_trio.models.schema import (
    Datapoint,
    Matching,
    MatchingConfiguration,
    Multivalue,
    Node,
    Schema,
    Section,
    Tuple,
    ValueSource,
)
from tests.support import BASE

SCHEMA: dict[str, Any] = {
    "id": 31336,
    "name": "Basic Schema",
    "queues": [f"{BASE}/queues/8199"],
    "url": f"{BASE}/schemas/31336",
    "metadata": {},
    "modified_by": f"{BASE}/users/1",
    "modified_at": "2021-01-01T00:00:00.000000Z",
    "content": [
        {
            "category": "section",
            "id": "invoice_details_section",
            "label": "Invoice details",
            "icon": None,
            "children": [
                {
                    "category": "datapoint",
                    "id": "document_id",
                    "label": "Invoice number",
                    "type": "string",
                    "rir_field_names": ["document_id"],
                    "constraints": {"required": False},
                    "default_value": None,
                },
                {"category": "datapoint", "id": "email_button", "type": "button"},
                {
                    "category": "datapoint",
                    "id": "amount_total",
                    "type": "number",
                    "format": "# ##0.#",
                    "ui_configuration": {"type": "formula", "edit": "disabled"},
                    "formula": "field.amount_base + field.amount_tax",
                },
                {
                    "category": "datapoint",
                    "id": "summary",
                    "type": "string",
                    "ui_configuration": {"type": "reasoning"},
                    "prompt": "Summarise",
                    "context": ["field.document_id"],
                },
                {
                    "category": "datapoint",
                    "id": "vendor_id",
                    "type": "enum",
                    "options": [{"value": "1", "label": "ACME"}],
                    "matching": {
                        "type": "master_data_hub",
                        "configuration": {
                            "dataset": "vendors",
                            "queries": [{"//": "by name", "aggregate": [{"$match": {}}]}],
                            "variables": {"name": {"__formula": "field.sender_name"}},
                        },
                    },
                },
            ],
        },
        {
            "category": "section",
            "id": "line_items_section",
            "label": "Line items",
            "children": [
                {
                    "category": "multivalue",
                    "id": "line_items",
                    "label": "Line items",
                    "min_occurrences": None,
                    "max_occurrences": None,
                    "rir_field_names": ["line_items"],
                    "grid": {"row_types": ["data"]},
                    "children": {
                        "category": "tuple",
                        "id": "line_item",
                        "label": "Line item",
                        "children": [
                            {"category": "datapoint", "id": "item_amount", "type": "number"},
                            {"category": "datapoint", "id": "item_code", "type": "string"},
                        ],
                    },
                },
                {
                    "category": "multivalue",
                    "id": "po_numbers",
                    "children": {"category": "datapoint", "id": "po_number", "type": "string"},
                },
            ],
        },
    ],
}


def _bytes(payload: Any) -> bytes:
    return json.dumps(payload).encode()


@pytest.fixture(params=["bytes", "dict", "from_dict"])
def schema(request: pytest.FixtureRequest) -> Schema:
    if request.param == "bytes":
        return decode_resource(Resource.Schema, _bytes(SCHEMA))  # type: ignore[no-any-return]
    if request.param == "dict":
        return deserialize_default(Resource.Schema, copy.deepcopy(SCHEMA))  # type: ignore[no-any-return]
    return Schema.from_dict(copy.deepcopy(SCHEMA))


def test_all_paths_agree() -> None:
    from_bytes = decode_resource(Resource.Schema, _bytes(SCHEMA))
    assert from_bytes == Schema.from_dict(SCHEMA)
    assert from_bytes == msgspec.convert(SCHEMA, Schema)


def test_tree_shape(schema: Schema) -> None:
    details, items = schema.content
    assert isinstance(details, Section)
    assert [type(c) for c in details.children] == [Datapoint] * 5
    line_items, po_numbers = items.children
    assert isinstance(line_items, Multivalue)
    assert isinstance(line_items.children, Tuple)
    assert [c.id for c in line_items.children.children] == ["item_amount", "item_code"]
    assert isinstance(po_numbers, Multivalue)
    assert isinstance(po_numbers.children, Datapoint)


def test_category_is_exposed_and_encoded(schema: Schema) -> None:
    section = schema.content[1]
    multivalue = section.children[0]
    assert isinstance(multivalue, Multivalue)
    assert section.category == "section"
    assert multivalue.category == "multivalue"
    assert multivalue.children.category == "tuple"
    assert Datapoint(id="x").category == "datapoint"
    encoded = json.loads(msgspec.json.encode(schema))
    assert encoded["content"][1]["category"] == "section"
    assert encoded["content"][1]["children"][0]["category"] == "multivalue"
    assert encoded["content"][1]["children"][0]["children"]["category"] == "tuple"
    assert "category" not in encoded  # the schema itself is not tagged


def test_round_trip(schema: Schema) -> None:
    encoded = msgspec.json.encode(schema)
    assert msgspec.json.decode(encoded, type=Schema) == schema
    assert Schema.from_dict(json.loads(encoded)) == schema
    assert Schema.from_dict(msgspec.to_builtins(schema)) == schema
    assert msgspec.convert(msgspec.to_builtins(schema), Schema) == schema
    # The encoded tree is the payload it was decoded from (categories included).
    assert _without_nulls(json.loads(encoded)) == _without_nulls(SCHEMA)


def _without_nulls(value: Any) -> Any:
    """``value`` without null/default-looking entries, to compare with a sparse payload."""
    if isinstance(value, dict):
        return {
            k: _without_nulls(v)
            for k, v in value.items()
            if v not in (None, [], {}, False) and not (k == "can_export" and v is True)
        }
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def test_category_is_a_field_as_officially() -> None:
    """``category`` is a constructor argument in the official position, with the official
    default, a Struct field, and part of asdict/to_builtins."""
    assert Datapoint(id="x", category="datapoint") == Datapoint(id="x")
    assert Datapoint(id="x").category == "datapoint"
    # Positional construction follows the official field order (category after description).
    dp = Datapoint("x", "string", "Label", "Description", "datapoint", True)
    assert (dp.label, dp.description, dp.category, dp.disable_prediction) == (
        "Label",
        "Description",
        "datapoint",
        True,
    )
    row = Tuple("row", [dp], "tuple", "Row")
    table = Multivalue("table", row, "multivalue", "Table")
    section = Section("s", [table], "section", "Section", "icon")
    assert (row.label, table.label, section.label, section.icon) == (
        "Row",
        "Table",
        "Section",
        "icon",
    )
    assert Tuple(id="row", children=[]).category == "tuple"
    assert Multivalue(id="m", children=dp).category == "multivalue"
    assert Section(id="s").category == "section"
    for node in (dp, row, table, section):
        assert "category" in {f.name for f in msgspec.structs.fields(node)}
        assert msgspec.structs.asdict(node)["category"] == node.category
        assert msgspec.to_builtins(node)["category"] == node.category
    schema = Schema(id=1, content=[section])
    built = msgspec.to_builtins(schema)
    assert built["content"][0]["children"][0]["children"]["children"][0]["category"] == "datapoint"
    assert "category" not in built and not hasattr(schema, "category")


def test_a_node_of_another_category_is_refused() -> None:
    """A Datapoint written out as a ``tuple`` would come back as something else."""
    with pytest.raises(ValueError, match=r"Datapoint.category is always 'datapoint', got 'tuple'"):
        Datapoint(id="x", category="tuple")
    with pytest.raises(ValueError, match="always 'section'"):
        Section(id="s", category="Section")
    with pytest.raises(msgspec.ValidationError, match="always 'datapoint'"):
        msgspec.convert({"id": "x", "category": "multivalue"}, Datapoint)
    with pytest.raises(msgspec.ValidationError, match="always 'tuple'"):
        Tuple.from_dict({"id": "t", "children": [], "category": "section"})


def test_a_null_category_takes_the_default_where_a_kind_is_implied() -> None:
    section = Section.from_dict(
        {
            "id": "s",
            "children": [
                {"id": "raw", "category": None},  # a section child has no implied kind
                {
                    "category": "multivalue",
                    "id": "m",
                    "children": {
                        "category": "tuple",
                        "id": "t",
                        "children": [{"id": "d", "category": None}, {"id": "e"}],
                    },
                },
            ],
        }
    )
    assert section.children[0] == {"id": "raw", "category": None}
    row = section.children[1].children
    assert isinstance(row, Tuple)
    assert row.children == [Datapoint(id="d"), Datapoint(id="e")]
    schema = Schema.from_dict({"id": 1, "content": [{"id": "s", "category": None}]})
    assert schema.content == [Section(id="s")]


def test_type_errors_name_the_path() -> None:
    bad = copy.deepcopy(SCHEMA)
    bad["content"][1]["children"][0]["children"]["children"][1]["label"] = 5
    with pytest.raises(msgspec.ValidationError) as info:
        decode_resource(Resource.Schema, _bytes(bad))
    path = "$.content[1].children[0].children.children[1].label"
    assert str(info.value) == f"Expected `str | null`, got `int` - at `{path}`"
    bad["content"] = [{"id": "s", "children": [3]}]
    with pytest.raises(
        msgspec.ValidationError, match=r"`object`, got `int` - at `\$.content\[0\].children\[0\]`"
    ):
        Schema.from_dict(bad)


def test_parents_are_set(schema: Schema) -> None:
    details, items = schema.content
    assert details.parent is schema
    assert schema.parent is None
    for child in details.children:
        assert isinstance(child, Node)
        assert child.parent is details
    multivalue = items.children[0]
    assert isinstance(multivalue, Multivalue)
    tuple_ = multivalue.children
    assert tuple_.parent is multivalue
    assert multivalue.parent is items
    assert isinstance(tuple_, Tuple)
    assert all(dp.parent is tuple_ for dp in tuple_.children)
    # The parent link is runtime-only: not a field, not encoded, not compared.
    assert "parent" not in json.loads(msgspec.json.encode(tuple_))
    assert Datapoint(id="item_amount", type="number") == tuple_.children[0]


def test_parents_are_set_on_construction() -> None:
    dp = Datapoint(id="a")
    tup = Tuple(id="t", children=[dp])
    mv = Multivalue(id="m", children=tup)
    section = Section(id="s", children=[mv])
    schema = Schema(id=1, content=[section])
    assert (dp.parent, tup.parent, mv.parent, section.parent) == (tup, mv, section, schema)
    assert dp.parent is tup


def test_traverse(schema: Schema) -> None:
    ids = [n.id for n in schema.traverse()]
    assert ids == [
        "document_id",
        "amount_total",
        "summary",
        "vendor_id",
        "line_items",
        "line_item",
        "item_amount",
        "item_code",
        "po_numbers",
        "po_number",
    ]
    with_buttons = [n.id for n in schema.traverse(ignore_buttons=False)]
    assert with_buttons[1] == "email_button"
    assert len(with_buttons) == len(ids) + 1
    multivalue = schema.content[1].children[0]
    assert [n.id for n in multivalue.traverse()] == [
        "line_items",
        "line_item",
        "item_amount",
        "item_code",
    ]
    button = schema.content[0].children[1]
    assert list(button.traverse()) == []
    assert list(button.traverse(ignore_buttons=False)) == [button]


def test_get_by_id_finds_every_kind_of_node(schema: Schema) -> None:
    section = schema.get_by_id("line_items_section")
    assert isinstance(section, Section)  # the official client returns None here
    assert isinstance(schema.get_by_id("line_items"), Multivalue)
    assert isinstance(schema.get_by_id("line_item"), Tuple)
    item = schema.get_by_id("item_amount")
    assert isinstance(item, Datapoint)
    assert item.parent is schema.get_by_id("line_item")
    assert schema.get_by_id("email_button") is None
    assert isinstance(schema.get_by_id("email_button", ignore_buttons=False), Datapoint)
    assert schema.get_by_id("missing") is None


def test_datapoint_properties(schema: Schema) -> None:
    document_id = schema.get_by_id("document_id")
    total = schema.get_by_id("amount_total")
    summary = schema.get_by_id("summary")
    button = schema.get_by_id("email_button", ignore_buttons=False)
    assert isinstance(document_id, Datapoint)
    assert isinstance(total, Datapoint)
    assert isinstance(summary, Datapoint)
    assert isinstance(button, Datapoint)
    assert button.is_button and not document_id.is_button
    assert document_id.value_source is ValueSource.CAPTURED
    assert total.value_source is ValueSource.FORMULA
    assert total.is_formula and not total.is_reasoning
    assert summary.value_source is ValueSource.REASONING
    assert summary.is_reasoning and not summary.is_formula
    assert total.format == "# ##0.#"
    assert Datapoint(id="m", disable_prediction=True).value_source is ValueSource.MANUAL
    assert Datapoint(id="l", ui_configuration={"type": "lookup"}).value_source == "lookup"
    odd = Datapoint(id="n", ui_configuration={"type": "telepathy"})
    assert odd.value_source == "telepathy"  # unknown source: kept, no ValueError
    assert [d.id for d in schema.formula_fields()] == ["amount_total"]
    assert [d.id for d in schema.reasoning_fields()] == ["summary"]


def test_matching_uses_the_wire_keys(schema: Schema) -> None:
    vendor = schema.get_by_id("vendor_id")
    assert isinstance(vendor, Datapoint)
    assert isinstance(vendor.matching, Matching)
    configuration = vendor.matching.configuration
    assert configuration.queries[0].comment == "by name"
    assert configuration.variables["name"].formula == "field.sender_name"
    encoded = json.loads(msgspec.json.encode(vendor))["matching"]["configuration"]
    assert encoded["queries"][0]["//"] == "by name"
    assert encoded["variables"]["name"] == {"__formula": "field.sender_name"}


def test_matching_from_dict_accepts_field_names_too() -> None:
    data = {
        "dataset": "vendors",
        "queries": [{"comment": "c", "aggregate": []}],
        "variables": {"v": {"formula": "x"}},
    }
    configuration = MatchingConfiguration.from_dict(data)
    assert configuration.queries[0].comment == "c"
    assert configuration.variables["v"].formula == "x"
    dp = Datapoint.from_dict(
        {"id": "d", "matching": {"type": "master_data_hub", "configuration": data}}
    )
    assert dp.matching is not None
    assert dp.matching.configuration == configuration


def _with_unknown_nodes() -> dict[str, Any]:
    payload = copy.deepcopy(SCHEMA)
    details = payload["content"][0]["children"]
    details.insert(1, {"category": "chart", "id": "spend_chart", "series": [1, 2]})
    details.append({"id": "no_category"})
    multivalue = payload["content"][1]["children"][0]
    multivalue["children"]["children"].append({"category": "hologram", "id": "h"})
    payload["content"][1]["children"][1]["children"] = {"category": "grid", "id": "g"}
    payload["content"].append({"category": "appendix", "id": "extra", "children": []})
    return payload


@pytest.mark.parametrize("path", ["bytes", "dict"])
def test_unknown_categories_stay_raw_dicts(path: str) -> None:
    payload = _with_unknown_nodes()
    if path == "bytes":
        schema = decode_resource(Resource.Schema, _bytes(payload))
    else:
        schema = deserialize_default(Resource.Schema, payload)
    details = schema.content[0]
    assert details.children[1] == {"category": "chart", "id": "spend_chart", "series": [1, 2]}
    assert details.children[-1] == {"id": "no_category"}
    line_item = schema.get_by_id("line_item")
    assert isinstance(line_item, Tuple)
    assert line_item.children[-1] == {"category": "hologram", "id": "h"}
    assert schema.get_by_id("po_numbers").children == {"category": "grid", "id": "g"}
    assert schema.content[-1] == {"category": "appendix", "id": "extra", "children": []}
    # The known nodes are all there, with their parents; raw dicts are skipped by traverse.
    known_ids = [n.id for n in Schema.from_dict(SCHEMA).traverse()]
    assert [n.id for n in schema.traverse()] == [i for i in known_ids if i != "po_number"]
    assert schema.get_by_id("item_code").parent is line_item
    # Encoding keeps the unknown nodes verbatim.
    assert Schema.from_dict(json.loads(msgspec.json.encode(schema))) == schema


def test_unknown_categories_are_tolerated_on_every_path() -> None:
    """Listings (a decoder for a page of schemas) and msgspec.convert tolerate them too."""
    payload = _with_unknown_nodes()
    expected = Schema.from_dict(payload)
    assert msgspec.json.decode(_bytes(payload), type=Schema) == expected
    assert decoder_for(list[Schema]).decode(_bytes([payload, SCHEMA])) == [
        expected,
        Schema.from_dict(SCHEMA),
    ]
    assert msgspec.convert(payload, Schema) == expected
    # Sections given as dicts at construction are converted as well.
    built = Schema(id=1, content=[payload["content"][0]])  # type: ignore[list-item]
    assert built.content[0] == expected.content[0]
    assert built.content[0].parent is built


def test_genuinely_wrong_types_still_fail() -> None:
    bad_id = copy.deepcopy(SCHEMA)
    bad_id["content"][0]["children"][0]["id"] = 7
    with pytest.raises(msgspec.ValidationError, match=r"content\[0\]"):
        decode_resource(Resource.Schema, _bytes(bad_id))
    with pytest.raises(msgspec.ValidationError):
        Schema.from_dict(bad_id)
    bad_children = copy.deepcopy(SCHEMA)
    bad_children["content"][0]["children"] = {"not": "a list"}
    with pytest.raises(msgspec.ValidationError):
        decode_resource(Resource.Schema, _bytes(bad_children))
    with pytest.raises(msgspec.ValidationError):
        decode_resource(Resource.Schema, b"[]")
    with pytest.raises(msgspec.ValidationError):
        Schema.from_dict({"content": []})  # id missing


def test_minimal_schema() -> None:
    schema = decode_resource(Resource.Schema, b'{"id": 1}')
    assert schema == Schema(id=1)
    assert list(schema.traverse()) == []
    assert schema.get_by_id("x") is None
