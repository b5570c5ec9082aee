"""Generic CRUD over the object tables: the handlers of plain resources and their building blocks.

Writes are validated like DRF serializers do: read-only and unknown fields are ignored, references
must point at existing objects, choices and the validators of :mod:`._kinds` apply, and a value
must keep the JSON type of the field (a string stays a string, a list a list, ...).
"""

from __future__ import annotations

from typing import Any

from ._http import ApiError, Request, Response, empty_response, field_error, json_response
from ._kinds import KINDS, Kind, check_body, user_url
from ._lists import apply_fields, filter_objects, order_objects, paginate
from ._store import Obj, State, iso_now

__all__ = [
    "create",
    "create_object",
    "delete",
    "delete_object",
    "get",
    "list_objects",
    "method_not_allowed",
    "render",
    "render_url",
    "update",
    "update_object",
]


def method_not_allowed(req: Request) -> ApiError:
    """405 for the request's method."""
    return ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})


_TYPE_NAMES = {bool: "boolean", int: "number", float: "number", str: "string", list: "list"}


def _check_type(key: str, current: Any, value: Any) -> None:
    """A write keeps the JSON type of a field that has a value (DRF serializers enforce types)."""
    if current is None:
        return
    if value is None:
        if isinstance(current, bool | list | dict):
            raise field_error(key, "This field may not be null.")
        return
    if isinstance(current, bool):
        ok = isinstance(value, bool)
    elif isinstance(current, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif isinstance(current, dict):
        ok = isinstance(value, dict)
    else:
        ok = isinstance(value, type(current))
    if not ok:
        expected = _TYPE_NAMES.get(type(current), "object")
        raise field_error(
            key, f"Incorrect type. Expected {expected} value, received {type(value).__name__}."
        )


def _apply(st: State, kind: Kind, obj: Obj, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if key in ("id", "url") or key in kind.readonly or key not in obj:
            continue
        if key in kind.refs:
            obj[key] = st.ref(body, key, kind.refs[key])
        elif key in kind.ref_lists:
            obj[key] = st.refs(body, key, kind.ref_lists[key])
        elif key in kind.write_only:
            obj[key] = value
        else:
            checked = check_body(st, kind, key, value)
            if key not in kind.validators:
                _check_type(key, obj[key], checked)
            obj[key] = checked


def _check_required(kind: Kind, body: dict[str, Any]) -> None:
    errors = {
        name: ["This field is required."]
        for name in kind.required
        if name not in body or body[name] is None
    }
    if errors:
        raise ApiError(400, errors)


def create_object(st: State, req: Request, kind: Kind, body: dict[str, Any]) -> Obj:
    """Validate ``body`` and store a new object of ``kind`` (does not render a response)."""
    if kind.defaults is None:
        raise method_not_allowed(req)
    _check_required(kind, body)
    oid = st.next_id(kind.name)
    obj: Obj = {"id": oid, "url": st.url(kind.name, oid)}
    obj.update(kind.defaults(st, req, body))
    _apply(st, kind, obj, body)
    st.table(kind.name)[oid] = obj
    st.link(kind.name, obj)
    if kind.after_write is not None:
        kind.after_write(st, obj, None)
    return obj


def update_object(st: State, req: Request, kind: Kind, obj: Obj, body: dict[str, Any]) -> Obj:
    """PUT (full: required fields checked) or PATCH (partial) of a stored object."""
    if kind.defaults is None:
        raise method_not_allowed(req)
    if req.method == "PUT":
        _check_required(kind, body)
    old = dict(obj)
    staged = dict(obj)
    _apply(st, kind, staged, body)
    obj.update(staged)
    if "modified_at" in obj:
        obj["modified_at"] = iso_now()
        if "modified_by" in obj:
            obj["modified_by"] = user_url(st, req)
    st.link(kind.name, obj, old)
    if kind.after_write is not None:
        kind.after_write(st, obj, old)
    return obj


def delete_object(st: State, kind: Kind, obj: Obj) -> None:
    """Remove an object and its back-links."""
    st.table(kind.name).pop(obj["id"], None)
    st.link(kind.name, obj, remove=True)


def render(kind: Kind, obj: Obj) -> Obj:
    """The object as the API shows it (write-only fields removed)."""
    if not kind.write_only:
        return obj
    return {k: v for k, v in obj.items() if k not in kind.write_only}


def render_url(st: State, url: str) -> Obj | None:
    """The object an URL points to, rendered (None if unknown)."""
    obj = st.resolve(url)
    if obj is None:
        return None
    kind = KINDS.get(url.rstrip("/").rsplit("/", 2)[-2])
    return render(kind, obj) if kind is not None else obj


# ---- the generic handlers (the route's kind says which table) ----------------------------------


def list_objects(st: State, req: Request) -> Response:
    """``GET /<kind>``: filtered, ordered, paginated."""
    kind = KINDS[req.kind]
    items = filter_objects(st, list(st.table(kind.name).values()), req.params)
    items = order_objects(st, items, req.params.get("ordering") or kind.ordering)
    page, pagination = paginate(req, items)
    results = apply_fields(req, [render(kind, o) for o in page])
    return json_response(200, {"pagination": pagination, "results": results})


def get(st: State, req: Request) -> Response:
    """``GET /<kind>/<id>``."""
    return json_response(200, render(KINDS[req.kind], st.get(req.kind, req.id)))


def create(st: State, req: Request) -> Response:
    """``POST /<kind>`` → 201."""
    kind = KINDS[req.kind]
    return json_response(201, render(kind, create_object(st, req, kind, req.json_object())))


def update(st: State, req: Request) -> Response:
    """``PUT|PATCH /<kind>/<id>`` → 200."""
    kind = KINDS[req.kind]
    obj = st.get(kind.name, req.id)
    return json_response(200, render(kind, update_object(st, req, kind, obj, req.json_object())))


def delete(st: State, req: Request) -> Response:
    """``DELETE /<kind>/<id>`` → 204 (405 where the API does not allow it)."""
    kind = KINDS[req.kind]
    obj = st.get(kind.name, req.id)
    if kind.defaults is None or not kind.deletable:
        raise method_not_allowed(req)
    delete_object(st, kind, obj)
    return empty_response(204)
