"""The routing of the emulator, in one place: every route, its handlers, auth and permissions.

A handler is ``handler(state, request) -> Response``; the path groups of the route are in
``request.args`` (``request.id`` for ``{id}``) and the route's resource kind in ``request.kind``.
Permissions: reads need any role; writes need the route's permission class (default: admin).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import _annotations as ann
from . import _auth as auth
from . import _content as content
from . import _crud as crud
from . import _endpoints as ep
from . import _imports as imp
from ._auth import Auth, Perm
from ._control import control_faults, control_requests
from ._export import export_queue
from ._http import ApiError, Request, Response
from ._search import search_annotations
from ._store import State

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_FILES_BODY_BYTES",
    "ROUTES",
    "Handler",
    "Route",
    "Router",
    "route",
]

Handler = Callable[[State, Request], Response]

MAX_BODY_BYTES = 5 * 1024 * 1024
"""Largest body of a JSON/form request (413 beyond, before reading more)."""
MAX_FILES_BODY_BYTES = imp.MAX_UPLOAD_BYTES + 1024 * 1024
"""Largest body of an upload request: the 40 MB of files plus room for the multipart framing."""

_PLACEHOLDERS = {
    "id": r"\d{1,18}",
    "node": r"\d{1,18}",
    "name": r"[^/]+",
    "action": "|".join(ann.ACTIONS),
}
_READS = frozenset({"GET", "HEAD"})


@dataclass(frozen=True)
class Route:
    """One path template with its handlers per method."""

    template: str
    """The path below the API prefix, e.g. ``queues/{id}/upload``."""
    methods: dict[str, Handler]
    auth: Auth = Auth.TOKEN
    kind: str = ""
    """The resource kind (the table of the generic CRUD handlers)."""
    write: Perm = Perm.SETUP
    """Permission class needed for methods other than GET/HEAD."""
    perms: dict[str, Perm] = field(default_factory=dict)
    """Per-method exceptions to the read/``write`` rule."""
    max_body: int = MAX_BODY_BYTES
    pattern: re.Pattern[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(
            r"\\\{(\w+)\\\}",
            lambda m: f"(?P<{m.group(1)}>{_PLACEHOLDERS[m.group(1)]})",
            re.escape(self.template),
        )
        object.__setattr__(self, "pattern", re.compile(regex + r"\Z"))

    def perm(self, method: str) -> Perm:
        """The permission class a method of this route needs."""
        if method in self.perms:
            return self.perms[method]
        return Perm.READ if method in _READS else self.write


def route(
    template: str,
    handlers: Mapping[str, Handler],
    *,
    auth: Auth = Auth.TOKEN,
    kind: str = "",
    write: Perm = Perm.SETUP,
    perms: dict[str, Perm] | None = None,
    files: bool = False,
) -> Route:
    """A :class:`Route`. ``handlers`` maps methods to handlers; a key may name several methods
    (``"PUT PATCH"``). ``files=True`` allows upload-sized bodies."""
    methods = {method: handler for key, handler in handlers.items() for method in key.split()}
    max_body = MAX_FILES_BODY_BYTES if files else MAX_BODY_BYTES
    return Route(template, methods, auth, kind, write, perms or {}, max_body)


def _files(template: str, handlers: Mapping[str, Handler], *, kind: str = "") -> Route:
    """A route that takes files: basic auth too, upload-sized bodies, the import permission."""
    return route(template, handlers, auth=Auth.BASIC, files=True, write=Perm.IMPORT, kind=kind)


def _crud(
    kind: str, *, write: Perm = Perm.SETUP, delete: Handler = crud.delete
) -> tuple[Route, Route]:
    """``kind`` (list, create) and ``kind/{id}`` (get, update, ``delete``)."""
    return (
        route(kind, {"GET": crud.list_objects, "POST": crud.create}, kind=kind, write=write),
        route(
            kind + "/{id}",
            {"GET": crud.get, "PUT PATCH": crud.update, "DELETE": delete},
            kind=kind,
            write=write,
        ),
    )


def _read_only(kind: str) -> tuple[Route, Route]:
    """``kind`` (list) and ``kind/{id}`` (get)."""
    return (
        route(kind, {"GET": crud.list_objects}, kind=kind),
        route(kind + "/{id}", {"GET": crud.get}, kind=kind),
    )


# A route: the path below the API prefix, its handlers by method, who may call it.
ROUTES: tuple[Route, ...] = (
    route("", {"GET": ep.directory}, auth=Auth.NONE),
    # auth and the emulator's control endpoints
    route("auth/login", {"POST": auth.login}, auth=Auth.NONE),
    route("auth/logout", {"POST": auth.logout}, write=Perm.READ),
    route("auth/user", {"GET PUT PATCH": auth.whoami}, write=Perm.READ),
    route("auth/token", {"POST": auth.token_exchange}, write=Perm.READ),
    route("_emulator/faults", {"GET PATCH PUT POST": control_faults}, auth=Auth.ADMIN),
    route("_emulator/requests", {"GET DELETE": control_requests}, auth=Auth.ADMIN),
    # organizations
    route("organizations/create", {"POST": ep.create_organization}, auth=Auth.NONE),
    route("organizations", {"GET": crud.list_objects}, kind="organizations"),
    route("organizations/{id}", {"GET": crud.get, "PUT PATCH": crud.update}, kind="organizations"),
    route("organizations/{id}/limits", {"GET": ep.org_limits}),
    # imports: uploads, tasks, documents
    _files("uploads", {"POST": imp.post_upload}),
    route("uploads/{id}", {"GET": crud.get}, kind="uploads"),
    _files("uploads/{name}", {"POST": imp.post_upload}),
    route("tasks/{id}", {"GET": imp.get_task}),
    _files("documents", {"GET": crud.list_objects, "POST": imp.post_document}, kind="documents"),
    route(
        "documents/{id}",
        {"GET": crud.get, "PATCH PUT": ep.patch_document, "DELETE": imp.delete_document},
        kind="documents",
        write=Perm.IMPORT,
        perms={"DELETE": Perm.SETUP},
    ),
    route("documents/{id}/content", {"GET": imp.document_content}, auth=Auth.BASIC),
    # queues
    *_crud("queues", delete=ep.delete_queue),
    _files("queues/{id}/upload", {"POST": imp.legacy_upload}),
    _files("queues/{id}/upload/{name}", {"POST": imp.legacy_upload}),
    route("queues/{id}/export", {"GET POST": export_queue}, auth=Auth.BASIC, write=Perm.READ),
    route("queues/{id}/duplicate", {"POST": ep.duplicate_queue}),
    route("queues/{id}/next", {"POST": ep.queue_next}, write=Perm.ANNOTATE),
    route("queues/{id}/related_objects_counts", {"GET": ep.related_counts}),
    route("queues/{id}/automation/insights", {"GET": ep.automation_insights}),
    route("queues/{id}/automation/targets", {"GET POST": ep.automation_targets}),
    route(
        "queues/{id}/automation/projections", {"POST": ep.automation_projections}, write=Perm.READ
    ),
    # annotations
    route(
        "annotations",
        {"GET": ann.list_annotations, "POST": imp.create_annotation},
        kind="annotations",
        write=Perm.IMPORT,
    ),
    route("annotations/search", {"POST": search_annotations}, write=Perm.READ),
    route("annotations/assign", {"POST": ann.assign}, write=Perm.ANNOTATE),
    route("annotations/purge_deleted", {"POST": ann.purge_deleted}),
    route(
        "annotations/{id}",
        {"GET": crud.get, "PUT PATCH": ann.update_annotation, "DELETE": ep.delete_annotation},
        kind="annotations",
        write=Perm.ANNOTATE,
    ),
    # the permission of an action is in ann.ACTIONS
    route("annotations/{id}/{action}", {"POST": ann.annotation_action}, write=Perm.READ),
    route(
        "annotations/{id}/content", {"GET PATCH": content.annotation_content}, write=Perm.ANNOTATE
    ),
    route(
        "annotations/{id}/content/operations",
        {"POST": content.content_operations},
        write=Perm.ANNOTATE,
    ),
    route("annotations/{id}/content/validate", {"POST": content.content_validate}, write=Perm.READ),
    route(
        "annotations/{id}/content/{node}", {"GET PATCH": content.content_node}, write=Perm.ANNOTATE
    ),
    route(
        "annotations/{id}/processing_duration",
        {"GET PATCH": ann.processing_duration},
        write=Perm.ANNOTATE,
    ),
    # other resources
    route("hooks/logs", {"GET": ep.hook_logs}),
    route("schemas/validate", {"POST": ep.schema_validate}, write=Perm.READ),
    *_crud("workspaces", delete=ep.delete_workspace),
    *_crud("users", delete=ep.delete_user),
    *(
        r
        for kind in ("schemas", "inboxes", "connectors", "hooks", "email_templates", "rules")
        for r in _crud(kind)
    ),
    *(
        r
        for kind in ("relations", "document_relations", "notes")
        for r in _crud(kind, write=Perm.ANNOTATE)
    ),
    *(
        r
        for kind in (
            "groups",
            "pages",
            "automation_blockers",
            "engines",
            "engine_fields",
            "hook_templates",
            "organization_groups",
            "rules_execution_logs",
            "emails",
            "labels",
            "workflows",
        )
        for r in _read_only(kind)
    ),
)
"""Every route of the emulator; where several match a path, the first with the method wins."""


def _method_not_allowed(method: str, routes: list[Route]) -> ApiError:
    allow = ", ".join(sorted({m for r in routes for m in r.methods}))
    return ApiError(
        405, {"detail": f'Method "{method}" not allowed.'}, [(b"allow", allow.encode())]
    )


class Router:
    """Matches a method and a path below the API prefix to a :class:`Route`."""

    def __init__(self, routes: tuple[Route, ...] = ROUTES) -> None:
        self._routes = routes
        self._static: dict[str, tuple[Route, ...]] = {}
        for r in routes:
            if "{" not in r.template:
                self._static[r.template] = (*self._static.get(r.template, ()), r)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str], Handler]:
        """The route, groups and handler of a request; ApiError 404 or 405 (with ``Allow``)."""
        static = self._static.get(path)
        routes = static if static is not None else self._routes
        matched: list[Route] = []
        for r in routes:
            m = r.pattern.match(path) if static is None else None
            if static is None and m is None:
                continue
            handler = r.methods.get(method)
            if handler is None and method == "HEAD":
                handler = r.methods.get("GET")
            if handler is not None:
                return r, m.groupdict() if m is not None else {}, handler
            matched.append(r)
        if not matched:
            raise ApiError(404, {"detail": "Not found."})
        raise _method_not_allowed(method, matched)
