"""The blocking client mirrors the async one: every public member, same signature.

That the generated module is current, formatted, and has blocking docstrings is in
``test_sync_generator.py``.
"""

from __future__ import annotations

import ast
import inspect
import typing
from typing import Any

import pytest

from gen_sync import HAND_WRITTEN, SKIPPED, TARGET, is_waiting, public_members
from rossum_trio import AsyncRossumAPIClient, SyncRossumAPIClient

#: Public names only the blocking client has.
SYNC_ONLY = {"close", "async_client", "WaitTimeoutError"}


def _norm(annotation: Any) -> str:
    """An annotation string in a canonical form (whitespace and quotes do not matter)."""
    if annotation is inspect.Parameter.empty:
        return ""
    assert isinstance(annotation, str), "the client modules use postponed annotations"
    return ast.dump(ast.parse(annotation, mode="eval"))


def _sync_return(async_fn: Any) -> str:
    """The return annotation the blocking twin must have."""
    returns = inspect.signature(async_fn).return_annotation
    if inspect.iscoroutinefunction(async_fn):
        return _norm(returns)
    node = ast.parse(returns, mode="eval").body
    outer = node.value if isinstance(node, ast.Subscript) else node
    name = outer.id if isinstance(outer, ast.Name) else ""
    if name == "Listing":
        assert isinstance(node, ast.Subscript)
        return _norm(f"Iterator[{ast.unparse(node.slice)}]")
    if name == "ByteStream":
        return _norm("SyncByteStream")
    return _norm(returns)


def _params(fn: Any) -> list[tuple[str, Any, Any, str]]:
    return [
        (p.name, p.kind, p.default, _norm(p.annotation))
        for p in inspect.signature(fn).parameters.values()
    ]


ASYNC_MEMBERS = [n for n in public_members(AsyncRossumAPIClient) if n not in SKIPPED]


def test_every_async_member_has_a_sync_twin() -> None:
    sync_public = {n for n in dir(SyncRossumAPIClient) if not n.startswith("_")}
    missing = set(ASYNC_MEMBERS) - sync_public
    assert not missing
    assert sync_public - set(ASYNC_MEMBERS) == SYNC_ONLY


@pytest.mark.parametrize("name", ["__init__", *ASYNC_MEMBERS])
def test_signature_pair(name: str) -> None:
    async_member = inspect.getattr_static(AsyncRossumAPIClient, name)
    sync_member = inspect.getattr_static(SyncRossumAPIClient, name)
    if isinstance(async_member, property):
        assert isinstance(sync_member, property)
        assert sync_member.fget is not None and async_member.fget is not None
        assert _norm(inspect.signature(sync_member.fget).return_annotation) == _norm(
            inspect.signature(async_member.fget).return_annotation
        )
        return
    async_params = _params(async_member)
    sync_params = _params(sync_member)
    if is_waiting(name):
        timeout = [p for p in sync_params if p[0] == "timeout"]
        assert timeout == [("timeout", inspect.Parameter.KEYWORD_ONLY, None, _norm("float | None"))]
        sync_params.remove(timeout[0])
    assert sync_params == async_params  # names, kinds, defaults, annotations, order
    if name != "__init__":
        assert _norm(inspect.signature(sync_member).return_annotation) == _sync_return(async_member)
        # The docstring starts like the async one.
        sync_doc, async_doc = inspect.getdoc(sync_member), inspect.getdoc(async_member)
        assert sync_doc and async_doc
        assert sync_doc.splitlines()[0] == async_doc.splitlines()[0]
    # The annotations resolve (the generated module imports every name it uses).
    typing.get_type_hints(sync_member)


def test_waiting_helpers_are_the_polls() -> None:
    waiting = {n for n in ASYNC_MEMBERS if is_waiting(n)}
    assert {
        "poll_annotation",
        "poll_annotation_until_imported",
        "poll_task",
        "poll_task_until_succeeded",
        "upload_and_wait_until_imported",
    } <= waiting
    assert not {n for n in waiting if n.startswith(("list_", "retrieve_", "create_"))}


def test_hand_written_members_are_not_generated() -> None:
    source = TARGET.read_text()
    for name in HAND_WRITTEN:
        assert f"def {name}(" not in source
        assert name in vars(SyncRossumAPIClient)


def test_subscripting_like_the_official_generic_client() -> None:
    assert SyncRossumAPIClient[Any] is SyncRossumAPIClient  # type: ignore[misc]


def _listing_methods() -> list[str]:
    return [
        name
        for name in ASYNC_MEMBERS
        if inspect.isfunction(getattr(AsyncRossumAPIClient, name))
        and not inspect.iscoroutinefunction(getattr(AsyncRossumAPIClient, name))
        and "Iterator[" in _sync_return_text(name)
    ]


def _sync_return_text(name: str) -> str:
    return str(inspect.signature(getattr(SyncRossumAPIClient, name)).return_annotation)


def _dummy_args(fn: Any) -> list[Any]:
    args: list[Any] = []
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD:
            args.append(1 if p.annotation == "int" else "x")
    return args


@pytest.mark.parametrize("name", _listing_methods())
def test_every_listing_is_windowed(name: str) -> None:
    """Each async listing offers ``next_batch``, so its blocking twin pulls a window of pages
    per trio.run (instead of draining the whole listing in one run)."""
    from rossum_trio import Token

    client = AsyncRossumAPIClient("https://fake.rossum.app/api/v1", Token("t"))
    fn = getattr(AsyncRossumAPIClient, name)
    extra: dict[str, Any] = {"query": {"$and": []}} if name == "search_for_annotations" else {}
    assert hasattr(getattr(client, name)(*_dummy_args(fn), **extra), "next_batch")
    if name == "export_annotations_to_json":
        assert hasattr(client.export_annotations_to_json(1, to_status="exported"), "next_batch")
