"""Issue #9, class 4: whatever a server sends ends in our error family.

Every call below is fed hostile answers: JSON nested 1,000 deep (a few KB), wrong types, URLs
without a numeric id, bodies that do not match their ``Content-Encoding``, truncated and
endless bodies, broken status lines. Each either works or raises a
:class:`~rossum_trio.errors.RossumError`; nothing else (``RecursionError``, ``KeyError``,
``msgspec.ValidationError``, ``httpx.DecodingError``, ``MemoryError`` ...) escapes.
"""

from __future__ import annotations

import json
import pathlib
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio import AsyncRossumAPIClient, SyncRossumAPIClient, Token, UserCredentials
from rossum_trio.errors import RossumError, UnexpectedResponseError
from tests.support import BASE, PASSWORD, TOKEN, USERNAME
from tests.support.clients import make_client
from tests.support.figures import Figures
from tests.support.payloads import annotation, workspace
from tests.support.servers import RawServer, endless, respond, truncate

DEEP = 1000
BODIES: dict[str, bytes] = {
    "deep list": b"[" * DEEP + b"]" * DEEP,
    "deep object": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "deep results": b'{"results":[' + b"[" * DEEP + b"]" * DEEP + b"]}",
    "deep pagination": b'{"results":[],"pagination":' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
    "empty": b"",
    "null": b"null",
    "list": b"[1, 2]",
    "string": b'"text"',
    "html": b"<html><body>502 Bad Gateway</body></html>",
    "invalid utf-8": b'{"name": "\xff\xfe", "results": [{"id": "\xff"}]}',
    "nan": b'{"id": NaN}',
    "huge int": b'{"id": 123456789012345678901234567890, "results": []}',
    "wrong types": b'{"id": "x", "url": 5, "status": [], "results": {"a": 1}, "key": 5}',
    "results junk": b'{"results": [1, "x", null, [], {"id": "y"}], "pagination": {"total": "z"}}',
    "pagination lies": b'{"results": [{}], "pagination": {"total_pages": -7, "total": -1}}',
    "url without id": json.dumps(
        {
            "id": 4,
            "url": f"{BASE}/tasks/abc",
            "status": "succeeded",
            "content": {"upload": f"{BASE}/uploads/"},
            "results": [{"annotation": f"{BASE}/annotations/x", "document": "documents/"}],
            "organization": f"{BASE}/organizations/none",
            "annotations": [f"{BASE}/annotations/abc"],
            "key": "not a token",
        }
    ).encode(),
    "sideload junk": json.dumps(
        {
            "results": [{"id": 1, "url": f"{BASE}/annotations/1", "document": 5}],
            "documents": [{"id": []}, 3, None],
        }
    ).encode(),
}

Call = Callable[[AsyncRossumAPIClient, pathlib.Path], Awaitable[Any]]


async def _collect(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


async def _upload_and_wait(client: AsyncRossumAPIClient, tmp: pathlib.Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return await client.upload_and_wait_until_imported(1, tmp / "a.pdf", "a.pdf", sleep_s=0)


CALLS: dict[str, Call] = {
    "retrieve_queue": lambda c, t: c.retrieve_queue(1),
    "retrieve_annotation": lambda c, t: c.retrieve_annotation(5),
    "retrieve_task": lambda c, t: c.retrieve_task(4),
    "list_workspaces": lambda c, t: _collect(c.list_workspaces()),
    "list_annotations+documents": lambda c, t: _collect(
        c.list_annotations(sideloads=["documents"])
    ),
    "search_for_annotations": lambda c, t: _collect(
        c.search_for_annotations(query={"$and": []}, sideloads=["documents"])
    ),
    "export_to_json": lambda c, t: _collect(c.export_annotations_to_json(1)),
    "export_to_json+to_status": lambda c, t: _collect(
        c.export_annotations_to_json(1, to_status="exported")
    ),
    "export_to_file": lambda c, t: c.export_annotations_to_file(1, "csv").read_all(),
    "request_json": lambda c, t: c.request_json("GET", "queues/1"),
    "request_paginated": lambda c, t: _collect(c.request_paginated("hooks")),
    "request_cursor_paginated": lambda c, t: _collect(c.request_cursor_paginated("hooks")),
    "retrieve_own_organization": lambda c, t: c.retrieve_own_organization(),
    "retrieve_organization_limit": lambda c, t: c.retrieve_organization_limit(1),
    "upload_document": lambda c, t: c.upload_document(1, [(t / "a.pdf", "a.pdf")]),
    "upload_and_wait_until_imported": _upload_and_wait,
    "poll_task_until_succeeded": lambda c, t: c.poll_task_until_succeeded(4, sleep_s=0),
    "wait_until_annotations_imported": lambda c, t: c.wait_until_annotations_imported(
        [5], sleep_s=0
    ),
    "bulk_upload_and_wait": lambda c, t: c.bulk_upload_and_wait(
        1, [(t / "a.pdf", "a.pdf")], sleep_s=0
    ),
    "retrieve_engine_fields": lambda c, t: _collect(c.retrieve_engine_fields(1)),
}

#: Calls that merge sideloads into the annotation before decoding it: a sideload of the wrong
#: shape must end in our error too.
SIDELOAD_CALLS: dict[str, Call] = {
    "retrieve_annotation+documents": lambda c, t: c.retrieve_annotation(5, ["documents"]),
    "poll_annotation+documents": lambda c, t: c.poll_annotation(
        5, lambda a: True, sideloads=["documents"]
    ),
}


def _every_request(body: bytes, status: int = 200) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json={"key": TOKEN})
        return httpx.Response(status, content=body)

    return answer


async def _try(
    figures: Figures, call: Call, body: bytes, tmp_path: pathlib.Path, status: int = 200
) -> BaseException | None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    client = make_client(_every_request(body, status), n_retries=1, rate_limit_max_wait_s=0)
    error: BaseException | None = None
    async with client:
        try:
            with figures.call(3600):
                await call(client, tmp_path)
        except trio.TooSlowError:
            raise
        except Exception as exc:
            error = exc
        figures.add("slots_checked")
        figures.add("slots_held", int(client.limiter.statistics().borrowed_tokens))
    figures.outcome(error, expected=RossumError)
    return error


def _raw(errors: dict[str, BaseException | None]) -> dict[str, str]:
    return {
        name: f"{type(e).__name__}: {str(e)[:120]}"
        for name, e in errors.items()
        if e is not None and not isinstance(e, RossumError)
    }


@pytest.mark.parametrize("name", CALLS)
async def test_hostile_bodies(
    name: str, tmp_path: pathlib.Path, idle_autojump_clock: trio.testing.MockClock, figures: Figures
) -> None:
    errors = {body: await _try(figures, CALLS[name], BODIES[body], tmp_path) for body in BODIES}
    assert _raw(errors) == {}


def _sideload_answers(body: bytes) -> Callable[[httpx.Request], httpx.Response]:
    """A good annotation; its document (the sideload) answers ``body``."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/annotations/5":
            return httpx.Response(200, json=annotation(5))
        return httpx.Response(200, content=body)

    return answer


async def _try_sideload(figures: Figures, call: Call, body: bytes) -> BaseException | None:
    error: BaseException | None = None
    async with make_client(_sideload_answers(body), n_retries=1) as client:
        try:
            with figures.call():
                await call(client, pathlib.Path("."))
        except trio.TooSlowError:
            raise
        except Exception as exc:
            error = exc
    figures.outcome(error, expected=RossumError)
    return error


#: Sideload answers that are not a JSON object at all.
NOT_OBJECTS = {k: v for k, v in BODIES.items() if v and not v.startswith(b"{")}


@pytest.mark.parametrize("name", SIDELOAD_CALLS)
async def test_hostile_sideloads_that_are_no_objects(name: str, figures: Figures) -> None:
    errors = {
        b: await _try_sideload(figures, SIDELOAD_CALLS[name], NOT_OBJECTS[b]) for b in NOT_OBJECTS
    }
    assert _raw(errors) == {}


@pytest.mark.parametrize("name", SIDELOAD_CALLS)
async def test_hostile_sideloads(name: str, figures: Figures) -> None:
    """Sideload answers that are objects of the wrong shape (or empty)."""
    objects = {k: v for k, v in BODIES.items() if k not in NOT_OBJECTS}
    errors = {b: await _try_sideload(figures, SIDELOAD_CALLS[name], objects[b]) for b in objects}
    assert _raw(errors) == {}


HOSTILE_LINKS = ["a\x00b", "x\ny", "\x7f", f"{BASE}/\udcff", "../../auth/logout", "./x", "", 5]


@pytest.mark.parametrize("link", HOSTILE_LINKS, ids=repr)
@pytest.mark.parametrize("where", ["next", "cursor", "sideload"])
async def test_hostile_links(link: Any, where: str, figures: Figures) -> None:
    """Links that cannot even be requested end in our error (a relative link with a control
    character raised a raw ValueError from building the request)."""

    def answer(request: httpx.Request) -> httpx.Response:
        if where == "sideload":
            body: Any = annotation(5, document=link)
        elif where == "cursor":
            body = {"results": [{"id": 1}], "next": link}
        else:
            body = {"results": [workspace(1)], "pagination": {"next": link, "total": 9}}
        return httpx.Response(200, content=json.dumps(body).encode())

    calls: dict[str, Call] = {
        "next": CALLS["list_workspaces"],
        "cursor": CALLS["request_cursor_paginated"],
        "sideload": SIDELOAD_CALLS["retrieve_annotation+documents"],
    }
    error: BaseException | None = None
    async with make_client(answer, n_retries=1) as client:
        try:
            with figures.call():
                await calls[where](client, pathlib.Path("."))
        except Exception as exc:
            error = exc
    figures.outcome(error, expected=RossumError)
    assert _raw({where: error}) == {}


async def test_waiting_with_a_custom_deserializer(figures: Figures) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": [annotation(5)]})

    client = make_client(answer, deserializer=lambda resource, data: data)
    error: BaseException | None = None
    async with client:
        try:
            with figures.call():
                await client.wait_until_annotations_imported([5], sleep_s=0)
        except Exception as exc:
            error = exc
    figures.outcome(error, expected=RossumError)
    assert error is None, repr(error)


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 409, 413, 418, 429, 500, 503])
async def test_hostile_error_bodies(
    status: int,
    tmp_path: pathlib.Path,
    idle_autojump_clock: trio.testing.MockClock,
    figures: Figures,
) -> None:
    calls = ("retrieve_queue", "list_workspaces", "export_to_file", "upload_document")
    errors = {
        f"{call} {body}": await _try(figures, CALLS[call], BODIES[body], tmp_path, status)
        for call in calls
        for body in ("deep object", "invalid utf-8", "html", "empty")
    }
    assert _raw(errors) == {}
    assert all(isinstance(e, RossumError) for e in errors.values())


LOGIN_ANSWERS = {
    "no key": {"detail": "ok"},
    "int key": {"key": 5},
    "empty key": {"key": ""},
    "key with newline": {"key": TOKEN + "\n"},
    "non-ASCII key": {"key": "tökén-" + TOKEN},
    "a list": [[]],
}


@pytest.mark.parametrize("answer", LOGIN_ANSWERS.values(), ids=LOGIN_ANSWERS.keys())
async def test_hostile_login_answers(answer: Any, figures: Figures) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answer)

    credentials = UserCredentials(USERNAME, PASSWORD)
    async with make_client(handler, credentials=credentials, n_retries=1) as client:
        error = None
        try:
            with figures.call():
                await client.retrieve_queue(1)
        except Exception as exc:
            error = exc
    figures.outcome(error, expected=RossumError)
    assert isinstance(error, UnexpectedResponseError), repr(error)


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_a_non_ascii_token_is_a_value_error_not_a_unicode_error(
    kind: str, figures: Figures
) -> None:
    cls: Any = AsyncRossumAPIClient if kind == "async" else SyncRossumAPIClient
    figures.add("bad_inputs")
    with pytest.raises(ValueError) as info:
        cls(BASE, Token("tökén" + TOKEN[5:]))
    figures.outcome(info.value, expected=ValueError)
    assert not isinstance(info.value, UnicodeError)


# -- at the socket level ---------------------------------------------------------------------------


def _encoded(status: int, encoding: str) -> Any:
    return respond(status, b"this is not " + encoding.encode(), **{"Content-Encoding": encoding})


SOCKET_CASES: dict[str, Callable[[Any], Any]] = {
    "gzip garbage": lambda r: _encoded(200, "gzip"),
    "deflate garbage": lambda r: _encoded(200, "deflate"),
    "gzip garbage on a 500": lambda r: _encoded(500, "gzip"),
    "truncated body": lambda r: truncate(),
    "huge Content-Length": lambda r: respond(200, b"{}", **{"Content-Length": str(10**13)}),
    "bad status line": lambda r: _raw_bytes(b"HTTP/1.1 OK-ish\r\n\r\n"),
    "garbage": lambda r: _raw_bytes(b"\x00\xff\x13garbage\r\n\r\n"),
    "bad header": lambda r: _raw_bytes(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n{}"),
    "header without colon": lambda r: _raw_bytes(b"HTTP/1.1 200 OK\r\nbroken\r\n\r\n{}"),
    "no body at all": lambda r: _raw_bytes(b"HTTP/1.1 200 OK\r\n\r\n"),
}


def _raw_bytes(data: bytes) -> Any:
    async def behave(stream: trio.SocketStream, request: Any) -> None:
        await stream.send_all(data)

    return behave


@pytest.mark.parametrize("case", SOCKET_CASES)
async def test_hostile_wire(case: str, figures: Figures) -> None:
    server = RawServer(SOCKET_CASES[case])
    errors: dict[str, BaseException | None] = {}
    async with server.serving():
        client = make_client(
            base_url=server.base_url, n_retries=2, timeout=5, rate_limit_per_second=None
        )
        async with client:
            for name in ("retrieve_queue", "list_workspaces", "export_to_file", "request_json"):
                try:
                    with figures.call(10):
                        await CALLS[name](client, pathlib.Path("."))
                    errors[name] = None
                except trio.TooSlowError:
                    raise
                except Exception as exc:
                    errors[name] = exc
                figures.outcome(errors[name], expected=RossumError)
            figures.add("slots_checked")
            figures.add("slots_held", int(client.limiter.statistics().borrowed_tokens))
    assert _raw(errors) == {}


async def test_an_endless_body_is_cut_at_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    """Without a limit, an endless body is read until memory runs out (``MemoryError``)."""
    import rossum_trio._http as http_module

    monkeypatch.setattr(http_module, "MAX_BODY_BYTES", 4 * 1024 * 1024, raising=False)
    server = RawServer(lambda request: endless())
    async with server.serving():
        client = make_client(
            base_url=server.base_url, n_retries=1, timeout=30, rate_limit_per_second=None
        )
        async with client:
            error = None
            try:
                with figures.call(15):
                    await client.retrieve_workspace(1)
            except trio.TooSlowError:
                raise
            except Exception as exc:
                error = exc
            figures.outcome(error, expected=RossumError)
    assert isinstance(error, UnexpectedResponseError), repr(error)
    assert "larger than" in str(error)


# -- fuzzing ---------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
    | st.sampled_from([f"{BASE}/annotations/1", f"{BASE}/x/y", "https://evil.example/1", ".."]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["id", "url", "results", "pagination", "next", "total", "total_pages", "status"]
                + ["document", "documents", "content", "key", "annotation", "upload"]
            )
            | st.text(max_size=4),
            children,
            max_size=5,
        )
    ),
    max_leaves=15,
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    call=st.sampled_from(sorted(CALLS)),
    body=JSON.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=30),
    status=st.sampled_from([200, 200, 200, 201, 204, 400, 404, 500]),
)
async def test_fuzzed_answers(
    call: str,
    body: bytes,
    status: int,
    tmp_path_factory: pytest.TempPathFactory,
    idle_autojump_clock: trio.testing.MockClock,
    figures: Figures,
) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "a.pdf").write_bytes(b"%PDF")
    client = make_client(_every_request(body, status), n_retries=1, rate_limit_max_wait_s=0)
    error: BaseException | None = None
    async with client:
        try:
            with figures.call(3600):
                await CALLS[call](client, tmp)
        except trio.TooSlowError:
            raise
        except Exception as exc:
            error = exc
    figures.outcome(error, expected=RossumError)
    assert _raw({call: error}) == {}


def test_workspace_helper_is_valid() -> None:
    """The answers the suite scripts decode (so a failure above is the client's, not ours)."""
    from rossum_trio.models import Workspace
    from rossum_trio.models._decode import decoder_for

    assert decoder_for(Workspace).decode(json.dumps(workspace(1)).encode()).id == 1
