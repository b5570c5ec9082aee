"""Every public method of the official 3.17.0 ``AsyncRossumAPIClient`` exists on ours with a
compatible signature: same parameter names, kinds, defaults and order, and the same kind of
return (awaitable, or async iterator).

The official list is ``data/upstream_methods.json`` (from the 3.17.0 wheel). Extra parameters of
ours must be keyword-only with a default, so every official call still binds the same way.
"""

from __future__ import annotations

import ast
import collections.abc
import inspect
import json
import pathlib
import typing
from typing import Any

import pytest

from rossum_trio import AsyncRossumAPIClient

DATA = pathlib.Path(__file__).parent / "data" / "upstream_methods.json"
OFFICIAL: list[dict[str, Any]] = json.loads(DATA.read_text())
ASYNC_METHODS = [m for m in OFFICIAL if m["async"]]

#: Official stubs that are plain ``def`` raising NotImplementedError; ours are real coroutines
#: (documented in docs/differences.md). No working official program calls them.
NOW_ASYNC = {"change_user_password", "reset_user_password"}

_KINDS = {
    "posonly": inspect.Parameter.POSITIONAL_ONLY,
    "args": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "vararg": inspect.Parameter.VAR_POSITIONAL,
    "kwonly": inspect.Parameter.KEYWORD_ONLY,
    "kwarg": inspect.Parameter.VAR_KEYWORD,
}
_NO_DEFAULT = object()


def official_parameters(entry: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(name, kind, default) of each official parameter, ``self`` excluded."""
    text: str = entry["params"]
    if text.startswith("async: "):  # "async: (...) | sync: (...)"
        text = text[len("async: ") :].split(" | sync: ")[0]
    args = ast.parse(f"def f{text}: pass").body[0].args  # type: ignore[attr-defined]
    result: list[tuple[str, Any, Any]] = []
    positional = args.posonlyargs + args.args
    defaults = [_NO_DEFAULT] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        kind = _KINDS["posonly"] if index < len(args.posonlyargs) else _KINDS["args"]
        value = default if default is _NO_DEFAULT else ast.literal_eval(default)
        result.append((arg.arg, kind, value))
    if args.vararg:
        result.append((args.vararg.arg, _KINDS["vararg"], _NO_DEFAULT))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        value = _NO_DEFAULT if default is None else ast.literal_eval(default)
        result.append((arg.arg, _KINDS["kwonly"], value))
    if args.kwarg:
        result.append((args.kwarg.arg, _KINDS["kwarg"], _NO_DEFAULT))
    assert result[0][0] == "self"
    return result[1:]


def our_parameters(method: Any) -> list[tuple[str, Any, Any]]:
    signature = inspect.signature(method)
    result = []
    for p in list(signature.parameters.values())[1:]:
        default = _NO_DEFAULT if p.default is inspect.Parameter.empty else p.default
        result.append((p.name, p.kind, default))
    return result


def returns_iterator(entry: dict[str, Any]) -> bool:
    return "Iterator[" in entry["returns"].split("[annotated")[0]


def test_the_official_list_is_complete() -> None:
    assert len(OFFICIAL) == 96
    assert len(ASYNC_METHODS) == 95
    assert {m["name"] for m in OFFICIAL if not m["async"]} == {"retrieve_my_organization"}


@pytest.mark.parametrize("entry", OFFICIAL, ids=[m["name"] for m in OFFICIAL])
def test_method_exists_with_compatible_parameters(entry: dict[str, Any]) -> None:
    method = getattr(AsyncRossumAPIClient, entry["name"], None)
    assert method is not None, f"missing method {entry['name']}"
    assert not entry["name"].startswith("_")
    official = official_parameters(entry)
    ours = our_parameters(method)
    extra = [p for p in ours if p[0] not in {o[0] for o in official}]
    for name, kind, default in extra:
        assert kind is inspect.Parameter.KEYWORD_ONLY and default is not _NO_DEFAULT, (
            f"{entry['name']}: extra parameter {name!r} must be keyword-only with a default"
        )
    assert [p for p in ours if p not in extra] == official


@pytest.mark.parametrize("entry", OFFICIAL, ids=[m["name"] for m in OFFICIAL])
def test_method_returns_the_same_kind(entry: dict[str, Any]) -> None:
    method = getattr(AsyncRossumAPIClient, entry["name"])
    if returns_iterator(entry):
        # Iterators are returned by a plain call (not awaited), as from the official async
        # generators; ours are iterator objects, so arguments are checked at call time.
        assert not inspect.iscoroutinefunction(method)
        assert not inspect.isasyncgenfunction(method)
        returned = typing.get_type_hints(method)["return"]
        origin = typing.get_origin(returned) or returned
        assert origin is collections.abc.AsyncIterator or hasattr(origin, "__anext__"), returned
    else:
        # Official stubs raising NotImplementedError (NOW_ASYNC) were plain ``def``; ours work
        # and are awaited like every other method.
        assert entry["name"] in NOW_ASYNC or "NotImplementedError" not in entry["http"]
        assert inspect.iscoroutinefunction(method), f"{entry['name']} must be awaited"


def test_every_method_has_a_docstring() -> None:
    for entry in OFFICIAL:
        doc = inspect.getdoc(getattr(AsyncRossumAPIClient, entry["name"]))
        assert doc and len(doc) > 10, entry["name"]


def test_the_client_can_be_subscripted_like_the_generic_official_one() -> None:
    alias: Any = AsyncRossumAPIClient
    assert alias[object, object] is AsyncRossumAPIClient


SYNC_METHODS = [m for m in OFFICIAL if m["sync"]]


def official_sync_parameters(entry: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    text: str = entry["params"]
    if text.startswith("async: "):  # the sync form differs only in annotations
        text = text.split(" | sync: ")[1]
    return official_parameters({**entry, "params": text})


@pytest.mark.parametrize("entry", SYNC_METHODS, ids=[m["name"] for m in SYNC_METHODS])
def test_sync_method_exists_with_compatible_parameters(entry: dict[str, Any]) -> None:
    from rossum_trio import SyncRossumAPIClient

    method = getattr(SyncRossumAPIClient, entry["name"], None)
    assert method is not None, f"missing sync method {entry['name']}"
    assert not inspect.iscoroutinefunction(method)
    assert not inspect.isasyncgenfunction(method)
    official = official_sync_parameters(entry)
    ours = our_parameters(method)
    extra = [p for p in ours if p[0] not in {o[0] for o in official}]
    assert all(p[1] is inspect.Parameter.KEYWORD_ONLY and p[2] is not _NO_DEFAULT for p in extra)
    assert [p for p in ours if p not in extra] == official
