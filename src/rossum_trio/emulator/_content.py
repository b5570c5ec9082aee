"""Annotation content trees: built from a schema, filled from extracted values, edited, exported."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from ._http import ApiError
from ._store import Obj, State

__all__ = [
    "build_content",
    "export_content",
    "find_node",
    "iter_datapoints",
    "iter_nodes",
    "new_datapoint",
    "schema_datapoints",
]

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
    for name in schema_node.get("rir_field_names") or []:
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
    value = hit[0] if hit else (schema_node.get("default_value") or "")
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


def iter_nodes(nodes: list[Obj]) -> Iterator[Obj]:
    """Every node of a content tree, depth first."""
    for node in nodes:
        yield node
        children = node.get("children")
        if isinstance(children, list):
            yield from iter_nodes(children)


def iter_datapoints(nodes: list[Obj]) -> Iterator[Obj]:
    """Every datapoint of a content tree."""
    for node in iter_nodes(nodes):
        if node.get("category") == "datapoint":
            yield node


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


def update_node(node: Obj, change: dict[str, Any], schema_types: dict[str, Obj]) -> None:
    """Apply a partial node update: ``content.{value,position,page}``, hidden, options, sources."""
    if not isinstance(change, dict):
        raise ApiError(400, {"detail": "Invalid content node update."})
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
