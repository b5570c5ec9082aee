"""``GET|POST /queues/<id>/export``: json (paginated export view), csv, xml and xlsx.

The format comes from ``format=`` or else the ``Accept`` header. JSON is always paginated; the
file formats hold every matching annotation unless ``page``/``page_size`` ask for a page (up to
1000), and XML then reports that page's totals and links.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ._annotations import annotation_filters
from ._auth import Perm, require
from ._content import export_content, iter_nodes, schema_datapoints
from ._http import ApiError, Request, Response, header_params, json_response
from ._lists import filter_objects, order_objects, paginate
from ._store import Obj, State
from ._xlsx import XLSX_MIME, write_xlsx, xml_text

__all__ = ["export_queue"]

_META = {
    "meta_arrived_at": "arrived_at",
    "meta_file": None,
    "meta_file_name": None,
    "meta_status": "status",
    "meta_url": "url",
    "meta_automated": "automated",
    "meta_modified_at": "modified_at",
    "meta_assigned_at": "assigned_at",
}


def _export_view(st: State, ann: Obj, types: dict[str, Obj]) -> Obj:
    doc = st.resolve(ann.get("document"))
    return {
        "url": ann["url"],
        "status": ann["status"],
        "arrived_at": ann.get("arrived_at"),
        "exported_at": ann.get("exported_at"),
        "document": {
            "url": doc["url"],
            "file_name": doc["original_file_name"],
            "file": doc["content"],
        }
        if doc
        else None,
        "modifier": ann.get("modifier"),
        "schema": {"url": ann["schema"]},
        "metadata": ann.get("metadata", {}),
        "content": export_content(st.contents.get(ann["id"], []), types),
    }


def _to_status(st: State, req: Request, anns: list[Obj]) -> None:
    target = req.params.get("to_status")
    if target is None:
        return
    if req.method != "POST":
        raise ApiError(400, {"to_status": ["to_status can only be used with POST."]})
    if target not in ("exporting", "exported"):
        raise ApiError(400, {"to_status": [f'"{target}" is not a valid choice.']})
    require(st, req, Perm.ANNOTATE)
    for ann in anns:
        if ann["status"] in ("exporting", "exported"):
            continue
        st.set_status(ann, "exporting", by_user=req.user_id)
        if target == "exported":
            st.set_status(ann, "exported", by_user=req.user_id)
        else:
            aid = ann["id"]

            def done(aid: int = aid) -> None:
                a = st.table("annotations").get(aid)
                if a is not None and a["status"] == "exporting":
                    st.set_status(a, "exported")

            st.at(0.0, done)


def export_queue(st: State, req: Request) -> Response:
    """Export a queue's annotations (filters as for the annotation list)."""
    queue = st.get("queues", req.id)
    fmt = (req.params.get("format") or _format_from_accept(req)).lower()
    if fmt not in _MIME:
        raise ApiError(400, {"format": [f'"{fmt}" is not a valid choice.']})
    anns = [a for a in st.table("annotations").values() if a["queue"] == queue["url"]]
    anns = filter_objects(st, anns, req.params, extra=annotation_filters())
    anns = order_objects(st, anns, req.params.get("ordering") or "id")
    schema = st.resolve(queue.get("schema"))
    types = schema_datapoints(schema.get("content", []) if schema else [])
    if fmt == "json":
        page, pagination = paginate(req, anns)
        _to_status(st, req, page)
        results = [_export_view(st, a, types) for a in page]
        return json_response(200, {"pagination": pagination, "results": results})
    pagination = {"total": len(anns), "total_pages": 1, "next": None, "previous": None}
    if "page" in req.params or "page_size" in req.params:
        anns, pagination = paginate(req, anns, max_size=1000)
    _to_status(st, req, anns)
    if fmt == "xml":
        body = _xml(st, anns, types, pagination)
    elif fmt == "csv":
        body = _csv(req, _rows(st, req, anns, types))
    else:
        body = write_xlsx(_rows(st, req, anns, types))
    return Response(200, body, [], _MIME[fmt].encode())


_MIME = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
    "xlsx": XLSX_MIME,
}
_ACCEPT = {
    "application/json": "json",
    "text/csv": "csv",
    "application/xml": "xml",
    "text/xml": "xml",
    XLSX_MIME: "xlsx",
    "*/*": "json",
    "application/*": "json",
    "text/*": "csv",
}


def _format_from_accept(req: Request) -> str:
    """The format the ``Accept`` header prefers (406 if it accepts none of them)."""
    accept = req.headers.get("accept", "").strip()
    if not accept:
        return "json"
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate(accept.split(",")):
        media, params = header_params(item)
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        if media in _ACCEPT and q > 0:
            ranked.append((-q, i, _ACCEPT[media]))
    if not ranked:
        raise ApiError(406, {"detail": "Could not satisfy the request Accept header."})
    return min(ranked)[2]


def _columns(req: Request, types: dict[str, Obj]) -> tuple[list[str], list[str]]:
    """(header schema ids, line-item schema ids) to export, honouring ``columns`` & co."""
    header: list[str] = []
    items: list[str] = []
    for sid, node in types.items():
        if node.get("category") != "datapoint" or node.get("type") == "button":
            continue
        if node.get("can_export") is False:
            continue
        header.append(sid)
    row_ids = set()
    for node in types.values():
        if node.get("category") == "multivalue":
            row_schema = node.get("children")
            for child in iter_nodes([row_schema] if isinstance(row_schema, dict) else []):
                if child.get("category") == "datapoint" and isinstance(child.get("id"), str):
                    row_ids.add(child["id"])
    items = [s for s in header if s in row_ids]
    header = [s for s in header if s not in row_ids]

    def split(param: str) -> list[str]:
        return [c.strip() for c in req.params.get(param, "").split(",") if c.strip()]

    if req.params.get("columns"):
        cols = split("columns")
        header = [c for c in cols if c not in row_ids]
        items = [c for c in cols if c in row_ids]
    header = split("prepend_columns") + header + split("append_columns")
    return header, items


def _values(st: State, ann: Obj) -> tuple[dict[str, str], list[dict[str, str]]]:
    header: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    for node in iter_nodes(st.contents.get(ann["id"], [])):
        if node.get("category") == "multivalue":
            for child in node.get("children") or []:
                row: dict[str, str] = {}
                for dp in iter_nodes([child]):
                    if dp.get("category") == "datapoint":
                        row[str(dp.get("schema_id"))] = str(
                            (dp.get("content") or {}).get("value") or ""
                        )
                rows.append(row)
        elif node.get("category") == "datapoint" and str(node.get("schema_id")) not in header:
            header.setdefault(
                str(node.get("schema_id")), str((node.get("content") or {}).get("value") or "")
            )
    doc = st.resolve(ann.get("document"))
    for col, key in _META.items():
        if key is not None:
            header[col] = "" if ann.get(key) is None else str(ann.get(key))
    header["meta_file_name"] = doc["original_file_name"] if doc else ""
    header["meta_file"] = doc["content"] if doc else ""
    return header, rows


def _label(types: dict[str, Obj], sid: str) -> str:
    node = types.get(sid)
    return str(node.get("label") or sid) if node else sid


def _rows(st: State, req: Request, anns: list[Obj], types: dict[str, Obj]) -> list[list[str]]:
    """The table of the CSV/XLSX export: a header row of labels, one row per annotation (per line
    item when line-item columns are exported)."""
    header_cols, item_cols = _columns(req, types)
    rows = [[_label(types, c) for c in header_cols + item_cols]]
    for ann in anns:
        header, items = _values(st, ann)
        head = [header.get(c, "") for c in header_cols]
        for row in (items if item_cols else []) or [{}]:
            rows.append(head + [row.get(c, "") for c in item_cols])
    return rows


def _one_char(req: Request, name: str, default: str) -> str:
    value = req.params.get(name, default)
    if len(value) != 1:
        raise ApiError(400, {name: [f'"{value}" must be a one-character string.']})
    return value


def _csv(req: Request, rows: list[list[str]]) -> bytes:
    quoting_name = req.params.get("quoting", "quote_minimal")
    quoting: Any = {
        "quote_minimal": csv.QUOTE_MINIMAL,
        "quote_all": csv.QUOTE_ALL,
        "quote_non_numeric": csv.QUOTE_NONNUMERIC,
        "quote_none": csv.QUOTE_NONE,
    }.get(quoting_name)
    if quoting is None:
        raise ApiError(400, {"quoting": [f'"{quoting_name}" is not a valid choice.']})
    buf = io.StringIO()
    try:
        writer = csv.writer(
            buf,
            delimiter=_one_char(req, "delimiter", ","),
            quotechar=_one_char(req, "quote_char", '"'),
            quoting=quoting,
            escapechar=_one_char(req, "escape_char", "\\"),
            lineterminator="\r\n",
        )
        writer.writerows(rows)
    except (csv.Error, TypeError, ValueError) as exc:
        raise ApiError(400, {"detail": f"Invalid CSV parameters: {exc}"}) from None
    return buf.getvalue().encode("utf-8")


def _xml_nodes(nodes: list[Obj]) -> str:
    out = []
    for node in nodes:
        sid = _attr(str(node.get("schema_id")))
        if node["category"] == "datapoint":
            conf = node.get("rir_confidence")
            extra = f" rir_confidence={_attr(str(conf))}" if conf is not None else ""
            out.append(
                f"<datapoint schema_id={sid} type={_attr(str(node.get('type')))}{extra}>"
                f"{xml_text(str(node.get('value') or ''))}</datapoint>"
            )
        else:
            tag = node["category"]
            out.append(f"<{tag} schema_id={sid}>{_xml_nodes(node.get('children', []))}</{tag}>")
    return "".join(out)


def _attr(value: str) -> str:
    return f'"{xml_text(value)}"'


def _link(tag: str, url: str | None) -> str:
    return f"<{tag}>{xml_text(url)}</{tag}>" if url else f"<{tag}/>"


def _xml(st: State, anns: list[Obj], types: dict[str, Obj], pagination: dict[str, Any]) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?>', "<export><results>"]
    for ann in anns:
        view: dict[str, Any] = _export_view(st, ann, types)
        doc = view["document"] or {}
        parts.append(f"<annotation url={_attr(view['url'])}>")
        parts.append(f"<status>{xml_text(view['status'])}</status>")
        for key in ("arrived_at", "exported_at"):
            parts.append(_link(key, view[key]))
        if doc:
            parts.append(
                f"<document url={_attr(doc['url'])}>"
                f"<file_name>{xml_text(doc['file_name'])}</file_name>"
                f"<file>{xml_text(doc['file'])}</file></document>"
            )
        modifier = view.get("modifier")
        parts.append(f"<modifier url={_attr(modifier)}/>" if modifier else "<modifier/>")
        parts.append(f"<schema url={_attr(view['schema']['url'])}/>")
        parts.append("<metadata/>")
        parts.append(f"<content>{_xml_nodes(view['content'])}</content></annotation>")
    parts.append(
        "</results><pagination>"
        f"{_link('next', pagination['next'])}{_link('previous', pagination['previous'])}"
        f"<total>{pagination['total']}</total>"
        f"<total_pages>{pagination['total_pages']}</total_pages></pagination></export>"
    )
    return "".join(parts).encode("utf-8")
