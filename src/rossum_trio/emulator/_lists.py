"""Lists: filters, ordering, the DRF page-number envelope with absolute next/previous links."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from ._http import ApiError, Request
from ._store import Obj, State

__all__ = [
    "RESERVED",
    "Predicate",
    "apply_fields",
    "filter_objects",
    "order_objects",
    "page_links",
    "paginate",
    "parse_datetime",
    "sort_key",
]

RESERVED = frozenset(
    {
        "page",
        "page_size",
        "ordering",
        "sideload",
        "content.schema_id",
        "include_total",
        "fields",
        "fields!",
        "format",
        "columns",
        "prepend_columns",
        "append_columns",
        "delimiter",
        "quote_char",
        "quoting",
        "escape_char",
        "to_status",
        "search_after",
        "no_redirect",
        "delete_after",
        "cursor",
    }
)

Predicate = Callable[[Obj], bool]


def parse_datetime(value: str) -> datetime | None:
    """An ISO date or datetime (``Z`` allowed) as an aware datetime, or None."""
    text = value.strip()
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def _id_set(st: State, value: str) -> set[int]:
    out = set()
    for part in value.split(","):
        oid = st.ref_id(part.strip())
        if oid is not None:
            out.add(oid)
    return out


def _matcher(st: State, value: str) -> Callable[[Any], bool]:
    """Whether one stored value matches a filter value (comma lists; URLs match their ids)."""
    raw_values = [v.strip() for v in value.split(",")]
    ids = _id_set(st, value)

    def matches(got: Any) -> bool:
        if got is None:
            return value.lower() in ("null", "none")
        if isinstance(got, bool):
            return value.lower() in ("true", "1") if got else value.lower() in ("false", "0")
        if isinstance(got, int):
            return str(got) in raw_values
        if isinstance(got, str):
            if got == value or got in raw_values:
                return True
            if got.startswith("http"):
                oid = st.ref_id(got)
                return oid is not None and oid in ids
            return False
        return False

    return matches


def _follow(st: State, objs: list[Obj], path: list[str]) -> list[Any]:
    """The values at ``path`` (``relations__parent`` → ["relations", "parent"]), through URLs."""
    values: list[Any] = []
    for obj in objs:
        got = obj.get(path[0])
        values += got if isinstance(got, list) else [got]
    if len(path) == 1:
        return values
    related = [o for o in (st.resolve(v) for v in values) if o is not None]
    return _follow(st, related, path[1:])


def _make_predicate(st: State, key: str, value: str, sample: Obj) -> Predicate | None:
    if key == "id":
        ids = _id_set(st, value)
        return lambda o: o.get("id") in ids
    for suffix, before in (("_before", True), ("_after", False)):
        if key.endswith(suffix) and key[: -len(suffix)] in sample:
            field = key[: -len(suffix)]
            bound = parse_datetime(value)
            if bound is None:
                raise ApiError(400, {key: ["Enter a valid date/time."]})

            def by_date(o: Obj, f: str = field, b: datetime = bound, lt: bool = before) -> bool:
                raw = o.get(f)
                got = parse_datetime(raw) if isinstance(raw, str) else None
                if got is None:
                    return False
                return got < b if lt else got >= b

            return by_date
    matches = _matcher(st, value)
    path = key.split("__")
    if len(path) > 1 and path[0] in sample:
        # a filter across a reference: queue__workspace, relations__type, relations__parent ...
        return lambda o: any(matches(v) for v in _follow(st, [o], path))
    field = key
    if field not in sample:
        if field + "s" in sample and isinstance(sample[field + "s"], list):
            field = field + "s"
        else:
            return None  # unknown filters are ignored, like django-filter does
    if isinstance(sample[field], list) or field != key:
        return lambda o: any(matches(v) for v in (o.get(field) or []))
    return lambda o: matches(o.get(field))


def filter_objects(
    st: State,
    objects: Iterable[Obj],
    params: dict[str, str],
    *,
    extra: dict[str, Callable[[State, str], Predicate]] | None = None,
) -> list[Obj]:
    """Objects matching every (non-empty, non-reserved) query parameter; unknown ones ignored."""
    objs = objects if isinstance(objects, list) else list(objects)
    if not objs:
        return objs
    sample = objs[0]
    preds: list[Predicate] = []
    for key, value in params.items():
        if key in RESERVED:
            continue
        if extra is not None and key in extra:
            preds.append(extra[key](st, value))
            continue
        pred = _make_predicate(st, key, value, sample)
        if pred is not None:
            preds.append(pred)
    if not preds:
        return objs
    return [o for o in objs if all(p(o) for p in preds)]


def sort_key(st: State, value: Any) -> tuple[int, int, Any]:
    """A total order over JSON values: numbers < strings < containers, nulls last; object URLs
    sort by their ids."""
    if value is None:
        return (1, 0, 0)
    if isinstance(value, bool):
        return (0, 0, int(value))
    if isinstance(value, int | float):
        return (0, 0, value)
    if isinstance(value, str):
        if value.startswith("http"):
            oid = st.ref_id(value)
            if oid is not None:
                return (0, 0, oid)
        return (0, 1, value)
    if isinstance(value, list | dict):
        return (0, 2, len(value))
    return (0, 3, 0)


def _sort_value(st: State, obj: Obj, path: list[str]) -> tuple[int, int, Any]:
    value: Any = obj
    for i, part in enumerate(path):
        if not isinstance(value, dict):
            value = None
            break
        value = value.get(part)
        if i < len(path) - 1:
            value = st.resolve(value)
    return sort_key(st, value)


def order_objects(st: State, objects: list[Obj], ordering: str | None) -> list[Obj]:
    """Sort by a DRF ``ordering`` (``-id,name``); default and tie-breaker: ``id``.

    Nulls sort last ascending (first descending), as in PostgreSQL. Unknown fields are ignored.
    ``objects`` must come in id order (as the tables hold them).
    """
    if not ordering or not objects:
        return objects
    terms = [t.strip() for t in ordering.split(",") if t.strip()]
    # Tables keep insertion order, which is id order: the common cases need no sort.
    if terms == ["id"]:
        return objects
    if terms == ["-id"]:
        return objects[::-1]
    sample = objects[0]
    keys = []
    for term in terms:
        desc = term.startswith("-")
        name = term.lstrip("-+")
        path = name.split("__")
        if path[0] not in sample:
            continue
        keys.append((path, desc))
    if not keys:
        return objects
    out = sorted(objects, key=lambda o: o.get("id", 0))
    for path, desc in reversed(keys):
        out.sort(key=lambda o, p=path: _sort_value(st, o, p), reverse=desc)  # type: ignore[misc]
    return out


def _positive_int(value: str | None, default: int, cap: int) -> int:
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        return default
    if n <= 0:
        return default
    return min(n, cap)


def page_links(req: Request, page: int, total_pages: int) -> tuple[str | None, str | None]:
    """Absolute ``next``/``previous`` URLs: the request query with ``page`` replaced (DRF)."""
    origin = req.base[: len(req.base) - len(_api_prefix(req))]
    base = origin + req.full_path
    nxt = prev = None
    if page >= total_pages and page <= 1:
        return nxt, prev
    query: dict[str, list[str]] = {}
    for key, value in req.query:
        query.setdefault(key, []).append(value)
    if page < total_pages:
        q = dict(query)
        q["page"] = [str(page + 1)]
        nxt = base + "?" + urlencode(sorted(q.items()), doseq=True)
    if page > 1:
        q = dict(query)
        if page - 1 == 1:
            q.pop("page", None)
        else:
            q["page"] = [str(page - 1)]
        prev = base + ("?" + urlencode(sorted(q.items()), doseq=True) if q else "")
    return nxt, prev


def _api_prefix(req: Request) -> str:
    # req.base = origin + api prefix; full_path starts with that prefix.
    scheme_sep = req.base.find("://")
    slash = req.base.find("/", scheme_sep + 3)
    return req.base[slash:] if slash != -1 else ""


def paginate(
    req: Request,
    items: list[Obj],
    *,
    default_size: int = 20,
    max_size: int = 100,
) -> tuple[list[Obj], dict[str, Any]]:
    """One page of ``items`` and the ``pagination`` object; 404 "Invalid page." if out of range."""
    params = req.params
    size = _positive_int(params.get("page_size"), default_size, max_size)
    total = len(items)
    total_pages = max(1, math.ceil(total / size))
    raw_page = params.get("page", "1")
    if raw_page == "last":
        page = total_pages
    else:
        try:
            page = int(raw_page)
        except ValueError:
            raise ApiError(404, {"detail": "Invalid page."}) from None
    if page < 1 or page > total_pages:
        raise ApiError(404, {"detail": "Invalid page."})
    start = (page - 1) * size
    nxt, prev = page_links(req, page, total_pages)
    return items[start : start + size], {
        "total": total,
        "total_pages": total_pages,
        "next": nxt,
        "previous": prev,
    }


def apply_fields(req: Request, results: list[Obj]) -> list[Obj]:
    """``fields=a,b`` keeps only those keys; ``fields!=a,b`` drops them."""
    keep = req.params.get("fields")
    drop = req.params.get("fields!")
    if not keep and not drop:
        return results
    keep_set = {f.strip() for f in keep.split(",")} if keep else None
    drop_set = {f.strip() for f in drop.split(",")} if drop else set()
    return [
        {k: v for k, v in o.items() if (keep_set is None or k in keep_set) and k not in drop_set}
        for o in results
    ]
