"""Strategies of the fuzz test: route-aware requests that start valid and are then mutated.

Bodies start from an example of what the route accepts (so the fuzz reaches past validation
into the handlers) and get mutated: keys dropped, values replaced by arbitrary JSON, keys added.
Ids are mostly those of existing objects of the emulator (one imported invoice), sometimes not.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import msgspec
from hypothesis import strategies as st

from rossum_trio.emulator import INVOICE_SCHEMA, sample_invoices
from rossum_trio.emulator._annotations import ACTIONS
from rossum_trio.emulator._routing import ROUTES, Route

API = "http://rossum.emulator/api/v1"


def _words(text: str) -> list[str]:
    return text.split()


Q, S, W, U, A, D, ORG = (
    f"{API}/queues/300",
    f"{API}/schemas/200",
    f"{API}/workspaces/100",
    f"{API}/users/10",
    f"{API}/annotations/2000",
    f"{API}/documents/1000",
    f"{API}/organizations/1",
)
GROUP = f"{API}/groups/2"
URLS = [Q, S, W, U, A, D, ORG, GROUP, f"{API}/queues/999"]
PDF = sample_invoices(1, seed=5)[0][1]
# content nodes of the preloaded invoice: datapoints 10000001.., the line-items multivalue
NODES = [10_000_001, 10_000_002, 10_000_006, 10_000_008, 10_000_009, 10_000_010, 5, 10**17]
IDS = {
    "queues": [300, 301],
    "schemas": [200],
    "workspaces": [100, 101],
    "users": [10, 11, 12],
    "annotations": [2000, 2001, 2002],
    "documents": [1000, 1001],
    "organizations": [1, 2],
    "groups": [1, 3, 8],
    "pages": [5000],
    "uploads": [3000],
    "tasks": [4000],
    "hooks": [600],
    "relations": [6000],
    "document_relations": [6500],
    "notes": [7000],
    "inboxes": [400],
    "connectors": [500],
    "email_templates": [700],
    "rules": [800],
}
WORDS = [
    *("", "x", "to_review", "reviewing", "exported", "postponed", "deleted", "confirmed"),
    *("annotation_status", "annotation_content.updated", "upload.created", "webhook", "function"),
    *("duplicate", "edit", "admin", "viewer", "1 00:00:00", "inf", "nan", "-1", "2024-01-01"),
    *("2024-01-01T00:00:00Z", "CZ Demo Template", "Empty Organization Template", "a\r\nb"),
    *("\x00", "ünïcödé", "x" * 300, "x" * 1600, "{}", "[1]", "never", "always", "custom"),
    *(Q, S, W, U, A, D, ORG, GROUP, f"{API}/queues/999", f"{API}/hooks/600"),
]
KEYS = [
    *_words(
        """
        name metadata queue queues schema workspace organization content events config type
        token_lifetime_s status statuses target_queue target_status rotation_deg operations
        query query_string annotations assignees note_content username email password groups
        parent key document documents values session_timeout automation_level settings id
        latency_s error_rate storm_429 rate_limit_per_s path_pattern slow_body_chunk hidden
        options validation_sources op value children category schema_id page position $and $or
        $in $nin $eq $gt $startsWith $containsPrefixes $emptyOrMissing string
        """
    ),
]
QUERY_KEYS = [
    *_words(
        """
        page page_size ordering sideload content.schema_id include_total fields fields! id
        status queue queue__workspace relations__parent relations__type relations__key search
        format columns prepend_columns append_columns delimiter quote_char quoting escape_char
        to_status search_after no_redirect delete_after reimport reject_identical name
        arrived_at_after arrived_at_before created_at_after modifier workspace x__y__z
        """
    ),
]
QUERY_VALUES = [
    *WORDS,
    *("1", "2", "100", "1000", "0", "last", "9" * 30, "true", "false", "null", "json", "csv"),
    *("xml", "xlsx", "exporting", "-id", "name,-id", "metadata", "counts__to_review", "300,301"),
    *("documents,content,queues,relations,notes", "quote_none", "amount_total,meta_file_name"),
]

_SEARCH = {
    "query": {"$and": [{"status": {"$in": ["to_review"]}}, {"queue": {"$eq": Q}}]},
    "query_string": {"string": "invoice"},
}
_OPS = {
    "operations": [
        {"op": "replace", "id": 10_000_001, "value": {"content": {"value": "X1"}}},
        {
            "op": "add",
            "id": 10_000_008,
            "value": [{"schema_id": "item_description", "content": {"value": "Bolts"}}],
        },
        {"op": "remove", "id": 10_000_009},
    ]
}
EXAMPLES: dict[str, list[Any]] = {
    "auth/login": [{"username": "emma@rossum.emulator", "password": "emulator-password"}],
    "auth/token": [{"scope": "default", "max_token_lifetime_s": 60}],
    "auth/user": [{"first_name": "E", "metadata": {"a": 1}}],
    "_emulator/faults": [{"storm_429": 1}, {"fail_next": 1, "fail_status": 500}, {"latency_s": 1}],
    "organizations/create": [
        {
            "template_name": "CZ Demo Template",
            "organization_name": "Org",
            "user_fullname": "A B",
            "user_email": "a@b.test",
            "create_key": "<create_key>",
        }
    ],
    "organizations/{id}": [{"name": "O2", "metadata": {"m": 1}, "ui_settings": {}}],
    "workspaces": [{"name": "W", "organization": ORG, "metadata": {"a": 1}}],
    "workspaces/{id}": [{"name": "W2", "metadata": {}}],
    "queues": [{"name": "Q", "schema": S, "workspace": W, "automation_level": "never"}],
    "queues/{id}": [{"name": "Q2", "use_confirmed_state": True, "settings": {"a": 1}, "schema": S}],
    "queues/{id}/duplicate": [{"name": "Dup"}],
    "queues/{id}/automation/targets": [{"target": 0.5}],
    "schemas": [{"name": "S2", "content": INVOICE_SCHEMA}],
    "schemas/{id}": [{"name": "S3", "content": INVOICE_SCHEMA[:1]}],
    "schemas/validate": [{"content": INVOICE_SCHEMA}],
    "hooks": [
        {
            "name": "H",
            "type": "webhook",
            "events": ["annotation_status"],
            "config": {"url": "https://example.com", "timeout_s": 30},
            "queues": [Q],
            "token_lifetime_s": 60,
        }
    ],
    "hooks/{id}": [{"name": "H2", "events": ["upload.created"], "active": False}],
    "users": [{"username": "u@x.test", "groups": [GROUP], "password": "pw", "queues": [Q]}],
    "users/{id}": [{"first_name": "F", "groups": [GROUP]}],
    "connectors/{id}": [{"name": "C2", "service_url": "https://example.org"}],
    "inboxes/{id}": [{"name": "I2", "queues": [Q]}],
    "email_templates/{id}": [{"name": "T2", "queue": Q}],
    "rules/{id}": [{"name": "R2", "enabled": False}],
    "relations/{id}": [{"annotations": [A], "type": "duplicate"}],
    "notes/{id}": [{"annotation": A, "content": "d"}],
    "document_relations/{id}": [{"annotation": A, "documents": []}],
    "inboxes": [{"name": "I", "queues": [Q], "email_prefix": "abc"}],
    "connectors": [{"name": "C", "service_url": "https://example.com"}],
    "relations": [{"type": "edit", "parent": A, "annotations": [A], "key": "k"}],
    "document_relations": [{"type": "einvoice", "annotation": A, "documents": [D], "key": "k2"}],
    "email_templates": [{"name": "T", "queue": Q, "type": "custom", "subject": "s"}],
    "rules": [{"name": "R", "schema": S, "queues": [Q]}],
    "notes": [{"annotation": A, "content": "c"}],
    "annotations": [{"status": "created", "queue": Q, "document": D, "metadata": {}}],
    "annotations/{id}": [{"status": "to_review", "metadata": {"x": 1}, "queue": Q, "document": D}],
    "annotations/{id}/start": [{"statuses": ["to_review", "postponed"]}],
    "annotations/{id}/rotate": [{"rotation_deg": 90}],
    "annotations/{id}/copy": [{"target_queue": Q, "target_status": "postponed"}],
    "annotations/{id}/reject": [{"note_content": "wrong"}],
    "annotations/{id}/{action}": [{}, {"processing_duration": 1.5}],
    "annotations/{id}/content": [{"content": [{"id": 10_000_001, "content": {"value": "7"}}]}],
    "annotations/{id}/content/{node}": [
        {"content": {"value": "v", "position": [1, 2, 3, 4], "page": 1}, "hidden": False}
    ],
    "annotations/{id}/content/operations": [_OPS],
    "annotations/{id}/content/validate": [{"actions": ["user_update"]}],
    "annotations/{id}/processing_duration": [{"time_spent_active": 1.5}],
    "annotations/search": [_SEARCH, {}],
    "annotations/assign": [{"annotations": [A], "assignees": [U]}],
    "annotations/purge_deleted": [{"annotations": [A], "queue": Q}],
    "documents/{id}": [{"metadata": {"a": 1}, "original_file_name": "b.pdf", "parent": D}],
}
FILE_ROUTES = {
    "uploads",
    "uploads/{name}",
    "documents",
    "queues/{id}/upload",
    "queues/{id}/upload/{name}",
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.sampled_from([0, 1, 90, 7200, 7201, -1, 10**15, 1.5])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: Any, value: Any) -> Any:
    """``value`` with a few random changes, anywhere in it."""
    if isinstance(value, dict) and value and draw(st.integers(0, 3)) > 0:
        out = dict(value)
        key = draw(st.sampled_from(sorted(out)))
        change = draw(st.sampled_from(["drop", "replace", "deeper", "add"]))
        if change == "drop":
            del out[key]
        elif change == "replace":
            out[key] = draw(scalars | json_values)
        elif change == "deeper":
            out[key] = draw(mutated(out[key]))
        else:
            out[draw(st.sampled_from(KEYS))] = draw(json_values)
        return out
    if isinstance(value, list) and value and draw(st.booleans()):
        out_list = list(value)
        i = draw(st.integers(0, len(out_list) - 1))
        out_list[i] = draw(mutated(out_list[i]) | json_values)
        return out_list
    return draw(st.just(value) | json_values) if draw(st.integers(0, 4)) == 0 else value


def _fill(route: Route, draw: Any, action: str | None = None) -> tuple[str, str]:
    """(path, the template its body example is found under)."""
    kind = route.template.split("/", 1)[0]
    chosen = {"template": route.template}

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "id":
            known = IDS.get(kind, [1])
            if draw(st.integers(0, 3)):
                return str(draw(st.sampled_from(known)))
            return str(draw(st.sampled_from([0, 10**17, 999])))
        if name == "node":
            return str(draw(st.sampled_from(NODES)))
        if name == "action":
            name = action or draw(st.sampled_from(sorted(ACTIONS)))
            chosen["template"] = route.template.replace("{action}", name)
            return str(name)
        return quote(
            draw(st.sampled_from(["a.pdf", "ü x.pdf", "a%0Db"]) | st.text(min_size=1)), safe=""
        )

    path = re.sub(r"\{(\w+)\}", one, route.template)
    template = chosen["template"] if chosen["template"] in EXAMPLES else route.template
    return path, template


@st.composite
def multipart(draw: Any) -> tuple[bytes, bytes]:
    boundary = draw(st.sampled_from([b"b0undary", b"b0undary", b"x", b""]))
    parts = [(b"content", b"invoice.pdf", PDF)] if draw(st.integers(0, 3)) else []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from([b"content", b"metadata", b"values", b"parent", b"zzz"]))
        filename = draw(
            st.none() | st.sampled_from([b"", b"a.pdf", b"a\r\nb.pdf", "ü.pdf".encode(), b"../x"])
        )
        data = draw(
            st.sampled_from(
                [b"", PDF[:40], b"{}", b'{"a": 1}', b"[1]", b"{bad", b"\xff", D.encode()]
            )
            | st.binary(max_size=20)
        )
        parts.append((name, filename, data))
    chunks = []
    for name, filename, data in parts:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        chunks.append(
            b"--" + boundary + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + data
        )
    body = b"\r\n".join(chunks) + (b"\r\n--" + boundary + b"--\r\n" if chunks else b"")
    return b"multipart/form-data" + (b"; boundary=" + boundary if boundary else b""), body


@st.composite
def body_for(draw: Any, template: str, create_key: str) -> tuple[bytes | None, bytes]:
    kind = draw(st.sampled_from(["example"] * 8 + ["none", "json", "raw", "form", "deep"]))
    if template in FILE_ROUTES and kind == "example":
        return draw(multipart())
    if kind == "example" and template in EXAMPLES:
        value = draw(st.sampled_from(EXAMPLES[template]))
        for _ in range(draw(st.integers(0, 3))):
            value = draw(mutated(value))
        text = msgspec.json.encode(value).replace(b"<create_key>", create_key.encode())
        return b"application/json", text
    if kind in ("none", "example"):
        return None, b""
    if kind == "json":
        return b"application/json", msgspec.json.encode(draw(json_values))
    if kind == "raw":
        return draw(st.none() | st.just(b"application/pdf")), draw(st.binary(max_size=64))
    if kind == "form":
        pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(WORDS)), max_size=4))
        return b"application/x-www-form-urlencoded", "&".join(
            f"{quote(k)}={quote(v)}" for k, v in pairs
        ).encode()
    depth = draw(st.sampled_from([63, 65, 1000, 5000]))
    return b"application/json", b'{"a":' * depth + b"1" + b"}" * depth


@st.composite
def requests(
    draw: Any,
    tokens: dict[str, str],
    create_key: str,
    target: tuple[Route, str | None] | None = None,
) -> dict[str, Any]:
    """One request (to ``target`` mostly, when given): method, path, query, headers and body
    chunks for ``asgi_support.call``."""
    route: Route | None = None
    template = ""
    if draw(st.integers(0, 29)) == 0:
        path = "/" + "/".join(draw(st.lists(st.text(max_size=8), max_size=4)))
    else:
        action = None
        if target is not None and draw(st.integers(0, 3)):
            route, action = target
        else:
            route = draw(st.sampled_from(ROUTES))
        path, template = _fill(route, draw, action)
        path += "/" if draw(st.integers(0, 9)) == 0 else ""
    methods = sorted(route.methods) if route is not None else ["GET"]
    method = draw(
        st.sampled_from(methods)
        if draw(st.integers(0, 9))
        else st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"])
    )
    query = "&".join(
        f"{quote(k)}={quote(v)}"
        for k, v in draw(
            st.lists(
                st.tuples(st.sampled_from(QUERY_KEYS), st.sampled_from(QUERY_VALUES)), max_size=4
            )
        )
    )
    headers: list[tuple[bytes, bytes]] = []
    who = "admin" if draw(st.integers(0, 9)) < 6 else draw(st.sampled_from(sorted(tokens)))
    if tokens[who]:
        headers.append((b"authorization", tokens[who].encode()))
    content_type, body = draw(body_for(template, create_key))
    if content_type is not None:
        headers.append((b"content-type", content_type))
    length = draw(st.sampled_from(["right"] * 16 + ["none", "none", "garbage", "huge"]))
    if length == "right":
        headers.append((b"content-length", str(len(body)).encode()))
    elif length == "garbage":
        headers.append((b"content-length", draw(st.sampled_from([b"abc", b"-1", b"9" * 30]))))
    elif length == "huge":
        headers.append((b"content-length", b"99999999999"))
    for name, values in (
        (b"accept", [b"text/csv", b"application/xml", b"text/html", b"*/*;q=0", b";;;q=x"]),
        (
            b"content-disposition",
            [b'attachment; filename="a\\r.pdf"', b"attachment; filename*=x''%ff"],
        ),
        (b"host", [b'evil"host', b"example.com:99999", b"[::1]:8080"]),
    ):
        if draw(st.integers(0, 7)) == 0:
            headers.append((name, draw(st.sampled_from(values))))
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=2)))
    if route is not None and route.template.startswith("_emulator") and who != "control":
        who = "control"  # reach past the admin-token check most of the time
        headers = [h for h in headers if h[0] != b"authorization"]
        headers.append((b"authorization", tokens[who].encode()))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    return {
        "method": method,
        "path": path,
        "query": query.encode(),
        "headers": headers,
        "chunks": chunks,
    }


SETUP: list[tuple[str, Any]] = [
    ("connectors", EXAMPLES["connectors"][0]),
    ("hooks", EXAMPLES["hooks"][0]),
    ("inboxes", EXAMPLES["inboxes"][0]),
    ("email_templates", EXAMPLES["email_templates"][0]),
    ("rules", EXAMPLES["rules"][0]),
    ("relations", EXAMPLES["relations"][0]),
    ("notes", EXAMPLES["notes"][0]),
    ("document_relations", {"type": "export", "annotation": A, "documents": [D], "key": "k0"}),
]
"""One object of each plain kind, created before a sequence (so their ids exist)."""


def upload_body() -> tuple[bytes, bytes]:
    """A multipart upload of one sample invoice: (content type, body)."""
    body = (
        b'--b0undary\r\nContent-Disposition: form-data; name="content"; filename="a.pdf"\r\n\r\n'
        + PDF
        + b"\r\n--b0undary--\r\n"
    )
    return b"multipart/form-data; boundary=b0undary", body


TARGETS: list[tuple[Route, str | None]] = [
    (r, action)
    for r in ROUTES
    for action in (sorted(ACTIONS) if "{action}" in r.template else [None])
]
"""What the fuzz aims at: every route, and each annotation action on its own."""
