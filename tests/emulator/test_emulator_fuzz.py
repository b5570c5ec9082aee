"""Fuzzing the route table: whatever a client sends, the answer is a documented 2xx/4xx with a
well-formed body, never a 5xx, and the emulator keeps serving.

Requests go straight into the ASGI app (any method, header, chunking or body httpx would refuse
to send); ``tests/support/fuzz.py`` builds them from the route table, starting from valid
bodies and mutating them. Each example runs a short sequence against a fresh emulator with one
imported invoice, so what one request leaves behind (a field PATCHed to another type, a deleted
user, a fault knob) meets the next. Time is virtual (autojump clock): injected latency costs
nothing.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote

import h11
import msgspec
import pytest
import trio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio.emulator import Emulator
from rossum_trio.emulator import _crud as crud
from rossum_trio.emulator._annotations import ACTIONS, list_annotations
from rossum_trio.emulator._export import export_queue
from rossum_trio.emulator._routing import ROUTES, Route
from tests.support.emulator import Answer, call
from tests.support.fuzz import (
    EXAMPLES,
    FILE_ROUTES,
    IDS,
    QUERY_KEYS,
    SETUP,
    TARGETS,
    URLS,
    requests,
    upload_body,
)

DOCUMENTED = {200, 201, 202, 204, 303, 400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 429}


def check_answer(emu: Emulator, request: dict[str, object], answer: Answer) -> None:
    """The invariants of every answer."""
    where = f"{request['method']} {request['path']}"
    assert not emu.server_errors, f"{where}: {emu.server_errors[-1]}"
    if answer.dropped:  # an injected fault the sequence asked for
        return
    body = answer.json() if answer.body and answer.status >= 400 else None
    if answer.status >= 500:  # only ever an injected fault
        if request["method"] == "HEAD":  # a HEAD answer has no body, an injected one neither
            assert answer.body == b"", where
        else:
            assert body is not None and body["detail"] == "Injected fault.", (where, answer.body)
        return
    assert answer.status in DOCUMENTED, (where, answer.status, answer.body[:300])
    h11.Response(status_code=answer.status, headers=answer.headers)  # a server could send these
    if request["method"] == "HEAD":
        assert answer.body == b"", where
        return
    assert answer.header(b"content-length") == str(len(answer.body)).encode(), where
    if answer.status >= 400:
        assert isinstance(body, dict) and body, (where, body)
        if "detail" in body:
            assert isinstance(body["detail"], str) and isinstance(body.get("code"), str), body
        else:  # DRF field errors
            assert all(isinstance(v, list | dict) for v in body.values()), (where, body)
    elif answer.header(b"content-type") == b"application/json" and answer.body:
        answer.json()


async def populate(emu: Emulator) -> None:
    """One object of every kind (ids 300.. of the fuzz vocabulary exist), an upload and task."""
    auth = [(b"authorization", f"Bearer {emu.token}".encode())]
    json = [*auth, (b"content-type", b"application/json")]
    for path, body in SETUP:
        answer = await call(emu, "POST", path, headers=json, chunks=[msgspec.json.encode(body)])
        assert answer.status == 201, (path, answer.body)
    content_type, body = upload_body()
    answer = await call(
        emu,
        "POST",
        "uploads",
        query=b"queue=300",
        headers=[*auth, (b"content-type", content_type)],
        chunks=[body],
    )
    assert answer.status == 202, answer.body


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(data=st.data())
@pytest.mark.parametrize(
    "target", TARGETS, ids=lambda t: t[0].template.replace("{action}", t[1] or "{action}")
)
async def test_no_5xx_for_any_request(
    target: tuple[Route, str | None], data: st.DataObject, autojump_clock: trio.testing.MockClock
) -> None:
    emu = Emulator(import_delay_s=1, task_delay_s=0.5, preload_invoices=1, body_timeout_s=5)
    viewer = emu.issue_token(user_id=emu.add_user("viewer@x.test", "pw", role="viewer"))
    annotator = emu.issue_token(user_id=emu.add_user("ann@x.test", "pw", role="annotator"))
    basic = base64.b64encode(f"{emu.username}:{emu.password}".encode()).decode()
    tokens = {
        "anonymous": "",
        "admin": f"Bearer {emu.token}",
        "token-scheme": f"Token {emu.token}",
        "viewer": f"Bearer {viewer}",
        "annotator": f"Bearer {annotator}",
        "control": f"Bearer {emu.admin_token}",
        "basic": f"Basic {basic}",
        "garbage": data.draw(st.sampled_from(["Bearer", "Basic !!!", "Basic eA==", "Digest x"])),
    }
    await populate(emu)
    for _ in range(data.draw(st.integers(1, 6))):
        request = data.draw(requests(tokens, emu.create_key, target))
        answer = await call(emu, **request)  # type: ignore[arg-type]
        check_answer(emu, request, answer)
        await trio.sleep(data.draw(st.sampled_from([0, 0, 0.6, 2])))
    # still serving, and listing/ordering what the sequence left behind works (with a fresh
    # admin: the sequence may have logged out or deleted the seeded one)
    emu.faults.reset()
    admin = emu.issue_token(user_id=emu.add_user("health@x.test", "pw", role="admin"))
    for path, query in (
        ("queues", b"ordering=name,-session_timeout,metadata"),
        ("annotations", b"ordering=metadata,-status&sideload=content,documents,relations"),
        ("workspaces", b"ordering=-name"),
    ):
        answer = await call(
            emu, "GET", path, query=query, headers=[(b"authorization", f"Bearer {admin}".encode())]
        )
        assert answer.status == 200 and not emu.server_errors, answer.body[:300]


# kinds the emulator has no objects of (read-only, filled by the real API's backend)
EMPTY_KINDS = {
    "automation_blockers",
    "engines",
    "engine_fields",
    "hook_templates",
    "rules_execution_logs",
    "emails",
    "labels",
    "workflows",
}


@pytest.mark.parametrize(
    ("template", "method"),
    [(r.template, m) for r in ROUTES for m in sorted(r.methods)],
    ids=lambda x: str(x),
)
async def test_every_route_answers_its_example(
    template: str, method: str, autojump_clock: trio.testing.MockClock
) -> None:
    """The happy path of every route and method: the route table's handlers all work."""
    emu = Emulator(import_delay_s=1, task_delay_s=0.5, preload_invoices=1)
    await populate(emu)
    await trio.sleep(2)  # imports and the upload task are done
    token = emu.admin_token if template.startswith("_emulator") else emu.token
    headers = [(b"authorization", f"Bearer {token}".encode())]
    path = re.sub(
        r"\{(\w+)\}",
        lambda m: {"id": str(IDS.get(template.split("/")[0], [1])[0]), "node": "10000001"}.get(
            m.group(1), "start" if m.group(1) == "action" else "x.pdf"
        ),
        template,
    )
    query = b"queue=300" if template.startswith("uploads") else b""
    chunks = [b""]
    if template in FILE_ROUTES and method == "POST":
        content_type, body = upload_body()
        headers.append((b"content-type", content_type))
        chunks = [body]
    elif method not in ("GET", "HEAD", "DELETE") and template in EXAMPLES:
        body = msgspec.json.encode(EXAMPLES[template][0]).replace(
            b"<create_key>", emu.create_key.encode()
        )
        headers.append((b"content-type", b"application/json"))
        chunks = [body]
    answer = await call(emu, method, path, query=query, headers=headers, chunks=chunks)
    assert not emu.server_errors, emu.server_errors[-1]
    if template.split("/")[0] in EMPTY_KINDS and "{id}" in template:
        assert answer.status == 404
    elif (method, template) == ("DELETE", "workspaces/{id}"):
        assert answer.status == 409  # it still holds queues
    else:
        assert 200 <= answer.status < 400, (answer.status, answer.body[:300])


CONFUSED = [None, True, 0, -1, 1.5, 10**18, "", "x", "x" * 2000, [], [1], ["x"], {}, {"a": 1}]


def _variants(example: object) -> list[object]:
    """``example`` with one value (at any depth) replaced by each value of :data:`CONFUSED`."""
    out: list[object] = []
    if isinstance(example, dict):
        for key, value in example.items():
            for other in [*CONFUSED, *_variants(value)]:
                out.append({**example, key: other})
    elif isinstance(example, list) and example:
        for other in [*CONFUSED, *_variants(example[0])]:
            out.append([other, *example[1:]])
    return out


SWEEP = [
    (template, method, body)
    for r in ROUTES
    for method in sorted(set(r.methods) - {"GET", "HEAD", "DELETE"})
    for template in (
        [r.template.replace("{action}", a) for a in ACTIONS]
        if "{action}" in r.template
        else [r.template]
    )
    for body in EXAMPLES.get(template, EXAMPLES.get(r.template, []))[:1]
]


@pytest.mark.parametrize(("template", "method", "example"), SWEEP, ids=lambda x: str(x)[:40])
async def test_type_confusion_sweep(
    template: str, method: str, example: object, autojump_clock: trio.testing.MockClock
) -> None:
    """Every value of every example body, swapped for a value of another type: never a 5xx."""
    emu = Emulator(import_delay_s=1, task_delay_s=0.5, preload_invoices=1)
    await populate(emu)
    token = emu.admin_token if template.startswith("_emulator") else emu.token
    headers = [
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-type", b"application/json"),
    ]
    path = re.sub(
        r"\{(\w+)\}",
        lambda m: {"id": str(IDS.get(template.split("/")[0], [1])[0]), "node": "10000001"}[
            m.group(1)
        ],
        template,
    )
    for variant in [example, *_variants(example)]:
        body = msgspec.json.encode(variant).replace(b"<create_key>", emu.create_key.encode())
        request = {"method": method, "path": path, "query": b"", "headers": headers}
        answer = await call(emu, method, path, headers=headers, chunks=[body])
        check_answer(emu, request, answer)


QUERY_SWEEP_VALUES = [
    "",
    "0",
    "-1",
    "1",
    "2",
    "x",
    "inf",
    "9" * 30,
    "true",
    "null",
    ",",
    "-",
    *URLS,
]
LISTS = [
    (r.template, m)
    for r in ROUTES
    for m in ("GET", "POST")
    if m in r.methods
    and (
        (m == "GET" and r.methods[m] in (crud.list_objects, list_annotations, export_queue))
        or r.template == "annotations/search"
    )
]


@pytest.mark.parametrize(("template", "method"), LISTS, ids=lambda x: str(x))
async def test_query_parameter_sweep(
    template: str, method: str, autojump_clock: trio.testing.MockClock
) -> None:
    """Every known query parameter with awkward values, on every list, search and export."""
    emu = Emulator(import_delay_s=1, task_delay_s=0.5, preload_invoices=1)
    await populate(emu)
    await trio.sleep(2)
    headers = [(b"authorization", f"Bearer {emu.token}".encode())]
    path = template.replace("{id}", "300")
    for key in QUERY_KEYS:
        for value in QUERY_SWEEP_VALUES:
            query = f"{quote(key)}={quote(value)}".encode()
            request = {"method": method, "path": path, "query": query, "headers": headers}
            check_answer(emu, request, await call(emu, method, path, query=query, headers=headers))
