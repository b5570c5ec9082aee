"""The route table: path patterns → handlers per method, and the small endpoints."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from . import _annotations as ann
from ._http import ApiError, Request, Response, empty_response, field_error, json_response
from ._resources import KINDS, create_object, delete_object, list_objects, render, update_object
from ._store import Obj, State, iso_now

__all__ = ["Route", "Router"]

Handler = Callable[[State, Request, dict[str, str]], Response]

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


@dataclass(frozen=True)
class Route:
    """One path pattern with its handlers; ``auth``: "none", "token" or "basic" (token or Basic)."""

    pattern: re.Pattern[str]
    methods: dict[str, Handler]
    auth: str = "token"


class Router:
    """Matches a path below the API prefix to a :class:`Route` (first match wins)."""

    def __init__(self, routes: list[tuple[str, dict[str, Handler], str]]) -> None:
        self._routes = [Route(re.compile(p + r"\Z"), m, a) for p, m, a in routes]
        self._static = {
            r.pattern.pattern[:-2]: r for r in self._routes if _is_static(r.pattern.pattern[:-2])
        }

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        """The route for ``path`` and its captured groups."""
        route = self._static.get(path)
        if route is not None:
            return route, {}
        for route in self._routes:
            m = route.pattern.match(path)
            if m is not None:
                return route, m.groupdict()
        return None


def _is_static(pattern: str) -> bool:
    return not any(c in pattern for c in "()[]\\?*+")


# ---- generic CRUD glue -----------------------------------------------------------------------


def _oid(groups: dict[str, str]) -> int:
    return int(groups["id"])


def _list(kind: str) -> Handler:
    return lambda st, req, g: list_objects(st, req, KINDS[kind])


def _create(kind: str) -> Handler:
    def handler(st: State, req: Request, g: dict[str, str]) -> Response:
        k = KINDS[kind]
        return json_response(201, render(k, create_object(st, req, k, req.json_object())))

    return handler


def _get(kind: str) -> Handler:
    return lambda st, req, g: json_response(200, render(KINDS[kind], st.get(kind, _oid(g))))


def _update(kind: str) -> Handler:
    def handler(st: State, req: Request, g: dict[str, str]) -> Response:
        k = KINDS[kind]
        obj = st.get(kind, _oid(g))
        return json_response(200, render(k, update_object(st, req, k, obj, req.json_object())))

    return handler


def _delete(kind: str) -> Handler:
    def handler(st: State, req: Request, g: dict[str, str]) -> Response:
        k = KINDS[kind]
        obj = st.get(kind, _oid(g))
        if k.defaults is None or not k.deletable:
            raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})
        delete_object(st, k, obj)
        return empty_response(204)

    return handler


def crud(kind: str) -> list[tuple[str, dict[str, Handler], str]]:
    """List/create and retrieve/update/delete routes of a plain resource."""
    return [
        (kind, {"GET": _list(kind), "POST": _create(kind)}, "token"),
        (
            kind + r"/(?P<id>\d+)",
            {
                "GET": _get(kind),
                "PUT": _update(kind),
                "PATCH": _update(kind),
                "DELETE": _delete(kind),
            },
            "token",
        ),
    ]


def read_only(kind: str) -> list[tuple[str, dict[str, Handler], str]]:
    """List and retrieve routes of a read-only resource."""
    return [
        (kind, {"GET": _list(kind)}, "token"),
        (kind + r"/(?P<id>\d+)", {"GET": _get(kind)}, "token"),
    ]


# ---- special deletes -------------------------------------------------------------------------


def _parse_timedelta(text: str) -> timedelta:
    text = text.strip()
    days = 0
    if " " in text:
        d, _, text = text.partition(" ")
        days = int(d)
    if ":" in text:
        parts = [float(p) for p in text.split(":")]
        while len(parts) < 3:
            parts.insert(0, 0.0)
        return timedelta(days=days, hours=parts[0], minutes=parts[1], seconds=parts[2])
    return timedelta(days=days, seconds=float(text or 0))


def delete_queue(st: State, req: Request, g: dict[str, str]) -> Response:
    """``DELETE /queues/<id>`` → 202; the queue is removed after ``delete_after`` (default 24 h)."""
    queue = st.get("queues", _oid(g))
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


def delete_workspace(st: State, req: Request, g: dict[str, str]) -> Response:
    """``DELETE /workspaces/<id>`` → 204, or 409 while it still contains queues."""
    ws = st.get("workspaces", _oid(g))
    if ws.get("queues"):
        raise ApiError(409, {"detail": "Workspace containing queues cannot be deleted."})
    delete_object(st, KINDS["workspaces"], ws)
    return empty_response(204)


def delete_user(st: State, req: Request, g: dict[str, str]) -> Response:
    """``DELETE /users/<id>`` → 204 soft delete."""
    user = st.get("users", _oid(g))
    user["deleted"] = True
    user["is_active"] = False
    st.passwords.pop(user["username"], None)
    return empty_response(204)


def delete_annotation(st: State, req: Request, g: dict[str, str]) -> Response:
    """``DELETE /annotations/<id>`` → 204 hard delete."""
    a = st.get("annotations", _oid(g))
    st.uncount(a)
    delete_object(st, KINDS["annotations"], a)
    st.contents.pop(a["id"], None)
    return empty_response(204)


def patch_document(st: State, req: Request, g: dict[str, str]) -> Response:
    """``PATCH|PUT /documents/<id>``: ``metadata``, ``original_file_name``, ``parent``."""
    doc = st.get("documents", _oid(g))
    body = req.json_object()
    if "metadata" in body:
        if not isinstance(body["metadata"], dict):
            raise field_error("metadata", "Value must be valid JSON object.")
        doc["metadata"] = body["metadata"]
    if "original_file_name" in body:
        doc["original_file_name"] = str(body["original_file_name"])
    if "parent" in body:
        doc["parent"] = st.ref(body, "parent", "documents")
    return json_response(200, doc)


# ---- small endpoints -------------------------------------------------------------------------


def directory(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET /api/v1``: links to the main collections."""
    return json_response(200, {name: f"{st.api}/{name}" for name in DIRECTORY})


def org_limits(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET /organizations/<id>/limits`` (canned e-mail limits)."""
    st.get("organizations", _oid(g))
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


def create_organization(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /organizations/create`` → 201 organization (and its first user, if given)."""
    body = req.data()
    name = body.get("organization_name") or body.get("name")
    if not name:
        raise field_error("organization_name", "This field is required.")
    org = create_object(st, req, KINDS["organizations"], {"name": name})
    email = body.get("user_email")
    if email:
        user = create_object(
            st,
            req,
            KINDS["users"],
            {
                "username": email,
                "email": email,
                "password": body.get("user_password"),
                "organization": org["url"],
            },
        )
        user["first_name"] = str(body.get("user_fullname") or "")
    return json_response(201, org)


def automation_insights(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET /queues/<id>/automation/insights``: statistics from the queue's annotations."""
    queue = st.get("queues", _oid(g))
    anns = [a for a in st.table("annotations").values() if a["queue"] == queue["url"]]
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


def automation_targets(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET|POST /queues/<id>/automation/targets``."""
    qid = st.get("queues", _oid(g))["id"]
    targets = st.automation_targets.setdefault(qid, [])
    if req.method == "POST":
        body = req.json_object()
        body.setdefault("datetime", iso_now())
        targets.append(body)
        return json_response(201, body)
    return json_response(200, {"results": targets})


def automation_projections(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /queues/<id>/automation/projections``."""
    queue = st.get("queues", _oid(g))
    n = sum(1 for a in st.table("annotations").values() if a["queue"] == queue["url"])
    return json_response(
        200,
        {
            "baseline": _stats(0, n),
            "total_document_count": n,
            "used_document_count": n,
            "projections": [],
        },
    )


def queue_next(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /queues/<id>/next``: the first annotation to review, or null."""
    queue = st.get("queues", _oid(g))
    nxt = next(
        (
            a["url"]
            for a in st.table("annotations").values()
            if a["queue"] == queue["url"] and a["status"] == "to_review"
        ),
        None,
    )
    return json_response(200, {"annotation": nxt, "session_timeout": queue["session_timeout"]})


def related_counts(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET /queues/<id>/related_objects_counts``."""
    queue = st.get("queues", _oid(g))
    n = sum(1 for a in st.table("annotations").values() if a["queue"] == queue["url"])
    return json_response(200, {"annotations": n, "emails": 0, "trained_dedicated_engines": 0})


def duplicate_queue(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /queues/<id>/duplicate`` → 201 a copy of the queue's settings."""
    queue = st.get("queues", _oid(g))
    body = req.json_object()
    data = {
        k: v
        for k, v in queue.items()
        if k not in ("id", "url", "counts", "hooks", "webhooks", "inbox")
    }
    data["name"] = body.get("name") or f"{queue['name']} (copy)"
    return json_response(201, create_object(st, req, KINDS["queues"], data))


def hook_logs(st: State, req: Request, g: dict[str, str]) -> Response:
    """``GET /hooks/logs``: non-paginated, always empty (the emulator runs no hooks)."""
    return json_response(200, {"results": []})


def schema_validate(st: State, req: Request, g: dict[str, str]) -> Response:
    """``POST /schemas/validate``: accepts any list content."""
    body = req.json_object()
    if not isinstance(body.get("content", []), list):
        raise field_error("content", "Expected a list of items.")
    return json_response(200, {})


def _action(name: str) -> Handler:
    return lambda st, req, g: ann.annotation_action(st, req, _oid(g), name)


ANNOTATION_ACTIONS = "start|confirm|cancel|postpone|delete|reject|approve|rotate|copy"
