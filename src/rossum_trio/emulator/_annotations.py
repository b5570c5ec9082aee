"""Annotations: list with sideloads, updates, status actions, content tree endpoints."""

from __future__ import annotations

from typing import Any

from ._content import find_node, iter_nodes, new_row, schema_datapoints, update_node
from ._http import ApiError, Request, Response, conflict, empty_response, field_error, json_response
from ._imports import fill_content, new_annotation
from ._lists import apply_fields, filter_objects, order_objects, paginate
from ._resources import KINDS, create_object, render
from ._store import ANNOTATION_STATUSES, Obj, State, iso_now

__all__ = [
    "annotation_action",
    "annotation_content",
    "annotation_filters",
    "bulk_action",
    "content_operations",
    "content_validate",
    "list_annotations",
    "processing_duration",
    "sideload",
    "update_annotation",
]

# sideload keyword → annotation field holding the URL(s)
_SIDELOAD_FIELDS = {
    "documents": "document",
    "modifiers": "modifier",
    "queues": "queue",
    "schemas": "schema",
    "automation_blockers": "automation_blocker",
    "creators": "creator",
    "confirmed_bys": "confirmed_by",
    "deleted_bys": "deleted_by",
    "exported_bys": "exported_by",
    "purged_bys": "purged_by",
    "rejected_bys": "rejected_by",
    "assignees": "assignees",
    "labels": "labels",
    "organizations": "organization",
    "pages": "pages",
    "relations": "relations",
    "related_emails": "related_emails",
    "emails": "email",
    "suggested_edits": "suggested_edit",
    "email_threads": "email_thread",
}


def _render_any(st: State, url: str) -> Obj | None:
    obj = st.resolve(url)
    if obj is None:
        return None
    kind = KINDS.get(url.rstrip("/").rsplit("/", 2)[-2])
    return render(kind, obj) if kind is not None else obj


def sideload(st: State, req: Request, results: list[Obj], envelope: Obj) -> None:
    """Add the requested sideloads to a list envelope as flat top-level lists."""
    raw = req.params.get("sideload")
    if not raw:
        return
    schema_ids = {
        s.strip() for s in req.params.get("content.schema_id", "").split(",") if s.strip()
    }
    urls = {a["url"] for a in results}
    for name in (s.strip() for s in raw.split(",")):
        if not name:
            continue
        items: list[Obj] = []
        if name == "content":
            for ann in results:
                for node in iter_nodes(st.contents.get(ann["id"], [])):
                    sid = node.get("schema_id")
                    if (sid in schema_ids) if schema_ids else node.get("category") == "datapoint":
                        items.append(node)
        elif name == "notes":
            items = [n for n in st.table("notes").values() if n.get("annotation") in urls]
        elif name == "child_relations":
            items = [r for r in st.table("relations").values() if r.get("parent") in urls]
        else:
            seen: set[str] = set()
            for ann in results:
                if name == "workspaces":
                    queue = st.resolve(ann.get("queue"))
                    values: Any = queue.get("workspace") if queue else None
                else:
                    values = ann.get(_SIDELOAD_FIELDS.get(name, name.removesuffix("s")))
                for url in values if isinstance(values, list) else [values]:
                    if isinstance(url, str) and url not in seen:
                        seen.add(url)
                        obj = _render_any(st, url)
                        if obj is not None:
                            items.append(obj)
        envelope[name] = items


def _workspace_filter(st: State, value: str) -> Any:
    ids = {int(v) for v in value.split(",") if v.strip().isdigit()}

    def pred(ann: Obj) -> bool:
        queue = st.resolve(ann.get("queue"))
        return queue is not None and st.ref_id(queue.get("workspace")) in ids

    return pred


def _text_filter(st: State, value: str) -> Any:
    terms = [t.lower() for t in value.split() if t]

    def pred(ann: Obj) -> bool:
        tokens = annotation_tokens(st, ann)
        return all(any(tok.startswith(t) for tok in tokens) for t in terms)

    return pred


def annotation_tokens(st: State, ann: Obj) -> list[str]:
    """Lower-cased words of an annotation's datapoint values and file name (full-text search)."""
    words: list[str] = []
    for node in iter_nodes(st.contents.get(ann["id"], [])):
        content = node.get("content")
        if node.get("category") == "datapoint" and isinstance(content, dict):
            words += str(content.get("value") or "").lower().split()
    doc = st.resolve(ann.get("document"))
    if doc is not None:
        words += doc["original_file_name"].lower().split()
    return words


def annotation_filters() -> dict[str, Any]:
    """Annotation-specific list filters (beyond the generic field filters)."""
    return {"queue__workspace": _workspace_filter, "search": _text_filter}


def list_annotations(st: State, req: Request) -> Response:
    """``GET /annotations`` with filters, ordering, paging and sideloads."""
    items = filter_objects(
        st, list(st.table("annotations").values()), req.params, extra=annotation_filters()
    )
    items = order_objects(st, items, req.params.get("ordering") or "id")
    page, pagination = paginate(req, items)
    envelope: Obj = {"pagination": pagination, "results": apply_fields(req, page)}
    sideload(st, req, page, envelope)
    return json_response(200, envelope)


def update_annotation(st: State, req: Request, aid: int) -> Response:
    """``PUT``/``PATCH /annotations/<id>``: status, queue, metadata and other writable fields."""
    ann = st.get("annotations", aid)
    body = req.json_object()
    if req.method == "PUT":
        missing = {
            k: ["This field is required."] for k in ("status", "document", "queue") if k not in body
        }
        if missing:
            raise ApiError(400, missing)
    if "queue" in body:
        queue_url = st.ref(body, "queue", "queues", required=True)
        if queue_url != ann["queue"]:
            st.uncount(ann)
            ann["queue"] = queue_url
            queue = st.resolve(queue_url)
            assert queue is not None
            st.count_in_queue(queue, ann)
    if "document" in body:
        old = dict(ann)
        ann["document"] = st.ref(body, "document", "documents", required=True)
        st.link("annotations", ann, old)
    if "status" in body:
        status = body["status"]
        if status not in (*ANNOTATION_STATUSES, "created", "in_workflow"):
            raise field_error("status", f'"{status}" is not a valid choice.')
        st.set_status(ann, status, by_user=req.user_id)
    for key in (
        "metadata",
        "rir_poll_id",
        "messages",
        "time_spent",
        "automated",
        "training_enabled",
    ):
        if key in body:
            if key == "metadata" and not isinstance(body[key], dict):
                raise field_error("metadata", "Value must be valid JSON object.")
            ann[key] = body[key]
    for key in ("modifier", "modified_by"):
        if key in body:
            ann[key] = st.ref(body, key, "users")
    ann["modified_at"] = iso_now()
    return json_response(200, ann)


# ---- status actions --------------------------------------------------------------------------

_NOT_STARTED = "Trying to change annotation that was not started by the current user."


def _check_owner(st: State, req: Request, ann: Obj) -> None:
    if (
        ann["status"] == "reviewing"
        and req.user_id is not None
        and ann.get("modifier") not in (None, st.url("users", req.user_id))
    ):
        raise conflict(_NOT_STARTED)


def _require(ann: Obj, allowed: tuple[str, ...], action: str) -> None:
    if ann["status"] not in allowed:
        raise conflict(f"Cannot {action} annotation with status '{ann['status']}'.")


def _export_or_confirm(st: State, req: Request, ann: Obj) -> str:
    queue = st.resolve(ann.get("queue")) or {}
    if queue.get("use_confirmed_state") and ann["status"] != "confirmed":
        st.set_status(ann, "confirmed", by_user=req.user_id)
        return "confirmed"
    st.set_status(ann, "confirmed", by_user=req.user_id)
    st.set_status(ann, "exporting", by_user=req.user_id)
    aid = ann["id"]

    def exported() -> None:
        a = st.table("annotations").get(aid)
        if a is not None and a["status"] == "exporting":
            st.set_status(a, "exported", by_user=req.user_id)

    st.at(0.0, exported)
    return "exporting"


def annotation_action(st: State, req: Request, aid: int, action: str) -> Response:
    """``POST /annotations/<id>/<action>`` for the status actions of the lifecycle."""
    ann = st.get("annotations", aid)
    body = req.json_object() if req.body.strip() else {}
    user_url = st.url("users", req.user_id) if req.user_id is not None else None
    if action == "start":
        statuses = body.get("statuses") or ["to_review", "reviewing", "postponed", "confirmed"]
        if ann["status"] not in statuses:
            raise conflict(f"Annotation in status '{ann['status']}' cannot be started.")
        _check_owner(st, req, ann)
        st.set_status(ann, "reviewing", by_user=req.user_id)
        ann["modifier"] = user_url
        ann["assigned_at"] = iso_now()
        queue = st.resolve(ann.get("queue")) or {}
        return json_response(
            200,
            {"annotation": ann["url"], "session_timeout": queue.get("session_timeout", "01:00:00")},
        )
    if action == "confirm":
        _require(ann, ("to_review", "reviewing", "postponed", "confirmed"), "confirm")
        _check_owner(st, req, ann)
        _export_or_confirm(st, req, ann)
        return empty_response(204)
    if action == "cancel":
        _require(ann, ("to_review", "reviewing", "postponed"), "cancel")
        _check_owner(st, req, ann)
        if ann["status"] == "reviewing":
            st.set_status(ann, "to_review", by_user=req.user_id)
        return empty_response(204)
    if action == "postpone":
        _require(
            ann, ("to_review", "reviewing", "confirmed", "postponed", "failed_export"), "postpone"
        )
        _check_owner(st, req, ann)
        st.set_status(ann, "postponed", by_user=req.user_id)
        return empty_response(204)
    if action == "delete":
        _require(
            ann, tuple(s for s in (*ANNOTATION_STATUSES, "created") if s != "purged"), "delete"
        )
        st.set_status(ann, "deleted", by_user=req.user_id)
        return empty_response(204)
    if action == "reject":
        _require(ann, ("to_review", "reviewing", "postponed", "confirmed", "in_workflow"), "reject")
        _check_owner(st, req, ann)
        st.set_status(ann, "rejected", by_user=req.user_id)
        note = None
        if body.get("note_content"):
            note = create_object(
                st,
                req,
                KINDS["notes"],
                {
                    "annotation": ann["url"],
                    "content": str(body["note_content"]),
                    "type": "rejection",
                },
            )["url"]
        return json_response(200, {"status": "rejected", "note": note})
    if action == "approve":
        _require(ann, ("in_workflow", "to_review", "reviewing"), "approve")
        return json_response(200, {"status": _export_or_confirm(st, req, ann)})
    if action == "rotate":
        if body.get("rotation_deg") not in (0, 90, 180, 270):
            raise field_error("rotation_deg", "Must be one of 0, 90, 180, 270.")
        st.set_status(ann, "importing", by_user=req.user_id)

        def reimported() -> None:
            if ann["status"] == "importing":
                st.set_status(ann, "to_review")

        st.at(st.import_delay_s, reimported)
        return empty_response(204)
    if action == "copy":
        target = st.resolve(st.ref(body, "target_queue", "queues", required=True))
        assert target is not None
        doc = st.resolve(ann.get("document"))
        status = body.get("target_status") or "to_review"
        if status not in ANNOTATION_STATUSES:
            raise field_error("target_status", f'"{status}" is not a valid choice.')
        copy = new_annotation(st, req, target, doc, status=status, metadata=dict(ann["metadata"]))
        fill_content(st, copy)
        return json_response(200, {"annotation": copy["url"]})
    raise ApiError(404, {"detail": "Not found."})


def bulk_action(st: State, req: Request, action: str) -> Response:
    """``POST /annotations/assign`` (204) and ``/annotations/purge_deleted`` (202)."""
    body = req.json_object()
    urls = body.get("annotations") or []
    if not isinstance(urls, list):
        raise field_error("annotations", "Expected a list of items.")
    anns = [st.table("annotations").get(st.ref_id(u, "annotations") or -1) for u in urls]
    if action == "assign":
        assignees = st.refs(body, "assignees", "users")
        for ann in anns:
            if ann is not None:
                ann["assignees"] = list(assignees)
        return empty_response(204)
    queue_id = st.ref_id(body.get("queue"), "queues") if body.get("queue") else None
    if queue_id is not None:
        anns += [a for a in st.table("annotations").values() if st.ref_id(a["queue"]) == queue_id]
    for ann in anns:
        if ann is not None and ann["status"] == "deleted":
            st.set_status(ann, "purged", by_user=req.user_id)
    return json_response(202, {})


def processing_duration(st: State, req: Request, aid: int) -> Response:
    """``GET|PATCH /annotations/<id>/processing_duration``."""
    ann = st.get("annotations", aid)
    stored = st.durations.setdefault(aid, {})
    if req.method == "PATCH":
        body = req.json_object()
        for key, value in body.items():
            if isinstance(value, int | float) or value is None:
                stored[key] = value
    data = {
        "annotation": ann["url"],
        "time_spent_active": 0.0,
        "time_spent_overall": float(ann.get("time_spent") or 0),
        "time_spent_edit": 0.0,
        "time_spent_blockers": 0.0,
        "time_spent_emails": 0.0,
        "time_spent_opening": 0.0,
        "duration_latest_validate_started": None,
        "duration_latest_validate_updated_before_confirm": None,
        **stored,
    }
    return json_response(200, data)


# ---- content ---------------------------------------------------------------------------------


def _schema_types(st: State, ann: Obj) -> dict[str, Obj]:
    schema = st.resolve(ann.get("schema"))
    return schema_datapoints(schema.get("content", []) if schema else [])


def annotation_content(st: State, req: Request, aid: int, node_id: int | None = None) -> Response:
    """``GET|PATCH /annotations/<id>/content[/<node>]``."""
    ann = st.get("annotations", aid)
    tree = st.contents.setdefault(aid, [])
    if node_id is not None:
        hit = find_node(tree, node_id)
        if hit is None:
            raise ApiError(404, {"detail": "Not found."})
        if req.method == "PATCH":
            update_node(hit[0], req.json_object(), _schema_types(st, ann))
        return json_response(200, hit[0])
    if req.method == "PATCH":
        body = req.json_object()
        types = _schema_types(st, ann)
        for change in iter_nodes(body.get("content") or []):
            if isinstance(change, dict) and isinstance(change.get("id"), int):
                found = find_node(tree, change["id"])
                if found is not None and change.get("category", "datapoint") == "datapoint":
                    update_node(found[0], change, types)
    return json_response(200, {"content": tree, "results": tree})


def content_operations(st: State, req: Request, aid: int) -> Response:
    """``POST /annotations/<id>/content/operations``: replace / remove / add, then the content."""
    ann = st.get("annotations", aid)
    tree = st.contents.setdefault(aid, [])
    ops = req.json_object().get("operations")
    if not isinstance(ops, list):
        raise field_error("operations", "This field is required.")
    types = _schema_types(st, ann)
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in ("replace", "remove", "add"):
            raise ApiError(400, {"operations": [f"Operation {i}: unknown op."]})
        try:
            node_id = int(op.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ApiError(400, {"operations": [f"Operation {i}: invalid id."]}) from None
        hit = find_node(tree, node_id)
        if hit is None:
            raise ApiError(
                400, {"operations": [f"Operation {i}: datapoint {node_id} does not exist."]}
            )
        node, parent = hit
        if op["op"] == "replace":
            update_node(node, op.get("value") or {}, types)
        elif op["op"] == "remove":
            if parent is None or parent.get("category") != "multivalue":
                raise ApiError(
                    400,
                    {"operations": [f"Operation {i}: only multivalue children can be removed."]},
                )
            parent["children"].remove(node)
        else:
            if node.get("category") != "multivalue":
                raise ApiError(
                    400, {"operations": [f"Operation {i}: rows can only be added to a multivalue."]}
                )
            row_schema = types.get(str(node.get("schema_id")), {}).get("children")
            if not isinstance(row_schema, dict):
                raise ApiError(
                    400, {"operations": [f"Operation {i}: multivalue has no row schema."]}
                )
            values = op.get("value") or []
            hits = {
                str(v.get("schema_id")): (str((v.get("content") or {}).get("value", "")), -1)
                for v in values
                if isinstance(v, dict)
            }
            node["children"].append(new_row(st, ann["url"], row_schema, hits))
    return json_response(200, {"content": tree, "results": tree})


def content_validate(st: State, req: Request, aid: int) -> Response:
    """``POST /annotations/<id>/content/validate``: no rules run in the emulator."""
    st.get("annotations", aid)
    return json_response(
        200,
        {
            "messages": [],
            "updated_datapoints": [],
            "suggested_operations": [],
            "matched_trigger_rules": [],
        },
    )
