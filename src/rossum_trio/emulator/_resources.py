"""Generic CRUD over the object tables, and the per-resource field rules."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._http import ApiError, Request, Response, empty_response, field_error, json_response
from ._lists import apply_fields, filter_objects, order_objects, paginate
from ._store import ANNOTATION_STATUSES, Obj, State, iso_now

__all__ = ["KINDS", "Kind", "create_object", "delete_object", "list_objects", "update_object"]

Defaults = Callable[[State, Request, dict[str, Any]], Obj]


@dataclass(frozen=True)
class Kind:
    """How one resource is written: required fields, references, choices, defaults."""

    name: str
    defaults: Defaults | None = None
    """Initial field values for a create (None: read-only over the API)."""
    required: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)
    """Hyperlinked field → target kind."""
    ref_lists: dict[str, str] = field(default_factory=dict)
    """List-of-hyperlinks field → target kind."""
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    readonly: frozenset[str] = frozenset()
    write_only: frozenset[str] = frozenset()
    ordering: str = "id"
    deletable: bool = True
    after_write: Callable[[State, Obj, Obj | None], None] | None = None


def _user_url(st: State, req: Request) -> str | None:
    return st.url("users", req.user_id) if req.user_id is not None else None


def _user_org(st: State, req: Request) -> str:
    user = st.table("users").get(req.user_id or -1)
    if user is not None and user.get("organization"):
        return str(user["organization"])
    return st.url("organizations", min(st.table("organizations"), default=1))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "inbox"


def _apply(st: State, kind: Kind, obj: Obj, body: dict[str, Any]) -> None:
    for key, value in body.items():
        if key in ("id", "url") or key in kind.readonly or key not in obj:
            continue
        if key in kind.refs:
            obj[key] = st.ref(body, key, kind.refs[key])
        elif key in kind.ref_lists:
            obj[key] = st.refs(body, key, kind.ref_lists[key])
        elif key in kind.choices:
            if value not in kind.choices[key]:
                raise field_error(key, f'"{value}" is not a valid choice.')
            obj[key] = value
        elif key == "metadata" and not isinstance(value, dict):
            raise field_error("metadata", "Value must be valid JSON object.")
        elif key == "name" and (not isinstance(value, str) or not value.strip()):
            raise field_error("name", "This field may not be blank.")
        else:
            obj[key] = value


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
        raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})
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
        raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})
    if req.method == "PUT":
        _check_required(kind, body)
    old = dict(obj)
    staged = dict(obj)
    _apply(st, kind, staged, body)
    obj.update(staged)
    if "modified_at" in obj:
        obj["modified_at"] = iso_now()
        if "modified_by" in obj:
            obj["modified_by"] = _user_url(st, req)
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


def list_objects(st: State, req: Request, kind: Kind) -> Response:
    """``GET /<kind>``: filtered, ordered, paginated."""
    items = filter_objects(st, list(st.table(kind.name).values()), req.params)
    items = order_objects(st, items, req.params.get("ordering") or kind.ordering)
    page, pagination = paginate(req, items)
    results = apply_fields(req, [render(kind, o) for o in page])
    return json_response(200, {"pagination": pagination, "results": results})


def generic_delete(st: State, req: Request, kind: Kind, obj: Obj) -> Response:
    """``DELETE /<kind>/<id>`` → 204 (405 where the API does not allow it)."""
    if not kind.deletable or kind.defaults is None:
        raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})
    delete_object(st, kind, obj)
    return empty_response(204)


# ---- per-resource defaults -------------------------------------------------------------------


def _stamp(st: State, req: Request) -> Obj:
    return {"modified_by": _user_url(st, req), "modified_at": iso_now()}


def _organization(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": body.get("name") or body.get("organization_name") or "Organization",
        "workspaces": [],
        "users": [],
        "organization_group": st.url("organization_groups", 1),
        "is_trial": False,
        "created_at": iso_now(),
        "trial_expires_at": None,
        "expires_at": None,
        "oidc_provider": None,
        "ui_settings": {},
        "metadata": {},
        "settings": {},
        "sandbox": False,
        "creator": _user_url(st, req),
        **_stamp(st, req),
    }


def _workspace(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": "",
        "autopilot": False,
        "organization": _user_org(st, req),
        "queues": [],
        "metadata": {},
    }


def empty_counts() -> dict[str, int]:
    """A queue's ``counts`` with every annotation status at zero."""
    return dict.fromkeys(ANNOTATION_STATUSES, 0)


def queue_defaults() -> Obj:
    """The default values of a new queue's settings (shared by creation and the seed)."""
    return {
        "counts": empty_counts(),
        "webhooks": [],
        "hooks": [],
        "users": [],
        "session_timeout": "01:00:00",
        "rir_url": None,
        "rir_params": None,
        "generic_engine": None,
        "dedicated_engine": None,
        "engine": None,
        "default_score_threshold": 0.8,
        "automation_enabled": False,
        "automation_level": "never",
        "locale": "en_GB",
        "metadata": {},
        "use_confirmed_state": False,
        "settings": {},
        "document_lifetime": None,
        "delete_after": None,
        "status": "active",
        "workflows": [],
        "training_enabled": True,
    }


def _queue(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": "",
        "workspace": None,
        "connector": None,
        "schema": None,
        "inbox": None,
        **queue_defaults(),
        **_stamp(st, req),
    }


def _schema(st: State, req: Request, body: dict[str, Any]) -> Obj:
    content = body.get("content", [])
    if not isinstance(content, list):
        raise field_error("content", 'Expected a list of items but got type "dict".')
    return {"name": "", "queues": [], "content": [], "metadata": {}, **_stamp(st, req)}


def _inbox(st: State, req: Request, body: dict[str, Any]) -> Obj:
    prefix = body.get("email_prefix") or _slug(str(body.get("name", "inbox")))
    return {
        "name": "",
        "queues": [],
        "email": f"{prefix}-{secrets.token_hex(3)}@rossum.emulator",
        "email_prefix": prefix,
        "bounce_email_to": None,
        "bounce_unprocessable_attachments": False,
        "bounce_postponed_annotations": False,
        "bounce_deleted_annotations": False,
        "bounce_email_with_no_attachments": True,
        "metadata": {},
        "filters": {
            "allowed_senders": [],
            "denied_senders": [],
            "document_rejection_conditions": {},
        },
        "dmarc_check_action": "accept",
        **_stamp(st, req),
    }


def _inbox_after(st: State, inbox: Obj, old: Obj | None) -> None:
    for url in (old or {}).get("queues", []):
        q = st.resolve(url)
        if q is not None and q.get("inbox") == inbox["url"]:
            q["inbox"] = None
    for url in inbox.get("queues", []):
        q = st.resolve(url)
        if q is not None:
            q["inbox"] = inbox["url"]


def _connector(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": "",
        "queues": [],
        "service_url": "",
        "params": None,
        "client_ssl_certificate": None,
        "client_ssl_key": None,
        "authorization_type": "secret_key",
        "authorization_token": secrets.token_hex(20),
        "asynchronous": True,
        "metadata": {},
        **_stamp(st, req),
    }


def _hook(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": "",
        "type": "webhook",
        "queues": [],
        "run_after": [],
        "active": True,
        "events": [],
        "sideload": [],
        "metadata": {},
        "config": {},
        "token_owner": None,
        "token_lifetime_s": None,
        "test": {},
        "description": None,
        "extension_source": "custom",
        "settings": {},
        "settings_schema": None,
        "secrets": {},
        "secrets_schema": None,
        "guide": None,
        "read_more_url": None,
        "extension_image_url": None,
        "hook_template": None,
        "status": "ready",
        "created_by": _user_url(st, req),
        "created_at": iso_now(),
        **_stamp(st, req),
    }


def _user(st: State, req: Request, body: dict[str, Any]) -> Obj:
    if not body.get("username") and not body.get("email"):
        raise field_error("username", "This field is required.")
    username = body.get("username") or body.get("email")
    if isinstance(username, str) and username in st.passwords:
        raise field_error("username", "A user with that username already exists.")
    return {
        "first_name": "",
        "last_name": "",
        "email": body.get("email") or (username if isinstance(username, str) else ""),
        "phone_number": None,
        "date_joined": iso_now(),
        "username": username,
        "groups": [],
        "organization": _user_org(st, req),
        "queues": [],
        "is_active": True,
        "last_login": None,
        "ui_settings": {},
        "metadata": {},
        "oidc_id": None,
        "auth_type": "password",
        "deleted": False,
        "email_verified": False,
        "password": None,
    }


def _user_after(st: State, user: Obj, old: Obj | None) -> None:
    password = user.pop("password", None)
    user["password"] = None
    if old is not None and old.get("username") != user["username"]:
        st.passwords.pop(old["username"], None)
    current = st.passwords.get(user["username"])
    st.passwords[user["username"]] = (
        user["id"],
        password
        if isinstance(password, str)
        else (current[1] if current else secrets.token_hex(8)),
    )


def _relation(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {"type": "edit", "key": None, "parent": None, "annotations": []}


def _document_relation(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {"type": "export", "key": None, "annotation": None, "documents": []}


def _document_relation_after(st: State, rel: Obj, old: Obj | None) -> None:
    for other in st.table("document_relations").values():
        if other is not rel and all(
            other.get(k) == rel.get(k) for k in ("type", "key", "annotation")
        ):
            if old is None:
                st.table("document_relations").pop(rel["id"], None)
            else:
                rel.clear()
                rel.update(old)
            raise ApiError(
                400,
                {"non_field_errors": ["The fields type, key, annotation must make a unique set."]},
            )


def _email_template(st: State, req: Request, body: dict[str, Any]) -> Obj:
    queue = st.resolve(st.ref(body, "queue", "queues", required=True))
    ws = st.resolve(queue.get("workspace")) if queue else None
    return {
        "name": "",
        "queue": None,
        "organization": ws.get("organization") if ws else _user_org(st, req),
        "subject": "",
        "message": "",
        "type": "custom",
        "enabled": True,
        "automate": False,
        "triggers": [],
        "to": [],
        "cc": [],
        "bcc": [],
    }


def _rule(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": "",
        "enabled": True,
        "organization": _user_org(st, req),
        "schema": None,
        "queues": [],
        "trigger_condition": "True",
        "created_by": _user_url(st, req),
        "created_at": iso_now(),
        "rule_template": None,
        "synchronized_from_template": False,
        "actions": [],
        "description": "",
        **_stamp(st, req),
    }


def _note(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "annotation": None,
        "content": "",
        "type": "info",
        "creator": _user_url(st, req),
        "created_at": iso_now(),
        "metadata": {},
        **_stamp(st, req),
    }


def _mk(name: str, **kw: Any) -> Kind:
    return Kind(name, **kw)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        _mk(
            "organizations",
            defaults=_organization,
            readonly=frozenset({"workspaces", "users", "created_at", "is_trial"}),
            deletable=False,
        ),
        _mk(
            "workspaces",
            defaults=_workspace,
            required=("name",),
            refs={"organization": "organizations"},
            readonly=frozenset({"queues"}),
        ),
        _mk(
            "queues",
            defaults=_queue,
            required=("name", "schema"),
            refs={
                "workspace": "workspaces",
                "schema": "schemas",
                "connector": "connectors",
                "inbox": "inboxes",
            },
            ref_lists={"users": "users"},
            choices={"automation_level": ("never", "confident", "always")},
            readonly=frozenset(
                {"counts", "hooks", "webhooks", "status", "modified_at", "modified_by"}
            ),
        ),
        _mk(
            "schemas",
            defaults=_schema,
            required=("name",),
            readonly=frozenset({"queues", "modified_at", "modified_by"}),
        ),
        _mk(
            "inboxes",
            defaults=_inbox,
            required=("name", "queues"),
            ref_lists={"queues": "queues"},
            choices={"dmarc_check_action": ("accept", "drop")},
            readonly=frozenset({"email"}),
            after_write=_inbox_after,
        ),
        _mk(
            "connectors",
            defaults=_connector,
            required=("name",),
            readonly=frozenset({"queues"}),
            write_only=frozenset({"client_ssl_key"}),
        ),
        _mk(
            "hooks",
            defaults=_hook,
            required=("name",),
            ref_lists={"queues": "queues", "run_after": "hooks"},
            choices={"type": ("webhook", "function", "job")},
            readonly=frozenset({"created_by", "created_at"}),
        ),
        _mk(
            "users",
            defaults=_user,
            refs={"organization": "organizations"},
            ref_lists={"groups": "groups", "queues": "queues"},
            readonly=frozenset({"date_joined", "last_login", "deleted"}),
            write_only=frozenset({"password"}),
            after_write=_user_after,
        ),
        _mk("groups", ordering="id"),
        _mk(
            "relations",
            defaults=_relation,
            required=("annotations",),
            refs={"parent": "annotations"},
            ref_lists={"annotations": "annotations"},
            choices={"type": ("edit", "attachment", "duplicate")},
        ),
        _mk(
            "document_relations",
            defaults=_document_relation,
            required=("annotation",),
            refs={"annotation": "annotations"},
            ref_lists={"documents": "documents"},
            choices={"type": ("export", "einvoice")},
            ordering="-id",
            after_write=_document_relation_after,
        ),
        _mk(
            "email_templates",
            defaults=_email_template,
            required=("name", "queue"),
            refs={"queue": "queues"},
            choices={
                "type": (
                    "rejection",
                    "rejection_default",
                    "email_with_no_processable_attachments",
                    "custom",
                )
            },
            readonly=frozenset({"organization"}),
        ),
        _mk(
            "rules",
            defaults=_rule,
            required=("name",),
            refs={"organization": "organizations", "schema": "schemas"},
            ref_lists={"queues": "queues"},
            readonly=frozenset({"created_by", "created_at"}),
        ),
        _mk("notes", defaults=_note, required=("annotation",), refs={"annotation": "annotations"}),
        # created by the import machinery; documents/annotations get their own writers
        _mk("documents", deletable=True),
        _mk("annotations", deletable=True),
        _mk("pages"),
        _mk("uploads"),
        _mk("tasks"),
        _mk("automation_blockers"),
        _mk("engines"),
        _mk("engine_fields"),
        _mk("hook_templates"),
        _mk("organization_groups"),
        _mk("rules_execution_logs"),
        _mk("emails"),
        _mk("labels"),
        _mk("workflows"),
    )
}
