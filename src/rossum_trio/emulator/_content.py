"""Annotation content trees: built from a schema, filled from extracted values, edited, exported."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from ._http import ApiError, Request, Response, field_error, json_response
from ._store import Obj, State

__all__ = [
    "MAX_VALUE_LENGTH",
    "annotation_content",
    "build_content",
    "content_node",
    "content_operations",
    "content_validate",
    "copy_content",
    "export_content",
    "find_node",
    "iter_nodes",
    "new_datapoint",
    "new_row",
    "schema_datapoints",
    "update_node",
]

MAX_VALUE_LENGTH = 1500
"""The reference: a datapoint value is at most 1500 characters."""

Extracted = tuple[dict[str, tuple[str, int]], list[dict[str, tuple[str, int]]]]


def _children(node: Obj) -> list[Obj]:
    ch = node.get("children")
    if isinstance(ch, dict):
        return [ch]
    if isinstance(ch, list):
        return [c for c in ch if isinstance(c, dict)]
    return []


def schema_datapoints(schema_content: list[Any]) -> dict[str, Obj]:
    """schema_id → schema node (datapoints, multivalues, tuples, sections)."""
    out: dict[str, Obj] = {}

    def walk(node: Obj) -> None:
        sid = node.get("id")
        if isinstance(sid, str):
            out[sid] = node
        for child in _children(node):
            walk(child)

    for section in schema_content or []:
        if isinstance(section, dict):
            walk(section)
    return out


def normalize(value: str, dtype: str | None) -> str:
    """The ``normalized_value`` of a datapoint value: ISO date / JSON number / the value."""
    if not value:
        return ""
    if dtype == "number":
        cleaned = re.sub(r"[^\d.\-]", "", value.replace(",", "."))
        try:
            number = float(cleaned)
        except ValueError:
            return ""
        return str(int(number)) if number.is_integer() and "." not in cleaned else repr(number)
    if dtype == "date":
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return ""
    return value


def _values_for(schema_node: Obj, found: dict[str, tuple[str, int]]) -> tuple[str, int] | None:
    sid = schema_node.get("id")
    if isinstance(sid, str) and sid in found:
        return found[sid]
    names = schema_node.get("rir_field_names")
    for name in names if isinstance(names, list) else []:
        if isinstance(name, str) and name in found:
            return found[name]
    return None


def new_datapoint(
    st: State,
    ann_url: str,
    schema_node: Obj,
    hit: tuple[str, int] | None = None,
    *,
    confidence: float = 0.97,
) -> Obj:
    """A content datapoint for ``schema_node``, filled from ``hit`` = (value, text line)."""
    nid = st.next_node_id()
    dtype = schema_node.get("type")
    node: Obj = {
        "id": nid,
        "url": f"{ann_url}/content/{nid}",
        "category": "datapoint",
        "schema_id": schema_node.get("id"),
        "validation_sources": [],
        "time_spent": 0,
        "time_spent_overall": 0,
        "hidden": bool(schema_node.get("hidden", False)),
        "no_recalculation": False,
    }
    if dtype == "button":
        node["content"] = None
        node["validation_sources"] = ["NA"]
        return node
    default = schema_node.get("default_value")
    value = hit[0] if hit else (default if isinstance(default, str) else "")
    position = None
    if hit is not None and hit[1] >= 0:
        top = 52 + 14 * hit[1]
        position = [56.0, float(top - 11), float(56 + 6 * max(1, len(hit[0]))), float(top + 3)]
    node["content"] = {
        "value": value,
        "normalized_value": normalize(value, dtype),
        "page": 1 if position else None,
        "position": position,
        "rir_text": value if hit else None,
        "rir_raw_text": value if hit else None,
        "rir_page": 1 if hit else None,
        "rir_position": position,
        "rir_confidence": confidence if hit else None,
        "connector_text": None,
        "connector_position": None,
        "ocr_text": None,
        "ocr_raw_text": None,
        "ocr_position": None,
    }
    if hit:
        node["validation_sources"] = ["score"] if confidence >= 0.975 else []
    if schema_node.get("options") is not None:
        node["options"] = schema_node.get("options")
    return node


def new_row(st: State, ann_url: str, row_schema: Obj, hits: dict[str, tuple[str, int]]) -> Obj:
    """One multivalue child (a tuple, or a lone datapoint) filled from ``hits``."""
    if row_schema.get("category") == "tuple":
        nid = st.next_node_id()
        return {
            "id": nid,
            "url": f"{ann_url}/content/{nid}",
            "category": "tuple",
            "schema_id": row_schema.get("id"),
            "children": [
                new_datapoint(st, ann_url, dp, _values_for(dp, hits))
                for dp in _children(row_schema)
                if dp.get("category", "datapoint") == "datapoint"
            ],
            "hidden": False,
        }
    return new_datapoint(st, ann_url, row_schema, _values_for(row_schema, hits))


def _build_node(st: State, ann_url: str, node: Obj, extracted: Extracted) -> Obj | None:
    fields, items = extracted
    category = node.get("category", "datapoint")
    if category == "datapoint":
        return new_datapoint(st, ann_url, node, _values_for(node, fields))
    nid = st.next_node_id()
    if category == "multivalue":
        row_schemas = _children(node)
        rows = []
        if row_schemas:
            for item in items:
                rows.append(new_row(st, ann_url, row_schemas[0], item))
        return {
            "id": nid,
            "url": f"{ann_url}/content/{nid}",
            "category": "multivalue",
            "schema_id": node.get("id"),
            "children": rows,
            "hidden": bool(node.get("hidden", False)),
            "grid": None,
        }
    if category in ("tuple", "section"):
        children = [_build_node(st, ann_url, c, extracted) for c in _children(node)]
        out: Obj = {
            "id": nid,
            "url": f"{ann_url}/content/{nid}",
            "category": category,
            "schema_id": node.get("id"),
            "children": [c for c in children if c is not None],
        }
        if category == "tuple":
            out["hidden"] = False
        return out
    return None


def build_content(
    st: State, ann_url: str, schema_content: list[Any], extracted: Extracted
) -> list[Obj]:
    """A fresh content tree (list of sections) for a schema, filled from extracted values."""
    out = []
    for section in schema_content or []:
        if isinstance(section, dict) and section.get("category", "section") == "section":
            node = _build_node(st, ann_url, {**section, "category": "section"}, extracted)
            if node is not None:
                out.append(node)
    return out


def iter_nodes(nodes: list[Any]) -> Iterator[Obj]:
    """Every node (object) of a content tree, depth first; anything else is skipped."""
    for node in nodes:
        if not isinstance(node, dict):
            continue
        yield node
        children = node.get("children")
        if isinstance(children, list):
            yield from iter_nodes(children)


def find_node(nodes: list[Obj], node_id: int) -> tuple[Obj, Obj | None] | None:
    """(node, parent) for ``node_id``, or None."""

    def walk(children: list[Obj], parent: Obj | None) -> tuple[Obj, Obj | None] | None:
        for node in children:
            if node.get("id") == node_id:
                return node, parent
            sub = node.get("children")
            if isinstance(sub, list):
                hit = walk(sub, node)
                if hit is not None:
                    return hit
        return None

    return walk(nodes, None)


_SETTABLE = ("value", "normalized_value", "position", "page")


def _check_content(change: dict[str, Any]) -> None:
    """400 unless a node update has the types of the reference (value ≤ 1500 characters ...)."""
    content = change.get("content")
    if content is not None and not isinstance(content, dict):
        raise field_error("content", "Expected a dictionary of items.")
    content = content or {}
    for key in ("value", "normalized_value"):
        value = content.get(key)
        if value is not None and not isinstance(value, str):
            raise field_error(key, "Not a valid string.")
        if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            raise field_error(
                key, f"Ensure this field has no more than {MAX_VALUE_LENGTH} characters."
            )
    position = content.get("position")
    if position is not None and (
        not isinstance(position, list)
        or len(position) != 4
        or not all(isinstance(p, int | float) and not isinstance(p, bool) for p in position)
    ):
        raise field_error("position", "Expected a list of four numbers.")
    page = content.get("page")
    if page is not None and (isinstance(page, bool) or not isinstance(page, int)):
        raise field_error("page", "A valid integer is required.")
    for key, types in (
        ("hidden", (bool,)),
        ("options", (list,)),
        ("validation_sources", (list,)),
        ("time_spent", (int, float)),
    ):
        if key in change and (
            not isinstance(change[key], types) or (key == "time_spent" and change[key] is True)
        ):
            raise field_error(key, "Incorrect type.")
    sources = change.get("validation_sources")
    if isinstance(sources, list) and not all(isinstance(v, str) for v in sources):
        raise field_error("validation_sources", "Expected a list of strings.")


def update_node(node: Obj, change: Any, schema_types: dict[str, Obj]) -> None:
    """Apply a partial node update: ``content.{value,position,page}``, hidden, options, sources."""
    if not isinstance(change, dict):
        raise ApiError(400, {"detail": "Invalid content node update."})
    _check_content(change)
    content = change.get("content")
    if isinstance(content, dict) and node.get("category") == "datapoint":
        target = node.get("content")
        if target is None:
            target = node["content"] = {
                "value": "",
                "normalized_value": "",
                "page": None,
                "position": None,
            }
        for key in _SETTABLE:
            if key in content:
                target[key] = content[key]
        if "value" in content and "normalized_value" not in content:
            sn = schema_types.get(str(node.get("schema_id")), {})
            target["normalized_value"] = normalize(str(content["value"] or ""), sn.get("type"))
        if "validation_sources" not in change:
            sources = node.setdefault("validation_sources", [])
            if "human" not in sources:
                sources.append("human")
    for key in ("hidden", "options", "validation_sources", "time_spent"):
        if key in change:
            node[key] = change[key]


def copy_content(st: State, nodes: list[Obj], ann_url: str) -> list[Obj]:
    """A deep copy of a content tree for another annotation (fresh node ids and URLs)."""
    out = []
    for node in nodes:
        nid = st.next_node_id()
        dup = copy.deepcopy({k: v for k, v in node.items() if k != "children"})
        dup["id"], dup["url"] = nid, f"{ann_url}/content/{nid}"
        if isinstance(node.get("children"), list):
            dup["children"] = copy_content(st, node["children"], ann_url)
        out.append(dup)
    return out


def export_content(nodes: list[Obj], schema_types: dict[str, Obj]) -> list[Obj]:
    """The export view of a content tree (``category/schema_id/value/type`` + children)."""
    out: list[Obj] = []
    for node in nodes:
        category = node.get("category")
        sid = node.get("schema_id")
        if category == "datapoint":
            sn = schema_types.get(str(sid), {})
            if sn.get("can_export") is False or sn.get("type") == "button":
                continue
            content = node.get("content") or {}
            out.append(
                {
                    "category": "datapoint",
                    "schema_id": sid,
                    "value": content.get("value", ""),
                    "type": sn.get("type", "string"),
                    "rir_confidence": content.get("rir_confidence"),
                }
            )
        else:
            out.append(
                {
                    "category": category,
                    "schema_id": sid,
                    "children": export_content(node.get("children") or [], schema_types),
                }
            )
    return out


# ---- the content endpoints -------------------------------------------------------------------


def _schema_types(st: State, ann: Obj) -> dict[str, Obj]:
    schema = st.resolve(ann.get("schema"))
    return schema_datapoints(schema.get("content", []) if schema else [])


def annotation_content(st: State, req: Request) -> Response:
    """``GET|PATCH /annotations/<id>/content``: PATCH merges a partial tree by node id."""
    ann = st.get("annotations", req.id)
    tree = st.contents.setdefault(ann["id"], [])
    if req.method == "PATCH":
        changes = req.json_object().get("content") or []
        if not isinstance(changes, list):
            raise field_error("content", "Expected a list of items.")
        types = _schema_types(st, ann)
        for change in iter_nodes(changes):
            node_id = change.get("id")
            if isinstance(node_id, int) and not isinstance(node_id, bool):
                found = find_node(tree, node_id)
                if found is not None and change.get("category", "datapoint") == "datapoint":
                    update_node(found[0], change, types)
    return json_response(200, {"content": tree, "results": tree})


def content_node(st: State, req: Request) -> Response:
    """``GET|PATCH /annotations/<id>/content/<node>``."""
    ann = st.get("annotations", req.id)
    hit = find_node(st.contents.setdefault(ann["id"], []), int(req.args["node"]))
    if hit is None:
        raise ApiError(404, {"detail": "Not found."})
    if req.method == "PATCH":
        update_node(hit[0], req.json_object(), _schema_types(st, ann))
    return json_response(200, hit[0])


def _op_error(i: int, message: str) -> ApiError:
    return ApiError(400, {"operations": [f"Operation {i}: {message}"]})


def content_operations(st: State, req: Request) -> Response:
    """``POST /annotations/<id>/content/operations``: replace / remove / add, then the content."""
    ann = st.get("annotations", req.id)
    tree = st.contents.setdefault(ann["id"], [])
    ops = req.json_object().get("operations")
    if not isinstance(ops, list):
        raise field_error("operations", "This field is required.")
    types = _schema_types(st, ann)
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in ("replace", "remove", "add"):
            raise _op_error(i, "unknown op.")
        raw_id = op.get("id")
        if isinstance(raw_id, bool) or not isinstance(raw_id, int | str):
            raise _op_error(i, "invalid id.")
        try:
            node_id = int(raw_id)
        except ValueError:
            raise _op_error(i, "invalid id.") from None
        hit = find_node(tree, node_id)
        if hit is None:
            raise _op_error(i, f"datapoint {node_id} does not exist.")
        node, parent = hit
        if op["op"] == "replace":
            update_node(node, op.get("value") or {}, types)
        elif op["op"] == "remove":
            if parent is None or parent.get("category") != "multivalue":
                raise _op_error(i, "only multivalue children can be removed.")
            parent["children"].remove(node)
        else:
            if node.get("category") != "multivalue":
                raise _op_error(i, "rows can only be added to a multivalue.")
            row_schema = types.get(str(node.get("schema_id")), {}).get("children")
            if not isinstance(row_schema, dict):
                raise _op_error(i, "multivalue has no row schema.")
            values = op.get("value") or []
            if not isinstance(values, list):
                raise _op_error(i, "value must be a list of datapoints.")
            hits: dict[str, tuple[str, int]] = {}
            for v in values:
                content = v.get("content") if isinstance(v, dict) else None
                value = content.get("value", "") if isinstance(content, dict) else ""
                if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
                    raise _op_error(i, "datapoint values are strings of up to 1500 characters.")
                hits[str(v.get("schema_id"))] = (value, -1)
            node["children"].append(new_row(st, ann["url"], row_schema, hits))
    return json_response(200, {"content": tree, "results": tree})


def content_validate(st: State, req: Request) -> Response:
    """``POST /annotations/<id>/content/validate``: no rules run in the emulator."""
    st.get("annotations", req.id)
    req.json_object()
    return json_response(
        200,
        {
            "messages": [],
            "updated_datapoints": [],
            "suggested_operations": [],
            "matched_trigger_rules": [],
        },
    )
