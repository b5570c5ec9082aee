"""Issue #9, class 7: caller input is checked before anything is sent.

Ids must be positive integers (or strings of digits) and reach the URL as such: no path
traversal (``"1/../../auth/logout"``), no query injection (``"1&queue=2"``), no ``0``, ``-1``,
``None``, ``True`` or ``1.5``. Page sizes, base URLs, credentials and the other numeric
settings are checked too. A bad value is a ``ValueError`` (or ``TypeError`` for a wrong kind
of object) raised before any request.
"""

from __future__ import annotations

import inspect
import math
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rossum_trio import AsyncRossumAPIClient, SyncRossumAPIClient, Token
from tests.support import BASE, TOKEN
from tests.support.clients import make_client
from tests.support.figures import Figures
from tests.support.payloads import workspace
from tests.support.wire import Recorder

BAD_IDS: list[Any] = [
    "1/../../auth/logout",
    "1&queue=2",
    "1?page_size=1000",
    "1#x",
    "1/",
    " 1",
    "1 ",
    "",
    "-1",
    "1.5",
    "0x10",
    "١٢",  # Arabic-Indic digits: str.isdigit() says yes
    "²",
    0,
    -1,
    None,
    True,
    False,
    1.5,
    math.nan,
    [1],
    {"id": 1},
    b"1",
]

#: Values for the other parameters of the methods under test.
FILLERS: dict[str, Any] = {
    "data": {},
    "operations": [],
    "files": [],
    "predicate": lambda _: True,
    "export_format": "csv",
    "filepath": "x.pdf",
    "filename": "x.pdf",
    "fields": [],
    "automation_rate_target": 0.5,
    "error_rate_target": 0.1,
    "datapoint_automation_targets": [],
    "sleep_s": 0,
}


def _methods_with_ids() -> dict[str, list[str]]:
    found = {}
    for name, method in inspect.getmembers(AsyncRossumAPIClient, inspect.isfunction):
        if name.startswith("_"):
            continue
        ids = [
            p
            for p in inspect.signature(method).parameters
            if p.endswith(("_id", "_ids")) and p != "content_schema_ids"
        ]
        if ids:
            found[name] = ids
    return found


METHODS = _methods_with_ids()


async def _use(result: Any) -> None:
    """Run what a method returned: await it, iterate it, or enter it."""
    if inspect.isawaitable(result):
        await result
    elif hasattr(result, "__aenter__"):
        async with result:
            pass
    elif isinstance(result, AsyncIterator):
        async for _ in result:
            break


def _arguments(method: Any, id_names: list[str], bad: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for name, parameter in inspect.signature(method).parameters.items():
        if name == "self" or parameter.kind is parameter.VAR_KEYWORD:
            continue
        if name in id_names:
            arguments[name] = [bad] if name.endswith("_ids") else bad
        elif name in FILLERS:
            arguments[name] = FILLERS[name]
        elif parameter.default is parameter.empty:
            raise AssertionError(f"no filler for {method.__name__}({name})")
    return arguments


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # import_document warns first
@pytest.mark.parametrize("name", sorted(METHODS))
async def test_every_id_parameter_is_checked(name: str, figures: Figures) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={}))
    accepted = []
    async with make_client(recorder, n_retries=1) as client:
        method = getattr(client, name)
        for bad in BAD_IDS:
            if bad is None and name == "retrieve_engine_fields":
                continue  # the official "all engines" (engine=)
            figures.add("bad_inputs")
            before = len(recorder.seen)
            arguments = _arguments(getattr(AsyncRossumAPIClient, name), METHODS[name], bad)
            try:
                with figures.call(5):
                    await _use(method(**arguments))
            except (ValueError, TypeError):
                pass
            except Exception as exc:
                accepted.append(f"{bad!r}: {type(exc).__name__}")
            else:
                accepted.append(f"{bad!r}: accepted")
            sent = len(recorder.seen) - before
            figures.add("bad_inputs_sent", sent)
            if sent:
                accepted.append(f"{bad!r}: sent {recorder.seen[-1].url}")
    assert accepted == []


@pytest.mark.parametrize("good", [7, "7", "007", 10**12])
async def test_good_ids_reach_the_path_as_integers(good: Any, figures: Figures) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=workspace(7)))
    async with make_client(recorder) as client:
        await client.retrieve_workspace(good)
    assert [s.url for s in recorder.seen] == [f"{BASE}/workspaces/{int(good)}"]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(st.text(max_size=12), st.integers(), st.floats(), st.none()))
async def test_any_id_either_fails_or_is_a_plain_path(value: Any, figures: Figures) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json=workspace(7)))
    async with make_client(recorder) as client:
        try:
            await client.retrieve_queue(value)
        except ValueError:
            figures.add("bad_inputs")
            assert recorder.seen == []
            return
        except Exception:
            pass
    (seen,) = recorder.seen
    number = httpx.URL(seen.url).path.rsplit("/", 1)[-1]
    assert httpx.URL(seen.url).path == f"/api/v1/queues/{number}" and number.isdigit()
    assert int(number) == int(value) > 0 and httpx.URL(seen.url).query == b""


@pytest.mark.parametrize("page_size", [0, -5, 101, 10_000, True, 1.5, "50", None])
async def test_page_sizes(page_size: Any, figures: Figures) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={"results": []}))
    async with make_client(recorder) as client:
        for listing in (client.list_workspaces, client.list_annotations, client.list_queues):
            figures.add("bad_inputs")
            with pytest.raises(ValueError, match="page_size"):
                async for _ in listing(page_size=page_size):
                    pass
    figures.add("bad_inputs_sent", len(recorder.seen))
    assert recorder.seen == []


@pytest.mark.parametrize(
    "base_url",
    [
        "https://acme.rossum.app",
        "https://acme.rossum.app/",
        "https://acme.rossum.app/api",
        "https://acme.rossum.app/api/v1?x=1",
        "https://acme.rossum.app/api/v1#top",
        "http://",
        "https://",
        "ftp://acme.rossum.app/api/v1",
        "acme.rossum.app/api/v1",
        "/api/v1",
        "",
        "https://acme.rossum.app:99999/api/v1",
        None,
        42,
    ],
)
@pytest.mark.parametrize("kind", ["async", "sync"])
def test_base_urls(base_url: Any, kind: str, figures: Figures) -> None:
    cls: Any = AsyncRossumAPIClient if kind == "async" else SyncRossumAPIClient
    figures.add("bad_inputs")
    with pytest.raises(ValueError, match="base_url"):
        cls(base_url, Token(TOKEN))


@pytest.mark.parametrize(
    "base_url",
    [
        "https://acme.rossum.app/api/v1",
        "https://acme.rossum.app/api/v1/",
        " https://acme.rossum.app/api/v1 ",
        "http://127.0.0.1:8765/api/v1",
        "https://proxy.example/rossum/api/v1",
    ],
)
def test_good_base_urls(base_url: str) -> None:
    client = AsyncRossumAPIClient(base_url, Token(TOKEN))
    assert client.base_url == base_url.strip().rstrip("/")


@pytest.mark.parametrize(
    "option",
    [
        {"timeout": 0},
        {"timeout": -1},
        {"timeout": math.nan},
        {"timeout": math.inf},
        {"n_retries": -1},
        {"n_retries": 1.5},
        {"max_in_flight_requests": 0},
        {"max_in_flight_requests": -2},
        {"retry_backoff_factor": -1},
        {"retry_max_jitter": math.nan},
        {"rate_limit_per_second": 0},
        {"rate_limit_per_second": -3},
        {"rate_limit_max_wait_s": -1},
    ],
    ids=repr,
)
def test_client_options(option: dict[str, Any], figures: Figures) -> None:
    figures.add("bad_inputs")
    with pytest.raises(ValueError, match=next(iter(option))):
        AsyncRossumAPIClient(BASE, Token(TOKEN), **option)


@pytest.mark.parametrize(
    "url", ["../auth/logout", "queues/1/../../auth/logout", "./queues", "queues/./1", ""]
)
async def test_relative_urls_with_dot_segments(url: str, figures: Figures) -> None:
    recorder = Recorder(lambda request: httpx.Response(200, json={}))
    async with make_client(recorder) as client:
        figures.add("bad_inputs")
        with pytest.raises(ValueError):
            await client.request_json("GET", url)
    assert recorder.seen == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c, p: c.poll_task(1, lambda t: True, sleep_s=-1),
        lambda c, p: c.wait_until_annotations_imported([1], sleep_s=math.nan),
        lambda c, p: c.bulk_upload_and_wait(1, [(p, "a.pdf")], sleep_s=-2),
        lambda c, p: c.bulk_upload_and_wait(1, "a.pdf"),
        lambda c, p: c.upload_document(1, [(p, "")]),
        lambda c, p: c.upload_document(1, [p]),
        lambda c, p: c.list_workspaces(max_pages=-1),
        lambda c, p: c.list_workspaces(page=0),
        lambda c, p: c.list_workspaces(ordering="id"),
    ],
)
async def test_other_arguments(call: Any, tmp_path: pathlib.Path, figures: Figures) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    recorder = Recorder(lambda request: httpx.Response(200, json={}))
    async with make_client(recorder) as client:
        figures.add("bad_inputs")
        with pytest.raises(ValueError):
            await _use(call(client, tmp_path / "a.pdf"))
    figures.add("bad_inputs_sent", len(recorder.seen))
    assert recorder.seen == []


def test_the_blocking_client_checks_ids_too(figures: Figures) -> None:
    with SyncRossumAPIClient(BASE, Token(TOKEN)) as client:
        for bad in ("1/../../auth/logout", "1&queue=2", 0, None, True):
            figures.add("bad_inputs")
            with pytest.raises(ValueError):
                client.retrieve_queue(bad)  # type: ignore[arg-type]
