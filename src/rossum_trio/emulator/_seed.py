"""Seed data: an organization, groups, a user, a workspace, an invoice schema and a queue."""

from __future__ import annotations

import copy
from typing import Any

from ._http import Request
from ._imports import fill_content, import_file
from ._kinds import organization_defaults, queue_defaults
from ._samples import sample_invoices
from ._store import Obj, State

__all__ = [
    "GROUP_NAMES",
    "INVOICE_SCHEMA",
    "Seeded",
    "add_organization",
    "add_user",
    "add_workspace_with_queue",
    "preload_invoices",
    "seed_state",
]

SEED_TIME = "2024-01-01T00:00:00.000000Z"

GROUP_NAMES = (
    "viewer",
    "annotator",
    "admin",
    "manager",
    "annotator_limited",
    "annotator_embedded",
    "organization_group_admin",
    "approver",
)


def _dp(sid: str, label: str, dtype: str = "string", **extra: Any) -> Obj:
    return {
        "category": "datapoint",
        "id": sid,
        "label": label,
        "type": dtype,
        "rir_field_names": [sid],
        "constraints": {"required": False},
        "default_value": None,
        "hidden": False,
        "disable_prediction": False,
        "can_export": True,
        "score_threshold": None,
        **extra,
    }


INVOICE_SCHEMA: list[Obj] = [
    {
        "category": "section",
        "id": "basic_info_section",
        "label": "Basic information",
        "icon": None,
        "children": [
            _dp("document_id", "Invoice number"),
            _dp("date_issue", "Issue date", "date"),
            _dp("sender_name", "Vendor name"),
            _dp("currency", "Currency"),
        ],
    },
    {
        "category": "section",
        "id": "amounts_section",
        "label": "Amounts",
        "icon": None,
        "children": [_dp("amount_total", "Total amount", "number")],
    },
    {
        "category": "section",
        "id": "line_items_section",
        "label": "Line items",
        "icon": None,
        "children": [
            {
                "category": "multivalue",
                "id": "line_items",
                "label": "Line items",
                "min_occurrences": None,
                "max_occurrences": None,
                "rir_field_names": ["line_items"],
                "hidden": False,
                "children": {
                    "category": "tuple",
                    "id": "line_item",
                    "label": "Line item",
                    "hidden": False,
                    "rir_field_names": [],
                    "children": [
                        _dp("item_description", "Description"),
                        _dp("item_quantity", "Quantity", "number"),
                        _dp("item_amount_total", "Amount", "number"),
                    ],
                },
            }
        ],
    },
]


class Seeded:
    """Ids of the seeded objects."""

    organization_id: int
    user_id: int
    workspace_id: int
    schema_id: int
    queue_id: int
    group_ids: dict[str, int]


def add_organization(st: State, name: str, *, created_at: str, **extra: Any) -> Obj:
    """Store an organization (in the emulator's one organization group)."""
    return st.add(
        "organizations",
        {
            "name": name,
            **organization_defaults(st, created_at=created_at),
            "creator": None,
            "modified_by": None,
            "modified_at": created_at,
            **extra,
        },
    )


def add_user(
    st: State,
    org: Obj,
    username: str,
    password: str,
    *,
    first_name: str,
    last_name: str,
    role: str,
    joined_at: str,
    ui_settings: dict[str, Any] | None = None,
) -> Obj:
    """Store a user of ``org`` with one role (a group name such as ``"admin"``)."""
    groups = [g["url"] for g in st.table("groups").values() if g["name"] == role]
    user = st.add(
        "users",
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": username if "@" in username else f"{username}@example.com",
            "phone_number": None,
            "date_joined": joined_at,
            "username": username,
            "groups": groups,
            "organization": org["url"],
            "queues": [],
            "is_active": True,
            "last_login": None,
            "ui_settings": ui_settings or {},
            "metadata": {},
            "oidc_id": None,
            "auth_type": "password",
            "deleted": False,
            "email_verified": True,
        },
    )
    st.link("users", user)
    st.passwords[username] = (user["id"], password)
    return user


def add_workspace_with_queue(
    st: State, org: Obj, user: Obj | None, *, created_at: str, queue: bool = True
) -> tuple[Obj, Obj | None, Obj | None]:
    """A "Default workspace" in ``org``, with an invoice schema and an "Invoices" queue."""
    workspace = st.add(
        "workspaces",
        {
            "name": "Default workspace",
            "autopilot": False,
            "organization": org["url"],
            "queues": [],
            "metadata": {},
        },
    )
    st.link("workspaces", workspace)
    if not queue:
        return workspace, None, None
    schema = st.add(
        "schemas",
        {
            "name": "Invoice schema",
            "queues": [],
            "content": copy.deepcopy(INVOICE_SCHEMA),
            "metadata": {},
            "modified_by": None,
            "modified_at": created_at,
        },
    )
    q = st.add(
        "queues",
        {
            "name": "Invoices",
            "workspace": workspace["url"],
            "connector": None,
            "schema": schema["url"],
            "inbox": None,
            **queue_defaults(),
            "users": [user["url"]] if user is not None else [],
            "modified_by": None,
            "modified_at": created_at,
        },
    )
    st.link("queues", q)
    if user is not None:
        user["queues"].append(q["url"])
    return workspace, schema, q


def seed_state(st: State, *, username: str, password: str) -> Seeded:
    """Fill an empty state with the default organization, user, workspace, schema and queue."""
    out = Seeded()
    st.table("organization_groups")[1] = {
        "id": 1,
        "url": st.url("organization_groups", 1),
        "name": "Emulator group",
        "is_trial": False,
        "is_production": False,
        "deployment_location": "emulator",
        "modified_by": None,
        "modified_at": None,
        "features": None,
        "usage": {},
    }
    org = add_organization(st, "Emulator Organization", created_at=SEED_TIME)
    out.group_ids = {}
    for name in GROUP_NAMES:
        out.group_ids[name] = st.add("groups", {"name": name})["id"]
    user = add_user(
        st,
        org,
        username,
        password,
        first_name="Emma",
        last_name="Ulator",
        role="admin",
        joined_at=SEED_TIME,
    )
    workspace, schema, queue = add_workspace_with_queue(st, org, user, created_at=SEED_TIME)
    assert schema is not None
    assert queue is not None
    out.organization_id, out.user_id, out.workspace_id = org["id"], user["id"], workspace["id"]
    out.schema_id, out.queue_id = schema["id"], queue["id"]
    return out


def preload_invoices(st: State, seeded: Seeded, n: int, *, seed: int) -> None:
    """Import ``n`` sample invoices into the seeded queue, already in ``to_review``."""
    req = Request("POST", "", "", "", [], {}, b"", st.api, user_id=seeded.user_id)
    queue = st.table("queues")[seeded.queue_id]
    for name, data in sample_invoices(n, seed=seed):
        _, ann = import_file(st, req, queue, name, data, metadata={}, values=None)
        fill_content(st, ann)
        st.set_status(ann, "to_review")
