"""Annotations: list with sideloads and filters, updates, the status actions (a table), bulk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._auth import Perm, permissions
from ._content import copy_content, iter_nodes
from ._crud import create_object, render_url
from ._http import ApiError, Request, Response, conflict, empty_response, field_error, json_response
from ._imports import fill_content, new_annotation
from ._kinds import KINDS
from ._lists import Predicate, apply_fields, filter_objects, order_objects, paginate
from ._store import ANNOTATION_STATUSES, Obj, State, iso_now
from ._validation import metadata

__all__ = [
    "ACTIONS",
    "Action",
    "annotation_action",
    "annotation_filters",
    "annotation_tokens",
    "assign",
    "list_annotations",
    "processing_duration",
    "purge_deleted",
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
                        obj = render_url(st, url)
                        if obj is not None:
                            items.append(obj)
        envelope[name] = items


def _text_filter(st: State, value: str) -> Predicate:
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


def annotation_filters() -> dict[str, Callable[[State, str], Predicate]]:
    """Annotation-specific list filters (beyond the generic field and ``a__b`` filters)."""
    return {"search": _text_filter}


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


_WRITABLE: dict[str, Callable[[Any], bool]] = {
    "rir_poll_id": lambda v: v is None or isinstance(v, str),
    "messages": lambda v: v is None or isinstance(v, list),
    "time_spent": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "automated": lambda v: isinstance(v, bool),
    "training_enabled": lambda v: isinstance(v, bool),
}


def update_annotation(st: State, req: Request) -> Response:
    """``PUT``/``PATCH /annotations/<id>``: status, queue, metadata and other writable fields."""
    ann = st.get("annotations", req.id)
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
        if not isinstance(status, str) or status not in (
            *ANNOTATION_STATUSES,
            "created",
            "in_workflow",
        ):
            raise field_error("status", f'"{status}" is not a valid choice.')
        st.set_status(ann, status, by_user=req.user_id)
    for key, check in _WRITABLE.items():
        if key in body:
            if not check(body[key]):
                raise field_error(key, "Incorrect type.")
            ann[key] = body[key]
    if "metadata" in body:
        try:
            ann["metadata"] = metadata(body["metadata"])
        except ValueError as exc:
            raise field_error("metadata", str(exc)) from None
    for key in ("modifier", "modified_by"):
        if key in body:
            ann[key] = st.ref(body, key, "users")
    ann["modified_at"] = iso_now()
    return json_response(200, ann)


# ---- status actions: one table -----------------------------------------------------------------

_NOT_STARTED = "Trying to change annotation that was not started by the current user."
_REVIEWABLE = ("to_review", "reviewing", "postponed", "confirmed")

ActionRun = Callable[[State, Request, Obj, dict[str, Any]], Response]


@dataclass(frozen=True)
class Action:
    """One ``POST /annotations/<id>/<name>``: who may, from which statuses, what it does."""

    run: ActionRun
    allowed: tuple[str, ...] | None
    """Statuses the annotation must be in (409 otherwise); None: the action checks."""
    perms: tuple[Perm, ...] = (Perm.ANNOTATE,)
    """Any one of these permissions suffices (403 otherwise)."""
    owner_check: bool = True
    """409 if another user is reviewing the annotation."""


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


def _start(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    statuses = body.get("statuses") or list(_REVIEWABLE)
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise field_error("statuses", "Expected a list of statuses.")
    if ann["status"] not in statuses:
        raise conflict(f"Annotation in status '{ann['status']}' cannot be started.")
    _check_owner(st, req, ann)
    if ann["status"] != "reviewing":
        st.started_from[ann["id"]] = ann["status"]
    st.set_status(ann, "reviewing", by_user=req.user_id)
    ann["modifier"] = st.url("users", req.user_id) if req.user_id is not None else None
    ann["assigned_at"] = iso_now()
    queue = st.resolve(ann.get("queue")) or {}
    return json_response(
        200, {"annotation": ann["url"], "session_timeout": queue.get("session_timeout", "01:00:00")}
    )


def _confirm(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    _export_or_confirm(st, req, ann)
    return empty_response(204)


def _cancel(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    if ann["status"] == "reviewing":
        before = st.started_from.pop(ann["id"], "to_review")
        st.set_status(ann, "postponed" if before == "postponed" else "to_review", by_user=None)
    return empty_response(204)


def _postpone(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    st.set_status(ann, "postponed", by_user=req.user_id)
    return empty_response(204)


def _delete(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    st.set_status(ann, "deleted", by_user=req.user_id)
    return empty_response(204)


def _reject(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    st.set_status(ann, "rejected", by_user=req.user_id)
    note = None
    if body.get("note_content"):
        data = {"annotation": ann["url"], "content": body["note_content"], "type": "rejection"}
        note = create_object(st, req, KINDS["notes"], data)["url"]
    return json_response(200, {"status": "rejected", "note": note})


def _approve(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    return json_response(200, {"status": _export_or_confirm(st, req, ann)})


def _rotate(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    degrees = body.get("rotation_deg")
    if isinstance(degrees, bool) or degrees not in (0, 90, 180, 270):
        raise field_error("rotation_deg", "Must be one of 0, 90, 180, 270.")
    st.set_status(ann, "importing", by_user=req.user_id)

    def reimported() -> None:
        if ann["status"] == "importing":
            st.set_status(ann, "to_review")

    st.at(st.import_delay(), reimported)
    return empty_response(204)


def _copy(st: State, req: Request, ann: Obj, body: dict[str, Any]) -> Response:
    """A copy with the same data and metadata in ``target_queue``; ``reimport=true`` re-extracts."""
    target = st.resolve(st.ref(body, "target_queue", "queues", required=True))
    assert target is not None
    status = body.get("target_status") or ann["status"]
    if not isinstance(status, str) or status not in ANNOTATION_STATUSES:
        raise field_error("target_status", f'"{status}" is not a valid choice.')
    reimport = req.params.get("reimport", "").lower() == "true"
    doc = st.resolve(ann.get("document"))
    copy = new_annotation(
        st, req, target, doc, status="importing" if reimport else status, metadata=ann["metadata"]
    )
    copy["metadata"] = dict(ann["metadata"])
    for key in ("messages", "automated", "training_enabled", "time_spent"):
        copy[key] = ann.get(key)
    if reimport:
        aid = copy["id"]

        def imported() -> None:
            a = st.table("annotations").get(aid)
            if a is not None and a["status"] == "importing":
                fill_content(st, a)
                st.set_status(a, status if status != "importing" else "to_review")

        st.at(st.import_delay(), imported)
    else:
        st.contents[copy["id"]] = copy_content(st, st.contents.get(ann["id"], []), copy["url"])
    return json_response(200, {"annotation": copy["url"]})


ACTIONS: dict[str, Action] = {
    "start": Action(_start, None),
    "confirm": Action(_confirm, _REVIEWABLE),
    "cancel": Action(_cancel, ("to_review", "reviewing", "postponed")),
    "postpone": Action(
        _postpone, ("to_review", "reviewing", "confirmed", "postponed", "failed_export")
    ),
    "delete": Action(
        _delete,
        tuple(s for s in (*ANNOTATION_STATUSES, "created") if s != "purged"),
        owner_check=False,
    ),
    "reject": Action(_reject, (*_REVIEWABLE, "in_workflow"), perms=(Perm.ANNOTATE, Perm.APPROVE)),
    "approve": Action(
        _approve,
        ("in_workflow", "to_review", "reviewing"),
        perms=(Perm.APPROVE,),
        owner_check=False,
    ),
    "rotate": Action(_rotate, None, owner_check=False),
    "copy": Action(_copy, None, owner_check=False),
}
"""``POST /annotations/<id>/<action>``: the lifecycle actions (the route is built from the keys)."""


def _check_owner(st: State, req: Request, ann: Obj) -> None:
    if (
        ann["status"] == "reviewing"
        and req.user_id is not None
        and ann.get("modifier") not in (None, st.url("users", req.user_id))
    ):
        raise conflict(_NOT_STARTED)


def annotation_action(st: State, req: Request) -> Response:
    """Run one of :data:`ACTIONS` on an annotation (403, 409 and 400 checks first)."""
    action = ACTIONS[req.args["action"]]
    granted = permissions(st, req.user_id)
    if not any(p in granted for p in action.perms):
        raise ApiError(403, {"detail": "You do not have permission to perform this action."})
    ann = st.get("annotations", req.id)
    body = req.json_object()
    if action.allowed is not None and ann["status"] not in action.allowed:
        raise conflict(f"Cannot {req.args['action']} annotation with status '{ann['status']}'.")
    if action.owner_check:
        _check_owner(st, req, ann)
    response = action.run(st, req, ann, body)
    if ann["status"] != "reviewing":
        st.started_from.pop(ann["id"], None)
    return response


# ---- bulk actions, processing duration ----------------------------------------------------------


def _annotations_of(st: State, body: dict[str, Any]) -> list[Obj]:
    urls = body.get("annotations") or []
    if not isinstance(urls, list):
        raise field_error("annotations", "Expected a list of items.")
    found = (st.table("annotations").get(st.ref_id(u, "annotations") or -1) for u in urls)
    return [a for a in found if a is not None]


def assign(st: State, req: Request) -> Response:
    """``POST /annotations/assign`` → 204."""
    body = req.json_object()
    anns = _annotations_of(st, body)
    assignees = st.refs(body, "assignees", "users")
    for ann in anns:
        ann["assignees"] = list(assignees)
    return empty_response(204)


def purge_deleted(st: State, req: Request) -> Response:
    """``POST /annotations/purge_deleted`` → 202: ``deleted`` annotations become ``purged``."""
    body = req.json_object()
    anns = _annotations_of(st, body)
    if body.get("queue"):
        queue_id = st.ref_id(body["queue"], "queues")
        anns += [a for a in st.table("annotations").values() if st.ref_id(a["queue"]) == queue_id]
    for ann in anns:
        if ann["status"] == "deleted":
            st.set_status(ann, "purged", by_user=req.user_id)
    return json_response(202, {})


_DURATIONS = (
    "time_spent_active",
    "time_spent_overall",
    "time_spent_edit",
    "time_spent_blockers",
    "time_spent_emails",
    "time_spent_opening",
    "duration_latest_validate_started",
    "duration_latest_validate_updated_before_confirm",
)


def processing_duration(st: State, req: Request) -> Response:
    """``GET|PATCH /annotations/<id>/processing_duration``."""
    ann = st.get("annotations", req.id)
    stored = st.durations.setdefault(ann["id"], {})
    if req.method == "PATCH":
        body = req.json_object()
        for key, value in body.items():
            if key not in _DURATIONS:
                continue
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise field_error(key, "A valid number is required.")
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
