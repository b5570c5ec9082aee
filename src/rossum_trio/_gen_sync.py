"""Generate ``_sync_generated.py``: one typed blocking delegate per public async member.

Run ``python -m rossum_trio._gen_sync`` after changing the async client's public surface, and
commit the result; ``--check`` exits with status 1 when the checked-in file is not current
(``tests/sync`` runs the same check).

The generator reads :class:`~rossum_trio.AsyncRossumAPIClient` with :mod:`inspect` and the
source of each method with :mod:`ast`, so parameter annotations and defaults are copied as
written (and their names imported from where the async module imports them). For each member:

* ``async def`` -> a method that runs it in one ``trio.run`` (``_call``); waiting helpers
  (``poll_*``, ``*_until_*``, ``*wait*``) get an extra keyword ``timeout=`` (``_call_waiting``);
* a plain ``def`` returning an async iterator (``AsyncIterator[X]``, ``PageIterator[X]``) ->
  a method returning ``Iterator[X]`` that pulls one window of pages per ``trio.run``;
* a plain ``def`` returning a :class:`~rossum_trio.ByteStream` -> a :class:`SyncByteStream`;
* any other plain ``def`` -> called as is; a property -> the same property.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

#: Where the generated module goes.
TARGET = Path(__file__).with_name("_sync_generated.py")

#: Async members the blocking client does not mirror as such.
SKIPPED = frozenset({"aclose", "bulk_upload"})  # -> close(); an async context manager
#: Members written by hand in ``_sync.py`` (same signature; the signature test covers them).
HAND_WRITTEN = frozenset({"import_document", "retrieve_my_organization"})

#: Return annotations (outermost name) that become ``Iterator[...]``.
ASYNC_ITERATORS = frozenset({"AsyncIterator", "AsyncIterable", "AsyncGenerator", "PageIterator"})
#: Return annotations that become a :class:`SyncByteStream`.
BYTE_STREAMS = frozenset({"ByteStream"})

#: Generic listings whose positional parameters after ``url`` follow the official *sync*
#: client's order (``..., method, json, max_pages[, paginated]``; async: ``max_pages, json``).
#: name -> (tuple of positional names in ``_sync_base``, docstring)
SYNC_POSITIONAL = {
    "request_paginated": (
        "SYNC_PAGINATED_POSITIONAL",
        "Iterate the items (dicts) of any page-number-paginated list endpoint.\n\n"
        "Positional parameters after ``url`` follow the official *sync* client's order: "
        "``ordering, sideloads, content_schema_ids, method, json, max_pages, paginated`` "
        "(the async client has ``max_pages`` before ``json``); other keywords are query "
        "filters. ``paginated=False`` makes a single request.",
    ),
    "request_cursor_paginated": (
        "SYNC_CURSOR_POSITIONAL",
        "Iterate a cursor-paginated endpoint: follows the top-level ``next`` until it is "
        "null.\n\n"
        "Positional parameters after ``url`` follow the official *sync* client's order: "
        "``ordering, sideloads, content_schema_ids, method, json, max_pages`` (the async "
        "client has ``max_pages`` before ``json``); other keywords are query filters (sent on "
        "the first request only).",
    ),
}

_WAITING = re.compile(r"^(poll|wait)_|_wait|_until_")

#: Names the generated module imports itself.
_OWN_IMPORTS = {
    "Iterator": "collections.abc",
    "AsyncRossumAPIClient": "rossum_trio._client",
    "SyncByteStream": "rossum_trio._sync_base",
    "SyncRunner": "rossum_trio._sync_base",
}
_FIRST_PARTY = ("rossum_trio", "rossum_api")
_LINE = 100


def is_waiting(name: str) -> bool:
    """Whether the blocking twin of ``name`` takes ``timeout=`` (a polling/waiting helper)."""
    return bool(_WAITING.search(name))


@dataclass
class _Imports:
    modules: set[str] = field(default_factory=set)  # import x
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, orig)

    def add_name(self, local: str, module: str, orig: str) -> None:
        known = self.names.get(local)
        if known is not None and known != (module, orig):
            raise GenerationError(f"{local!r} would be imported from both {known} and {module}")
        self.names[local] = (module, orig)

    def render(self) -> str:
        sections: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: []}
        by_module: dict[str, list[str]] = {}
        for local, (module, orig) in self.names.items():
            by_module.setdefault(module, []).append(orig if orig == local else f"{orig} as {local}")
        for module in sorted(self.modules, key=str.lower):
            sections[_section(module)].append(f"import {module}")
        for module in sorted(by_module, key=str.lower):
            names = sorted(by_module[module], key=_isort_key)
            line = f"from {module} import {', '.join(names)}"
            if len(line) > _LINE:
                body = "".join(f"    {n},\n" for n in names)
                line = f"from {module} import (\n{body})"
            sections[_section(module)].append(line)
        return "\n\n".join("\n".join(lines) for _, lines in sorted(sections.items()) if lines)


def _section(module: str) -> int:
    root = module.split(".")[0]
    if root == "__future__":
        return 0
    if root in sys.stdlib_module_names:
        return 1
    return 3 if root in _FIRST_PARTY else 2


def _isort_key(name: str) -> tuple[int, str]:
    bare = name.split(" as ")[0]
    stripped = bare.lstrip("_")
    if len(stripped) > 1 and stripped.isupper():
        kind = 0
    elif stripped[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, bare.lower()


class GenerationError(Exception):
    """The async surface has something the generator cannot mirror safely."""


@dataclass
class _ModuleInfo:
    module: ModuleType
    imports: dict[str, tuple[str, str | None]]  # local name -> (module, original name or None)
    defined: set[str]


_MODULES: dict[str, _ModuleInfo] = {}


def _module_info(name: str) -> _ModuleInfo:
    if name not in _MODULES:
        module = importlib.import_module(name)
        tree = ast.parse(inspect.getsource(module))
        imports: dict[str, tuple[str, str | None]] = {}
        defined: set[str] = set()
        for node in _top_level(tree.body):
            if isinstance(node, ast.ImportFrom):
                base = importlib.util.resolve_name("." * node.level + (node.module or ""), name)
                if node.level == 0:
                    base = node.module or ""
                for alias in node.names:
                    imports[alias.asname or alias.name] = (base, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:  # ``import json as jsonlib``
                        imports[alias.asname] = (f"{alias.name} as {alias.asname}", None)
                    else:
                        imports[alias.name.split(".")[0]] = (alias.name.split(".")[0], None)
            elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined.add(node.target.id)
            elif type(node).__name__ == "TypeAlias":  # ``type X = ...`` (Python 3.12+)
                defined.add(node.name.id)  # type: ignore[attr-defined]
        _MODULES[name] = _ModuleInfo(module, imports, defined)
    return _MODULES[name]


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    nodes: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If):  # e.g. ``if TYPE_CHECKING:``
            nodes.extend(_top_level(node.body))
            nodes.extend(_top_level(node.orelse))
        else:
            nodes.append(node)
    return nodes


def _resolve_names(nodes: list[ast.expr], module_name: str, imports: _Imports) -> None:
    info = _module_info(module_name)
    for node in nodes:
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Name):
                continue
            name = sub.id
            if name in _OWN_IMPORTS:
                continue
            if name in info.imports:
                source, orig = info.imports[name]
                if orig is None:
                    imports.modules.add(source)
                else:
                    imports.add_name(name, source, orig)
            elif name in info.defined:
                imports.add_name(name, module_name, name)
            elif hasattr(builtins, name):
                continue
            else:
                raise GenerationError(f"cannot find where {name!r} comes from in {module_name}")


# -- members ---------------------------------------------------------------------------------


@dataclass
class _Param:
    text: str  # as in a def: "name: ann = default", "*args: Any", "*"
    call: str | None  # how to forward it: "name", "name=name", "*args", "**kw"


def _function_node(
    fn: Callable[..., Any], *, decorated: bool = False
) -> ast.FunctionDef | ast.AsyncFunctionDef:
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise GenerationError(f"{fn.__qualname__}: not a function definition")
    if node.decorator_list and not decorated:
        raise GenerationError(f"{fn.__qualname__}: decorated methods are not supported")
    return node


def _source(node: ast.expr) -> str:
    """An expression as source text, with double-quoted strings (the project's style)."""
    text = ast.unparse(node)
    has_str = any(
        isinstance(n, ast.Constant) and isinstance(n.value, str | bytes) for n in ast.walk(node)
    )
    if has_str and '"' not in text and "\\" not in text:
        text = text.replace("'", '"')
    return text


def _arg_text(arg: ast.arg, default: ast.expr | None, prefix: str = "") -> str:
    text = prefix + arg.arg
    if arg.annotation is not None:
        text += f": {_source(arg.annotation)}"
        if default is not None:
            text += f" = {_source(default)}"
    elif default is not None:
        text += f"={_source(default)}"
    return text


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[list[_Param], list[ast.expr]]:
    """The parameters after ``self``, and the expressions whose names must be imported."""
    args = node.args
    exprs: list[ast.expr] = []
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    defaults += args.defaults
    params: list[_Param] = []
    for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
        if index == 0:
            continue  # self
        params.append(_Param(_arg_text(arg, default), arg.arg))
        exprs += [e for e in (arg.annotation, default) if e is not None]
        if index == len(args.posonlyargs) - 1:
            params.append(_Param("/", None))
    if args.vararg is not None:
        params.append(_Param(_arg_text(args.vararg, None, "*"), f"*{args.vararg.arg}"))
        exprs += [args.vararg.annotation] if args.vararg.annotation else []
    elif args.kwonlyargs:
        params.append(_Param("*", None))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(_Param(_arg_text(arg, kw_default), f"{arg.arg}={arg.arg}"))
        exprs += [e for e in (arg.annotation, kw_default) if e is not None]
    if args.kwarg is not None:
        params.append(_Param(_arg_text(args.kwarg, None, "**"), f"**{args.kwarg.arg}"))
        exprs += [args.kwarg.annotation] if args.kwarg.annotation else []
    return params, exprs


def _add_timeout(name: str, params: list[_Param]) -> None:
    if any(p.call in ("timeout", "timeout=timeout") for p in params):
        raise GenerationError(f"{name} already has a 'timeout' parameter")
    timeout = _Param("timeout: float | None = None", None)
    kwarg_at = next((i for i, p in enumerate(params) if p.text.startswith("**")), len(params))
    has_star = any(p.text == "*" or p.text.startswith("*") for p in params[:kwarg_at])
    if not has_star:
        params.insert(kwarg_at, _Param("*", None))
        kwarg_at += 1
    params.insert(kwarg_at, timeout)


_AWAIT = re.compile(r"\bawait\s+")
_ASYNC_BLOCK = re.compile(r"\basync\s+(for|with)\b")


def sync_examples(doc: str) -> str:
    """``doc`` with its doctest lines made blocking (``await x`` -> ``x``, ``async for`` -> ``for``,
    ``async with`` -> ``with``); prose is left alone."""
    lines = []
    for line in doc.splitlines():
        stripped = line.lstrip()
        if stripped.startswith((">>>", "...")):
            line = _ASYNC_BLOCK.sub(r"\1", _AWAIT.sub("", line))
        lines.append(line)
    return "\n".join(lines)


def _docstring(text: str, indent: str = "        ") -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.strip().splitlines()
    if len(lines) == 1 and len(indent) + len(lines[0]) + 6 <= _LINE:
        return f'{indent}"""{lines[0]}"""\n'
    body = "\n".join(f"{indent}{line}".rstrip() for line in lines)
    return f'{indent}"""{body[len(indent) :]}\n{indent}"""\n'


def _signature(name: str, params: list[_Param], returns: str) -> str:
    head = f"    def {name}(self"
    inline = head + "".join(f", {p.text}" for p in params) + f") -> {returns}:"
    if len(inline) <= _LINE and not params:
        return inline + "\n"
    lines = [f"    def {name}(\n", "        self,\n"]
    lines += [f"        {p.text},\n" for p in params]
    lines.append(f"    ) -> {returns}:\n")
    return "".join(lines)


def _call(target: str, args: list[str], prefix: str = "return ") -> str:
    if not args:
        return f"        {prefix}{target}()\n"
    body = "".join(f"            {a},\n" for a in args)
    return f"        {prefix}{target}(\n{body}        )\n"


def _member(cls: type, name: str, imports: _Imports) -> str:
    static = inspect.getattr_static(cls, name)
    if isinstance(static, property):
        assert static.fget is not None
        node = _function_node(static.fget, decorated=True)
        returns = _source(node.returns) if node.returns else "Any"
        if node.returns:
            _resolve_names([node.returns], static.fget.__module__, imports)
        doc = inspect.getdoc(static.fget) or f"The async client's ``{name}``."
        return (
            f"    @property\n    def {name}(self) -> {returns}:\n"
            f"{_docstring(doc)}        return self._async.{name}\n"
        )
    fn = static
    if not inspect.isfunction(fn):
        raise GenerationError(f"{name}: unsupported member kind {type(static).__name__}")
    if typing_overloads(fn):
        raise GenerationError(f"{name}: @overload-ed methods are not supported")
    node = _function_node(fn)
    params, exprs = _params(node)
    doc = inspect.getdoc(fn) or f"See :meth:`AsyncRossumAPIClient.{name}`."
    forward = [p.call for p in params if p.call is not None]
    target = f"self._async.{name}"
    if node.returns is None:
        raise GenerationError(f"{name}: no return annotation")
    returns_node = node.returns
    returns = _source(returns_node)
    if isinstance(node, ast.AsyncFunctionDef):
        exprs.append(returns_node)
        prefix = "" if returns == "None" else "return "
        if is_waiting(name):
            _add_timeout(name, params)
            note = (
                "Blocking: runs the async method in one ``trio.run``. ``timeout``: give up after "
                "this many seconds (``None``: no limit); the wait is cancelled cleanly and a "
                ":class:`TimeoutError` is raised (``WaitTimeoutError``, also a "
                ":class:`trio.TooSlowError` and a :class:`~rossum_trio.errors.RossumError`)."
            )
            body = _call("self._call_waiting", ["timeout", target, *forward], prefix)
        else:
            note = "Blocking: runs the async method in one ``trio.run``."
            body = _call("self._call", [target, *forward], prefix)
    else:
        outer = returns_node.value if isinstance(returns_node, ast.Subscript) else returns_node
        outer_name = outer.id if isinstance(outer, ast.Name) else _source(outer)
        if outer_name in ASYNC_ITERATORS:
            assert isinstance(returns_node, ast.Subscript)
            item = returns_node.slice
            if isinstance(item, ast.Tuple):  # AsyncGenerator[X, None]
                item = item.elts[0]
            exprs.append(item)
            returns = f"Iterator[{_source(item)}]"
            note = (
                "Blocking: an iterator that fetches one window of pages (concurrently, up to the "
                "in-flight cap) per ``trio.run``; stopping early leaves nothing running."
            )
            call = _inline_call(target, forward)
            if name in SYNC_POSITIONAL:
                order, doc = SYNC_POSITIONAL[name]
                imports.add_name(order, "rossum_trio._sync_base", order)
                if [p.text.split(":")[0] for p in params] != ["url", "*args", "**kwargs"]:
                    raise GenerationError(f"{name}: expected (url, *args, **kwargs)")
                doc = "\n\n".join(textwrap.fill(part, _LINE - 8) for part in doc.split("\n\n"))
                call = f"{target}(url, **options)"
            body = _call("self._iterate", [call])
            if name in SYNC_POSITIONAL:
                body = f'        options = self._keywords("{name}", {order}, args, kwargs)\n' + body
        elif outer_name in BYTE_STREAMS:
            returns = "SyncByteStream"
            note = (
                "Blocking: a ``SyncByteStream``, an iterator of ``bytes`` chunks; the body is "
                "downloaded in one ``trio.run`` on the first ``next()`` (spooled to disk "
                "beyond 8 MiB), then handed out chunk by chunk."
            )
            body = _call("self._stream", [_inline_call(target, forward)])
        else:
            exprs.append(returns_node)
            note = "Not a coroutine in the async client either: called as is."
            body = _call(target, forward)
    _resolve_names(exprs, fn.__module__, imports)
    doc = f"{sync_examples(doc)}\n\n{textwrap.fill(note, _LINE - 8)}"
    return _signature(name, params, returns) + _docstring(doc) + body


def _inline_call(target: str, forward: list[str]) -> str:
    return f"{target}({', '.join(forward)})"


def typing_overloads(fn: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The ``@overload`` variants registered for ``fn`` (Python 3.11+)."""
    import typing

    return list(typing.get_overloads(fn))


def _init(cls: type, imports: _Imports) -> str:
    init = cls.__init__  # type: ignore[misc]
    node = _function_node(init)
    params, exprs = _params(node)
    _resolve_names(exprs, init.__module__, imports)
    forward = [p.call for p in params if p.call is not None]
    doc = "A blocking client; the parameters are those of :class:`AsyncRossumAPIClient`.\n\n"
    doc += textwrap.fill(
        "``transport=`` must be an *async* httpx transport (``httpx.AsyncHTTPTransport``, "
        "``httpx.MockTransport``, ``httpx.ASGITransport``): the calls run the async client "
        "inside ``trio.run``.",
        _LINE - 8,
    )
    body = ""
    if any(p.call == "transport=transport" for p in params):
        body += "        self._check_transport(transport)\n"
    body += "        self._attach(\n            AsyncRossumAPIClient(\n"
    body += "".join(f"                {arg},\n" for arg in forward)
    body += "            )\n        )\n"
    return _signature("__init__", params, "None") + _docstring(doc) + body


def public_members(cls: type) -> list[str]:
    """Public members of ``cls`` in definition order (base classes first)."""
    seen: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name in vars(klass):
            if not name.startswith("_"):
                seen.setdefault(name, None)
    return list(seen)


def render() -> str:
    """The source of ``_sync_generated.py`` for the async client as it is now."""
    from rossum_trio._client import AsyncRossumAPIClient

    imports = _Imports()
    for local, module in _OWN_IMPORTS.items():
        imports.add_name(local, module, local)
    members = [_init(AsyncRossumAPIClient, imports)]
    for name in public_members(AsyncRossumAPIClient):
        if name in SKIPPED or name in HAND_WRITTEN:
            continue
        members.append(_member(AsyncRossumAPIClient, name, imports))
    header = (
        '"""GENERATED by ``python -m rossum_trio._gen_sync`` from ``AsyncRossumAPIClient``: '
        "do not edit.\n\n"
        "One blocking delegate per public member of the async client (see ``_gen_sync.py``).\n"
        '"""\n\n'
        "from __future__ import annotations\n\n"
    )
    klass = (
        "\n\nclass SyncDelegates(SyncRunner):\n"
        '    """The blocking twins of the async methods (generated)."""\n\n'
    )
    body = imports.render() + "\n" + klass + "\n".join(members)
    if any(len(line) > _LINE for line in body.splitlines()):
        # Docstrings are copied from the async methods as they are.
        header = header.replace("\n\nfrom __future__", "\n\n# ruff: noqa: E501\n\nfrom __future__")
    return header + body


def main(argv: list[str] | None = None) -> int:
    """Write ``_sync_generated.py``, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(prog="python -m rossum_trio._gen_sync")
    parser.add_argument("--check", action="store_true", help="fail if the file is not current")
    options = parser.parse_args(argv)
    text = render()
    current = TARGET.read_text() if TARGET.exists() else ""
    if options.check:
        if current != text:
            print(f"{TARGET} is out of date: run python -m rossum_trio._gen_sync", file=sys.stderr)
            return 1
        return 0
    if current != text:
        TARGET.write_text(text)
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
