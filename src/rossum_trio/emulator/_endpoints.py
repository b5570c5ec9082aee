"""The special endpoints: directory, organizations, queue extras, special deletes, canned ones."""

from __future__ import annotations

import math
import secrets
from datetime import timedelta
from typing import Any

from ._crud import create_object, delete_object, render
from ._http import ApiError, Request, Response, empty_response, field_error, json_response
from ._kinds import KINDS, check_body
from ._seed import add_organization, add_user, add_workspace_with_queue
from ._store import Obj, State, iso_now
from ._validation import metadata

__all__ = [
    "ORGANIZATION_TEMPLATES",
    "automation_insights",
    "automation_projections",
    "automation_targets",
    "create_organization",
    "delete_annotation",
    "delete_queue",
    "delete_user",
    "delete_workspace",
    "directory",
    "duplicate_queue",
    "hook_logs",
    "org_limits",
    "patch_document",
    "queue_next",
    "related_counts",
    "schema_validate",
]

DIRECTORY = (
    "organizations",
    "workspaces",
    "schemas",
    "connectors",
    "inboxes",
    "queues",
    "documents",
    "users",
    "groups",
    "annotations",
    "pages",
)

ORGANIZATION_TEMPLATES = (
    "Empty Organization Template",
    "CZ Demo Template",
    "Tax Invoice EU Demo Template",
    "Tax Invoice US Demo Template",
    "Tax Invoice UK Demo Template",
    "Delivery Note Demo Template",
    "Tax Invoice CN Demo Template",
    "Certificates of Analysis Demo Template",
)
"""The ``template_name`` choices of ``POST /organizations/create`` (the reference's table)."""


# ---- special deletes and writes ----------------------------------------------------------------

_MAX_DELETE_AFTER = timedelta(days=3650)


def _parse_timedelta(text: str) -> timedelta:
    """DRF DurationField text (``[D ]HH:MM:SS`` or seconds) → timedelta; ValueError if bad."""
    text = text.strip()
    days = 0.0
    if " " in text:
        d, _, text = text.partition(" ")
        days = float(d)
    if ":" in text:
        parts = [float(p) for p in text.split(":")]
        if len(parts) > 3:
            raise ValueError(text)
        while len(parts) < 3:
            parts.insert(0, 0.0)
    else:
        parts = [0.0, 0.0, float(text or 0)]
    if not all(math.isfinite(p) and p >= 0 for p in (days, *parts)):
        raise ValueError(text)
    total = days * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
    if total > _MAX_DELETE_AFTER.total_seconds():
        raise ValueError(text)
    return timedelta(seconds=total)


def delete_queue(st: State, req: Request) -> Response:
    """``DELETE /queues/<id>`` → 202; the queue is removed after ``delete_after`` (default 24 h)."""
    queue = st.get("queues", req.id)
    try:
        delay = _parse_timedelta(req.params.get("delete_after", "1 00:00:00"))
    except ValueError:
        raise field_error("delete_after", "Duration has wrong format.") from None
    old = dict(queue)
    queue["status"] = "deletion_requested"
    queue["workspace"] = None
    queue["delete_after"] = iso_now()
    st.link("queues", queue, old)
    qid = queue["id"]

    def remove() -> None:
        q = st.table("queues").get(qid)
        if q is not None:
            delete_object(st, KINDS["queues"], q)

    st.at(delay.total_seconds(), remove)
    return json_response(202, {})


def delete_workspace(st: State, req: Request) -> Response:
    """``DELETE /workspaces/<id>`` → 204, or 409 while it still contains queues."""
    ws = st.get("workspaces", req.id)
    if ws.get("queues"):
        raise ApiError(409, {"detail": "Workspace containing queues cannot be deleted."})
    delete_object(st, KINDS["workspaces"], ws)
    return empty_response(204)


def delete_user(st: State, req: Request) -> Response:
    """``DELETE /users/<id>`` → 204 soft delete."""
    user = st.get("users", req.id)
    user["deleted"] = True
    user["is_active"] = False
    st.passwords.pop(user["username"], None)
    return empty_response(204)


def delete_annotation(st: State, req: Request) -> Response:
    """``DELETE /annotations/<id>`` → 204 hard delete."""
    a = st.get("annotations", req.id)
    st.uncount(a)
    delete_object(st, KINDS["annotations"], a)
    st.contents.pop(a["id"], None)
    return empty_response(204)


def patch_document(st: State, req: Request) -> Response:
    """``PATCH|PUT /documents/<id>``: ``metadata``, ``original_file_name``, ``parent``."""
    doc = st.get("documents", req.id)
    body = req.json_object()
    if "metadata" in body:
        try:
            doc["metadata"] = metadata(body["metadata"])
        except ValueError as exc:
            raise field_error("metadata", str(exc)) from None
    if "original_file_name" in body:
        name = body["original_file_name"]
        if not isinstance(name, str) or not name or len(name) > 255:
            raise field_error("original_file_name", "A file name of 1 to 255 characters.")
        doc["original_file_name"] = name
    if "parent" in body:
        doc["parent"] = st.ref(body, "parent", "documents")
    return json_response(200, doc)


# ---- organizations ---------------------------------------------------------------------------


def directory(st: State, req: Request) -> Response:
    """``GET /api/v1``: links to the main collections."""
    return json_response(200, {name: f"{st.api}/{name}" for name in DIRECTORY})


def org_limits(st: State, req: Request) -> Response:
    """``GET /organizations/<id>/limits`` (canned e-mail limits)."""
    st.get("organizations", req.id)
    return json_response(
        200,
        {
            "email_limits": {
                "count_today": 0,
                "count_today_notification": 0,
                "count_total": 0,
                "email_per_day_limit": 100,
                "email_per_day_limit_notification": 100,
                "email_total_limit": 1000,
                "last_sent_at": None,
                "last_sent_at_notification": None,
            }
        },
    )


def _checked(st: State, kind: str, field: str, name: str, body: dict[str, Any]) -> Any:
    """``body[name]`` validated as ``kind.field``; the error names ``name``."""
    try:
        return check_body(st, KINDS[kind], field, body[name])
    except ApiError as exc:
        raise ApiError(400, {name: exc.payload[field]}) from None


def create_organization(st: State, req: Request) -> Response:
    """``POST /organizations/create`` (no token; a ``create_key``) → 201 ``{"organization": ...}``.

    Creates the organization, its first user (admin) and a workspace; demo templates also get the
    invoice schema and an "Invoices" queue.
    """
    body = req.data()
    required = ("template_name", "organization_name", "user_fullname", "user_email", "create_key")
    errors = {k: ["This field is required."] for k in required if not body.get(k)}
    if errors:
        raise ApiError(400, errors)
    if body["create_key"] != st.create_key:
        raise ApiError(403, {"detail": "Invalid create_key."})
    template = body["template_name"]
    if template not in ORGANIZATION_TEMPLATES:
        raise field_error("template_name", f'"{template}" is not a valid choice.')
    name = _checked(st, "organizations", "name", "organization_name", body)
    email = _checked(st, "users", "email", "user_email", body)
    fullname = _checked(st, "users", "first_name", "user_fullname", body)
    if "@" not in email:
        raise field_error("user_email", "Enter a valid email address.")
    if email in st.passwords:
        raise field_error("user_email", "A user with that username already exists.")
    password = body.get("user_password") or secrets.token_urlsafe(12)
    if not isinstance(password, str):
        raise field_error("user_password", "Not a valid string.")
    ui_settings = body.get("user_ui_settings") or {"locale": "en"}
    if not isinstance(ui_settings, dict):
        raise field_error("user_ui_settings", "Value must be valid JSON object.")
    domain = body.get("domain")
    if domain is not None and not isinstance(domain, str):
        raise field_error("domain", "Not a valid string.")
    now = iso_now()
    trial_end = iso_now(days=14)
    org = add_organization(
        st,
        name,
        created_at=now,
        is_trial=True,
        trial_expires_at=trial_end,
        domain=domain,
        phone_number=None,
        communication_opt_in=False,
    )
    first, _, last = fullname.partition(" ")
    user = add_user(
        st,
        org,
        email,
        password,
        first_name=first,
        last_name=last,
        role="admin",
        joined_at=now,
        ui_settings=ui_settings,
    )
    org["creator"] = user["url"]
    add_workspace_with_queue(
        st, org, user, created_at=now, queue=template != ORGANIZATION_TEMPLATES[0]
    )
    return json_response(201, {"organization": org})


# ---- queue extras ----------------------------------------------------------------------------


def _queue_annotations(st: State, queue: Obj) -> list[Obj]:
    return [a for a in st.table("annotations").values() if a["queue"] == queue["url"]]


def automation_insights(st: State, req: Request) -> Response:
    """``GET /queues/<id>/automation/insights``: statistics from the queue's annotations."""
    anns = _queue_annotations(st, st.get("queues", req.id))
    automated = sum(1 for a in anns if a.get("automated"))
    return json_response(200, _stats(automated, len(anns)))


def _stats(automated: int, total: int) -> Obj:
    return {
        "document_automation_rate": automated / total if total else 0.0,
        "document_touchless_rate": automated / total if total else 0.0,
        "document_automation_timeseries": [],
        "datapoint_statistics": [],
        "document_blockers": [],
        "estimated_error_rate_timeseries": None,
        "estimated_error_rate": None,
        "is_aurora_queue": False,
    }


def automation_targets(st: State, req: Request) -> Response:
    """``GET|POST /queues/<id>/automation/targets``."""
    qid = st.get("queues", req.id)["id"]
    targets = st.automation_targets.setdefault(qid, [])
    if req.method == "POST":
        body = req.json_object()
        if len(targets) >= 1000:
            raise ApiError(400, {"detail": "Too many automation targets."})
        body.setdefault("datetime", iso_now())
        targets.append(body)
        return json_response(201, body)
    return json_response(200, {"results": targets})


def automation_projections(st: State, req: Request) -> Response:
    """``POST /queues/<id>/automation/projections``."""
    n = len(_queue_annotations(st, st.get("queues", req.id)))
    return json_response(
        200,
        {
            "baseline": _stats(0, n),
            "total_document_count": n,
            "used_document_count": n,
            "projections": [],
        },
    )


def queue_next(st: State, req: Request) -> Response:
    """``POST /queues/<id>/next``: the first annotation to review, or null."""
    queue = st.get("queues", req.id)
    nxt = next(
        (a["url"] for a in _queue_annotations(st, queue) if a["status"] == "to_review"), None
    )
    return json_response(200, {"annotation": nxt, "session_timeout": queue["session_timeout"]})


def related_counts(st: State, req: Request) -> Response:
    """``GET /queues/<id>/related_objects_counts``."""
    n = len(_queue_annotations(st, st.get("queues", req.id)))
    return json_response(200, {"annotations": n, "emails": 0, "trained_dedicated_engines": 0})


def duplicate_queue(st: State, req: Request) -> Response:
    """``POST /queues/<id>/duplicate`` → 201 a copy of the queue's settings."""
    queue = st.get("queues", req.id)
    body = req.json_object()
    data: dict[str, Any] = {
        k: v
        for k, v in queue.items()
        if k not in ("id", "url", "counts", "hooks", "webhooks", "inbox", "status")
    }
    data["name"] = body.get("name") or f"{queue['name']} (copy)"
    kind = KINDS["queues"]
    return json_response(201, render(kind, create_object(st, req, kind, data)))


def hook_logs(st: State, req: Request) -> Response:
    """``GET /hooks/logs``: non-paginated, always empty (the emulator runs no hooks)."""
    return json_response(200, {"results": []})


def schema_validate(st: State, req: Request) -> Response:
    """``POST /schemas/validate``: the structural checks of a schema's ``content``."""
    body = req.json_object()
    if "content" in body:
        check_body(st, KINDS["schemas"], "content", body["content"])
    return json_response(200, {})
