"""``POST /annotations/search``: a query-language subset, ordering, page/search_after paging."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import msgspec

from ._annotations import annotation_tokens, sideload
from ._content import iter_nodes
from ._http import ApiError, Request, Response, json_response
from ._lists import apply_fields, order_objects, paginate, parse_datetime, sort_key
from ._store import Obj, State

__all__ = ["search_annotations"]


def _norm(value: Any) -> Any:
    """URLs compare by ``<kind>/<id>`` so any host addressing the emulator matches."""
    if isinstance(value, str) and value.startswith("http"):
        parts = value.rstrip("/").rsplit("/", 2)
        if len(parts) == 3 and parts[2].isdigit():
            return f"{parts[1]}/{parts[2]}"
    return value


def _field_values(st: State, ann: Obj, name: str) -> list[Any]:
    if name.startswith("field."):
        _, sid, *rest = name.split(".")
        dtype = rest[0] if rest else "string"
        out: list[Any] = []
        for node in iter_nodes(st.contents.get(ann["id"], [])):
            content = node.get("content")
            if node.get("schema_id") == sid and isinstance(content, dict):
                raw = content.get("normalized_value") if dtype != "string" else content.get("value")
                if dtype == "number":
                    if raw is None:
                        continue
                    try:
                        out.append(float(raw))
                    except (TypeError, ValueError):
                        continue
                else:
                    out.append(raw)
        return out
    if name == "annotation":
        return [_norm(ann["url"])]
    if name == "workspace":
        queue = st.resolve(ann.get("queue"))
        return [_norm(queue.get("workspace")) if queue else None]
    if name == "original_file_name":
        doc = st.resolve(ann.get("document"))
        return [doc["original_file_name"] if doc else None]
    base, _, sub = name.partition("__")
    value = ann.get(base)
    if sub:
        values = value if isinstance(value, list) else [value]
        resolved = [st.resolve(v) for v in values]
        return [r.get(sub) for r in resolved if r is not None]
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return [_norm(value)]


def _cmp(a: Any, b: Any, op: Callable[[Any, Any], bool]) -> bool:
    if a is None or b is None:
        return False
    if isinstance(a, str) and isinstance(b, str):
        da, db = parse_datetime(a), parse_datetime(b)
        if da is not None and db is not None:
            return op(da, db)
    try:
        return op(a, b)
    except TypeError:
        try:
            return op(float(a), float(b))
        except (TypeError, ValueError, OverflowError):
            return False


def _op(values: list[Any], op: str, arg: Any) -> bool:
    if op in ("$in", "$nin") and not isinstance(arg, list):
        raise ApiError(400, {"query": [f"{op} expects a list of values."]})
    if op in ("$startsWith", "$anyTokenStartsWith", "$containsPrefixes") and not isinstance(
        arg, str
    ):
        raise ApiError(400, {"query": [f"{op} expects a string."]})
    if isinstance(arg, str) and len(arg) > 256:
        raise ApiError(400, {"query": ["Search strings may be up to 256 characters."]})
    arg = [_norm(a) for a in arg] if isinstance(arg, list) else _norm(arg)
    present = [v for v in values if v not in (None, "")]
    if op == "$eq":
        return any(v == arg or str(v) == str(arg) for v in values)
    if op == "$ne":
        return all(v != arg and str(v) != str(arg) for v in values)
    if op == "$in":
        return any(v in arg or str(v) in map(str, arg) for v in values)
    if op == "$nin":
        return all(v not in arg and str(v) not in map(str, arg) for v in values)
    if op in ("$gt", "$lt", "$gte", "$lte"):
        fn: Callable[[Any, Any], bool] = {
            "$gt": lambda a, b: a > b,
            "$lt": lambda a, b: a < b,
            "$gte": lambda a, b: a >= b,
            "$lte": lambda a, b: a <= b,
        }[op]
        return any(_cmp(v, arg, fn) for v in present)
    if op in ("$startsWith", "$anyTokenStartsWith", "$containsPrefixes"):
        text = str(arg).lower()
        if len(text) < 2:
            raise ApiError(400, {"query": [f"{op} requires at least 2 characters."]})
        if op == "$startsWith":
            return any(str(v).lower().startswith(text) for v in present)
        tokens = [t for v in present for t in str(v).lower().split()]
        if op == "$anyTokenStartsWith":
            return any(t.startswith(text) for t in tokens)
        return all(any(t.startswith(p) for t in tokens) for p in text.split())
    if op == "$emptyOrMissing":
        return (not present) == bool(arg)
    raise ApiError(400, {"query": [f"Unknown operator {op}."]})


def _matches(st: State, ann: Obj, query: Any) -> bool:
    if not isinstance(query, dict):
        raise ApiError(400, {"query": ["Expected an object."]})
    for key, cond in query.items():
        if key == "$and":
            if not isinstance(cond, list) or not all(_matches(st, ann, c) for c in cond):
                return False
        elif key == "$or":
            if not isinstance(cond, list) or not any(_matches(st, ann, c) for c in cond):
                return False
        else:
            values = _field_values(st, ann, key)
            ops = cond if isinstance(cond, dict) else {"$eq": cond}
            if not all(_op(values, op, arg) for op, arg in ops.items()):
                return False
    return True


def _order(st: State, items: list[Obj], ordering: str) -> list[Obj]:
    meta = [
        t
        for t in ordering.split(",")
        if t.strip() and not t.strip().lstrip("-").startswith("field.")
    ]
    out = order_objects(st, items, ",".join(meta) or "id")
    for term in reversed([t.strip() for t in ordering.split(",") if t.strip()]):
        name = term.lstrip("-")
        if name.startswith("field."):

            def key(a: Obj, n: str = name) -> tuple[int, int, Any]:
                vals = _field_values(st, a, n)
                return sort_key(st, vals[0] if vals and vals[0] != "" else None)

            out.sort(key=key, reverse=term.startswith("-"))
    return out


def _token(offset: int, digest: str) -> str:
    raw = msgspec.json.encode({"o": offset, "h": digest})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _untoken(token: str) -> tuple[int, str]:
    try:
        data = msgspec.json.decode(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["o"]), str(data["h"])
    except Exception:
        raise ApiError(
            400,
            {
                "search_after": [
                    "Value of `search_after` is not valid anymore. Retry the search without it."
                ]
            },
        ) from None


def search_annotations(st: State, req: Request) -> Response:
    """``POST /annotations/search``: ``query``/``query_string``; ``page`` or ``search_after``."""
    body = req.json_object()
    query = body.get("query") or {}
    qs = body.get("query_string") or {}
    if not isinstance(qs, dict):
        raise ApiError(400, {"query_string": ["Expected an object."]})
    string = str(qs.get("string", "")).strip()
    if qs and not 2 <= len(string) <= 256:
        raise ApiError(
            400, {"query_string": {"string": ["Ensure this field has 2 to 256 characters."]}}
        )
    terms = [t.lower() for t in string.split()]
    items = [a for a in st.table("annotations").values() if _matches(st, a, query)]
    if terms:
        items = [
            a
            for a in items
            if (toks := annotation_tokens(st, a))
            and all(any(t.startswith(x) for t in toks) for x in terms)
        ]
    ordering = req.params.get("ordering") or "id"
    items = _order(st, items, ordering)
    max_size = 100 if "content" in req.params.get("sideload", "").split(",") else 500
    if "search_after" in req.params or "page" not in req.params:
        page, pagination = _cursor_page(req, items, body, ordering, max_size)
    else:
        page, pagination = paginate(req, items, max_size=max_size)
    envelope: Obj = {"pagination": pagination, "results": apply_fields(req, page)}
    sideload(st, req, page, envelope)
    return json_response(200, envelope)


def _cursor_page(
    req: Request, items: list[Obj], body: dict[str, Any], ordering: str, max_size: int
) -> tuple[list[Obj], dict[str, Any]]:
    digest = hashlib.sha1(msgspec.json.encode([body, ordering]), usedforsecurity=False).hexdigest()[
        :16
    ]
    try:
        size = min(max(1, int(req.params.get("page_size", "20"))), max_size)
    except ValueError:
        size = 20
    offset = 0
    if "search_after" in req.params:
        offset, got = _untoken(req.params["search_after"])
        if got != digest:
            raise ApiError(
                400,
                {"detail": "The query or ordering changed between pages; start the search again."},
            )
    total = len(items)
    nxt = None
    if offset + size < total:
        q = [(k, v) for k, v in req.query if k not in ("search_after", "page", "include_total")]
        q.append(("search_after", _token(offset + size, digest)))
        origin = req.base[: req.base.index("/", req.base.index("://") + 3)]
        nxt = origin + req.full_path + "?" + urlencode(q)
    return items[offset : offset + size], {
        "total": total,
        "total_pages": max(1, -(-total // size)),
        "next": nxt,
        "previous": None,
    }
