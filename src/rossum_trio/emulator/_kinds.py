"""The resources: per-kind field rules (required fields, references, choices, validators, defaults).

Validation follows the reference where it states a constraint (queue names up to 255 characters,
metadata up to 4 kB per object, schema ids up to 50 characters, hook events and token lifetimes,
note contents up to 4096 characters); the emulator applies the 255-character limit to every
``name``. Failures are DRF field errors: 400 ``{"<field>": ["message"]}``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._http import ApiError, Request, field_error
from ._store import ANNOTATION_STATUSES, Obj, State, iso_now
from ._validation import (
    Validator,
    hook_config,
    hook_events,
    integer,
    metadata,
    schema_content,
    text,
)

__all__ = [
    "KINDS",
    "Kind",
    "check_body",
    "empty_counts",
    "organization_defaults",
    "queue_defaults",
    "user_org",
    "user_url",
]

Defaults = Callable[[State, Request, dict[str, Any]], Obj]


@dataclass(frozen=True)
class Kind:
    """How one resource is written: required fields, references, choices, validators, defaults."""

    name: str
    defaults: Defaults | None = None
    """Initial field values for a create (None: read-only over the API)."""
    required: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)
    """Hyperlinked field → target kind."""
    ref_lists: dict[str, str] = field(default_factory=dict)
    """List-of-hyperlinks field → target kind."""
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    validators: dict[str, Validator] = field(default_factory=dict)
    """Field → validator (on top of the generic name/metadata/type checks)."""
    readonly: frozenset[str] = frozenset()
    write_only: frozenset[str] = frozenset()
    ordering: str = "id"
    deletable: bool = True
    after_write: Callable[[State, Obj, Obj | None], None] | None = None


def user_url(st: State, req: Request) -> str | None:
    """The URL of the requesting user (None without one)."""
    return st.url("users", req.user_id) if req.user_id is not None else None


def user_org(st: State, req: Request) -> str:
    """The organization URL of the requesting user (else the first organization)."""
    user = st.table("users").get(req.user_id or -1)
    if user is not None and user.get("organization"):
        return str(user["organization"])
    return st.url("organizations", min(st.table("organizations"), default=1))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "inbox"


def check_body(st: State, kind: Kind, key: str, value: Any) -> Any:
    """The value to store for ``key`` (validators, choices, name, metadata); 400 otherwise."""
    try:
        if key in kind.validators:
            return kind.validators[key](value)
        if key in kind.choices:
            if not isinstance(value, str) or value not in kind.choices[key]:
                raise ValueError(f'"{value}" is not a valid choice.')
            return value
        if key == "name":
            return text(255, blank=False)(value)
        if key == "metadata":
            return metadata(value)
    except ValueError as exc:
        raise field_error(key, str(exc)) from None
    return value


# ---- per-resource defaults -------------------------------------------------------------------


def _stamp(st: State, req: Request) -> Obj:
    return {"modified_by": user_url(st, req), "modified_at": iso_now()}


def organization_defaults(st: State, *, created_at: str) -> Obj:
    """The initial values of a new organization's fields, from ``workspaces`` to ``sandbox``
    (shared by creation and the seed)."""
    return {
        "workspaces": [],
        "users": [],
        "organization_group": st.url("organization_groups", 1),
        "is_trial": False,
        "created_at": created_at,
        "trial_expires_at": None,
        "expires_at": None,
        "oidc_provider": None,
        "ui_settings": {},
        "metadata": {},
        "settings": {},
        "sandbox": False,
    }


def _organization(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": body.get("name") or body.get("organization_name") or "Organization",
        **organization_defaults(st, created_at=iso_now()),
        "creator": user_url(st, req),
        **_stamp(st, req),
    }


def _workspace(st: State, req: Request, body: dict[str, Any]) -> Obj:
    return {
        "name": "",
        "autopilot": False,
        "organization": user_org(st, req),
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
        "created_by": user_url(st, req),
        "created_at": iso_now(),
        **_stamp(st, req),
    }


def _user(st: State, req: Request, body: dict[str, Any]) -> Obj:
    if not body.get("username") and not body.get("email"):
        raise field_error("username", "This field is required.")
    key = "username" if body.get("username") else "email"
    username = check_body(st, KINDS["users"], key, body[key])
    if username in st.passwords:
        raise field_error("username", "A user with that username already exists.")
    return {
        "first_name": "",
        "last_name": "",
        "email": username,
        "phone_number": None,
        "date_joined": iso_now(),
        "username": username,
        "groups": [],
        "organization": user_org(st, req),
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
        "organization": ws.get("organization") if ws else user_org(st, req),
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
        "organization": user_org(st, req),
        "schema": None,
        "queues": [],
        "trigger_condition": "True",
        "created_by": user_url(st, req),
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
        "creator": user_url(st, req),
        "created_at": iso_now(),
        "metadata": {},
        **_stamp(st, req),
    }


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "organizations",
            defaults=_organization,
            readonly=frozenset({"workspaces", "users", "created_at", "is_trial"}),
            deletable=False,
        ),
        Kind(
            "workspaces",
            defaults=_workspace,
            required=("name",),
            refs={"organization": "organizations"},
            readonly=frozenset({"queues"}),
        ),
        Kind(
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
        Kind(
            "schemas",
            defaults=_schema,
            required=("name",),
            validators={"content": schema_content},
            readonly=frozenset({"queues", "modified_at", "modified_by"}),
        ),
        Kind(
            "inboxes",
            defaults=_inbox,
            required=("name", "queues"),
            ref_lists={"queues": "queues"},
            choices={"dmarc_check_action": ("accept", "drop")},
            validators={"email_prefix": text(57, blank=False)},
            readonly=frozenset({"email"}),
            after_write=_inbox_after,
        ),
        Kind(
            "connectors",
            defaults=_connector,
            required=("name",),
            readonly=frozenset({"queues"}),
            write_only=frozenset({"client_ssl_key"}),
        ),
        Kind(
            "hooks",
            defaults=_hook,
            required=("name",),
            ref_lists={"queues": "queues", "run_after": "hooks"},
            choices={"type": ("webhook", "function")},
            validators={
                "events": hook_events,
                "config": hook_config,
                "token_lifetime_s": integer(0, 7200),
            },
            readonly=frozenset({"created_by", "created_at"}),
        ),
        Kind(
            "users",
            defaults=_user,
            refs={"organization": "organizations"},
            ref_lists={"groups": "groups", "queues": "queues"},
            readonly=frozenset({"date_joined", "last_login", "deleted"}),
            validators={
                "username": text(150, blank=False),
                "email": text(254),
                "first_name": text(150),
                "last_name": text(150),
            },
            write_only=frozenset({"password"}),
            after_write=_user_after,
        ),
        Kind("groups", ordering="id"),
        Kind(
            "relations",
            defaults=_relation,
            required=("annotations",),
            refs={"parent": "annotations"},
            ref_lists={"annotations": "annotations"},
            choices={"type": ("edit", "attachment", "duplicate")},
        ),
        Kind(
            "document_relations",
            defaults=_document_relation,
            required=("annotation",),
            refs={"annotation": "annotations"},
            ref_lists={"documents": "documents"},
            choices={"type": ("export", "einvoice")},
            ordering="-id",
            after_write=_document_relation_after,
        ),
        Kind(
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
        Kind(
            "rules",
            defaults=_rule,
            required=("name",),
            refs={"organization": "organizations", "schema": "schemas"},
            ref_lists={"queues": "queues"},
            readonly=frozenset({"created_by", "created_at"}),
        ),
        Kind(
            "notes",
            defaults=_note,
            required=("annotation",),
            refs={"annotation": "annotations"},
            validators={"content": text(4096)},
        ),
        # created by the import machinery; documents/annotations get their own writers
        Kind("documents", deletable=True),
        Kind("annotations", deletable=True),
        Kind("pages"),
        Kind("uploads"),
        Kind("tasks"),
        Kind("automation_blockers"),
        Kind("engines"),
        Kind("engine_fields"),
        Kind("hook_templates"),
        Kind("organization_groups"),
        Kind("rules_execution_logs"),
        Kind("emails"),
        Kind("labels"),
        Kind("workflows"),
    )
}
