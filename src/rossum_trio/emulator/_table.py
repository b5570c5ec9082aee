"""The route table of the emulator: path patterns, handlers per method, auth modes."""

from __future__ import annotations

from . import _annotations as ann
from . import _auth as auth
from . import _imports as imp
from . import _routes as r
from ._export import export_queue
from ._search import search_annotations

__all__ = ["route_table"]

Spec = tuple[str, dict[str, r.Handler], str]


def route_table(control_faults: r.Handler, control_requests: r.Handler) -> list[Spec]:
    """Every route: (pattern, handlers per method, auth mode); first match wins."""
    oid = r"(?P<id>\d+)"
    routes: list[Spec] = [
        ("", {"GET": r.directory}, "none"),
        ("auth/login", {"POST": auth.login}, "none"),
        ("auth/logout", {"POST": auth.logout}, "token"),
        ("auth/user", {"GET": auth.whoami, "PUT": auth.whoami, "PATCH": auth.whoami}, "token"),
        ("auth/token", {"POST": auth.token_exchange}, "token"),
        (
            "_emulator/faults",
            {m: control_faults for m in ("GET", "PATCH", "PUT", "POST")},
            "none",
        ),
        ("_emulator/requests", {m: control_requests for m in ("GET", "DELETE")}, "none"),
        ("organizations/create", {"POST": r.create_organization}, "none"),
        ("organizations", {"GET": r._list("organizations")}, "token"),
        (
            f"organizations/{oid}",
            {
                "GET": r._get("organizations"),
                "PUT": r._update("organizations"),
                "PATCH": r._update("organizations"),
            },
            "token",
        ),
        (f"organizations/{oid}/limits", {"GET": r.org_limits}, "token"),
        # uploads, tasks, documents
        ("uploads", {"POST": lambda st, req, g: imp.post_upload(st, req)}, "basic"),
        (f"uploads/{oid}", {"GET": r._get("uploads")}, "token"),
        (
            r"uploads/(?P<name>[^/]+)",
            {"POST": lambda st, req, g: imp.post_upload(st, req, g["name"])},
            "basic",
        ),
        (f"tasks/{oid}", {"GET": lambda st, req, g: imp.get_task(st, req, int(g["id"]))}, "token"),
        (
            "documents",
            {"GET": r._list("documents"), "POST": lambda st, req, g: imp.post_document(st, req)},
            "basic",
        ),
        (
            f"documents/{oid}",
            {
                "GET": r._get("documents"),
                "PATCH": r.patch_document,
                "PUT": r.patch_document,
                "DELETE": lambda st, req, g: imp.delete_document(st, req, int(g["id"])),
            },
            "token",
        ),
        (
            f"documents/{oid}/content",
            {"GET": lambda st, req, g: imp.document_content(st, req, int(g["id"]))},
            "basic",
        ),
        # queues
        ("queues", {"GET": r._list("queues"), "POST": r._create("queues")}, "token"),
        (
            f"queues/{oid}",
            {
                "GET": r._get("queues"),
                "PUT": r._update("queues"),
                "PATCH": r._update("queues"),
                "DELETE": r.delete_queue,
            },
            "token",
        ),
        (
            f"queues/{oid}/upload",
            {"POST": lambda st, req, g: imp.legacy_upload(st, req, int(g["id"]))},
            "basic",
        ),
        (
            rf"queues/{oid}/upload/(?P<name>[^/]+)",
            {"POST": lambda st, req, g: imp.legacy_upload(st, req, int(g["id"]), g["name"])},
            "basic",
        ),
        (
            f"queues/{oid}/export",
            {m: lambda st, req, g: export_queue(st, req, int(g["id"])) for m in ("GET", "POST")},
            "basic",
        ),
        (f"queues/{oid}/duplicate", {"POST": r.duplicate_queue}, "token"),
        (f"queues/{oid}/next", {"POST": r.queue_next}, "token"),
        (f"queues/{oid}/related_objects_counts", {"GET": r.related_counts}, "token"),
        (f"queues/{oid}/automation/insights", {"GET": r.automation_insights}, "token"),
        (
            f"queues/{oid}/automation/targets",
            {"GET": r.automation_targets, "POST": r.automation_targets},
            "token",
        ),
        (f"queues/{oid}/automation/projections", {"POST": r.automation_projections}, "token"),
        # annotations
        (
            "annotations",
            {
                "GET": lambda st, req, g: ann.list_annotations(st, req),
                "POST": lambda st, req, g: imp.create_annotation(st, req),
            },
            "token",
        ),
        ("annotations/search", {"POST": lambda st, req, g: search_annotations(st, req)}, "token"),
        (
            "annotations/assign",
            {"POST": lambda st, req, g: ann.bulk_action(st, req, "assign")},
            "token",
        ),
        (
            "annotations/purge_deleted",
            {"POST": lambda st, req, g: ann.bulk_action(st, req, "purge")},
            "token",
        ),
        (
            f"annotations/{oid}",
            {
                "GET": r._get("annotations"),
                "PUT": lambda st, req, g: ann.update_annotation(st, req, int(g["id"])),
                "PATCH": lambda st, req, g: ann.update_annotation(st, req, int(g["id"])),
                "DELETE": r.delete_annotation,
            },
            "token",
        ),
        (
            f"annotations/{oid}/(?P<action>{r.ANNOTATION_ACTIONS})",
            {"POST": lambda st, req, g: ann.annotation_action(st, req, int(g["id"]), g["action"])},
            "token",
        ),
        (
            f"annotations/{oid}/content",
            {
                m: lambda st, req, g: ann.annotation_content(st, req, int(g["id"]))
                for m in ("GET", "PATCH")
            },
            "token",
        ),
        (
            f"annotations/{oid}/content/operations",
            {"POST": lambda st, req, g: ann.content_operations(st, req, int(g["id"]))},
            "token",
        ),
        (
            f"annotations/{oid}/content/validate",
            {"POST": lambda st, req, g: ann.content_validate(st, req, int(g["id"]))},
            "token",
        ),
        (
            rf"annotations/{oid}/content/(?P<node>\d+)",
            {
                m: lambda st, req, g: ann.annotation_content(st, req, int(g["id"]), int(g["node"]))
                for m in ("GET", "PATCH")
            },
            "token",
        ),
        (
            f"annotations/{oid}/processing_duration",
            {
                m: lambda st, req, g: ann.processing_duration(st, req, int(g["id"]))
                for m in ("GET", "PATCH")
            },
            "token",
        ),
        # others
        ("hooks/logs", {"GET": r.hook_logs}, "token"),
        ("schemas/validate", {"POST": r.schema_validate}, "token"),
        ("workspaces", {"GET": r._list("workspaces"), "POST": r._create("workspaces")}, "token"),
        (
            f"workspaces/{oid}",
            {
                "GET": r._get("workspaces"),
                "PUT": r._update("workspaces"),
                "PATCH": r._update("workspaces"),
                "DELETE": r.delete_workspace,
            },
            "token",
        ),
        ("users", {"GET": r._list("users"), "POST": r._create("users")}, "token"),
        (
            f"users/{oid}",
            {
                "GET": r._get("users"),
                "PUT": r._update("users"),
                "PATCH": r._update("users"),
                "DELETE": r.delete_user,
            },
            "token",
        ),
    ]
    for kind in (
        "schemas",
        "inboxes",
        "connectors",
        "hooks",
        "relations",
        "document_relations",
        "email_templates",
        "rules",
        "notes",
    ):
        routes += r.crud(kind)
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
    ):
        routes += r.read_only(kind)
    return routes
