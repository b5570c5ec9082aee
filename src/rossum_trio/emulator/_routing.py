"""The routing of the emulator, in one place: every route, its handlers, auth and permissions.

A handler is ``handler(state, request) -> Response``; the path groups of the route are in
``request.args`` (``request.id`` for ``{id}``) and the route's resource kind in ``request.kind``.
Permissions: reads need any role; writes need the route's permission class (default: admin).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
    *,
    auth: Auth = Auth.TOKEN,
    kind: str = "",
    write: Perm = Perm.SETUP,
    perms: dict[str, Perm] | None = None,
    files: bool = False,
    **methods: Handler,
) -> Route:
    """A :class:`Route`; ``files=True`` allows upload-sized bodies."""
    return Route(
        template,
        methods,
        auth,
        kind,
        write,
        perms or {},
        MAX_FILES_BODY_BYTES if files else MAX_BODY_BYTES,
    )


def _crud(kind: str, *, write: Perm = Perm.SETUP) -> Iterator[Route]:
    yield route(kind, kind=kind, write=write, GET=crud.list_objects, POST=crud.create)
    yield route(
        kind + "/{id}",
        kind=kind,
        write=write,
        GET=crud.get,
        PUT=crud.update,
        PATCH=crud.update,
        DELETE=crud.delete,
    )


def _read_only(kind: str) -> Iterator[Route]:
    yield route(kind, kind=kind, GET=crud.list_objects)
    yield route(kind + "/{id}", kind=kind, GET=crud.get)


ROUTES: tuple[Route, ...] = (
    route("", auth=Auth.NONE, GET=ep.directory),
    # auth and the emulator's control endpoints
    route("auth/login", auth=Auth.NONE, POST=auth.login),
    route("auth/logout", write=Perm.READ, POST=auth.logout),
    route("auth/user", write=Perm.READ, GET=auth.whoami, PUT=auth.whoami, PATCH=auth.whoami),
    route("auth/token", write=Perm.READ, POST=auth.token_exchange),
    route(
        "_emulator/faults",
        auth=Auth.ADMIN,
        GET=control_faults,
        PATCH=control_faults,
        PUT=control_faults,
        POST=control_faults,
    ),
    route("_emulator/requests", auth=Auth.ADMIN, GET=control_requests, DELETE=control_requests),
    # organizations
    route("organizations/create", auth=Auth.NONE, POST=ep.create_organization),
    route("organizations", kind="organizations", GET=crud.list_objects),
    route(
        "organizations/{id}",
        kind="organizations",
        GET=crud.get,
        PUT=crud.update,
        PATCH=crud.update,
    ),
    route("organizations/{id}/limits", GET=ep.org_limits),
    # imports: uploads, tasks, documents
    route("uploads", auth=Auth.BASIC, files=True, write=Perm.IMPORT, POST=imp.post_upload),
    route("uploads/{id}", kind="uploads", GET=crud.get),
    route("uploads/{name}", auth=Auth.BASIC, files=True, write=Perm.IMPORT, POST=imp.post_upload),
    route("tasks/{id}", GET=imp.get_task),
    route(
        "documents",
        kind="documents",
        auth=Auth.BASIC,
        files=True,
        write=Perm.IMPORT,
        GET=crud.list_objects,
        POST=imp.post_document,
    ),
    route(
        "documents/{id}",
        kind="documents",
        write=Perm.IMPORT,
        perms={"DELETE": Perm.SETUP},
        GET=crud.get,
        PATCH=ep.patch_document,
        PUT=ep.patch_document,
        DELETE=imp.delete_document,
    ),
    route("documents/{id}/content", auth=Auth.BASIC, GET=imp.document_content),
    # queues
    route("queues", kind="queues", GET=crud.list_objects, POST=crud.create),
    route(
        "queues/{id}",
        kind="queues",
        GET=crud.get,
        PUT=crud.update,
        PATCH=crud.update,
        DELETE=ep.delete_queue,
    ),
    route(
        "queues/{id}/upload",
        auth=Auth.BASIC,
        files=True,
        write=Perm.IMPORT,
        POST=imp.legacy_upload,
    ),
    route(
        "queues/{id}/upload/{name}",
        auth=Auth.BASIC,
        files=True,
        write=Perm.IMPORT,
        POST=imp.legacy_upload,
    ),
    route(
        "queues/{id}/export", auth=Auth.BASIC, write=Perm.READ, GET=export_queue, POST=export_queue
    ),
    route("queues/{id}/duplicate", POST=ep.duplicate_queue),
    route("queues/{id}/next", write=Perm.ANNOTATE, POST=ep.queue_next),
    route("queues/{id}/related_objects_counts", GET=ep.related_counts),
    route("queues/{id}/automation/insights", GET=ep.automation_insights),
    route(
        "queues/{id}/automation/targets",
        GET=ep.automation_targets,
        POST=ep.automation_targets,
    ),
    route("queues/{id}/automation/projections", write=Perm.READ, POST=ep.automation_projections),
    # annotations
    route(
        "annotations",
        kind="annotations",
        write=Perm.IMPORT,
        GET=ann.list_annotations,
        POST=imp.create_annotation,
    ),
    route("annotations/search", write=Perm.READ, POST=search_annotations),
    route("annotations/assign", write=Perm.ANNOTATE, POST=ann.assign),
    route("annotations/purge_deleted", POST=ann.purge_deleted),
    route(
        "annotations/{id}",
        kind="annotations",
        write=Perm.ANNOTATE,
        GET=crud.get,
        PUT=ann.update_annotation,
        PATCH=ann.update_annotation,
        DELETE=ep.delete_annotation,
    ),
    # the permission of an action is in ann.ACTIONS
    route("annotations/{id}/{action}", write=Perm.READ, POST=ann.annotation_action),
    route(
        "annotations/{id}/content",
        write=Perm.ANNOTATE,
        GET=content.annotation_content,
        PATCH=content.annotation_content,
    ),
    route(
        "annotations/{id}/content/operations",
        write=Perm.ANNOTATE,
        POST=content.content_operations,
    ),
    route("annotations/{id}/content/validate", write=Perm.READ, POST=content.content_validate),
    route(
        "annotations/{id}/content/{node}",
        write=Perm.ANNOTATE,
        GET=content.content_node,
        PATCH=content.content_node,
    ),
    route(
        "annotations/{id}/processing_duration",
        write=Perm.ANNOTATE,
        GET=ann.processing_duration,
        PATCH=ann.processing_duration,
    ),
    # other resources
    route("hooks/logs", GET=ep.hook_logs),
    route("schemas/validate", write=Perm.READ, POST=ep.schema_validate),
    route("workspaces", kind="workspaces", GET=crud.list_objects, POST=crud.create),
    route(
        "workspaces/{id}",
        kind="workspaces",
        GET=crud.get,
        PUT=crud.update,
        PATCH=crud.update,
        DELETE=ep.delete_workspace,
    ),
    route("users", kind="users", GET=crud.list_objects, POST=crud.create),
    route(
        "users/{id}",
        kind="users",
        GET=crud.get,
        PUT=crud.update,
        PATCH=crud.update,
        DELETE=ep.delete_user,
    ),
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
