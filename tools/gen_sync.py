"""Generate ``src/rossum_trio/_sync_generated.py``: the blocking twins of the async client.

Run it with the project's virtualenv (``rossum_trio`` installed, ``ruff`` from the ``test``
extra) after changing the public surface or a docstring of
:class:`~rossum_trio.AsyncRossumAPIClient`, and commit the result::

    .venv/bin/python tools/gen_sync.py           # rewrite the module if it is stale
    .venv/bin/python tools/gen_sync.py --check   # exit status 1 if it is stale (as the tests do)

The generator is a development tool: it is not part of the package, only its output is.

**Members.** :class:`~rossum_trio.AsyncRossumAPIClient` is read with :mod:`inspect`, and the
source of each public member with :mod:`ast`, so parameter annotations and defaults are copied
as written and their names imported from where the async module imports them:

* ``async def`` -> a method that runs it in one ``trio.run``; waiting helpers (``poll_*``,
  ``*_until_*``, ``*wait*``) get an extra keyword ``timeout=`` and raise ``WaitTimeoutError``;
* a plain ``def`` returning a listing (``Listing[X]``) -> ``Iterator[X]``, pulling one window
  of pages per ``trio.run`` (``next_batch``); any other async iterator is refused (the blocking
  client cannot keep one across runs);
* a plain ``def`` returning a ``ByteStream`` -> a ``SyncByteStream``;
* any other plain ``def`` -> called as is; a property -> the same property;
* exceptions by name: :data:`SKIPPED` (no twin), :data:`HAND_WRITTEN` (in ``_sync.py``),
  :data:`SYNC_TARGETS` (the twin runs another async method).

**Docstrings** are the async ones rewritten for blocking use by the explicit rules and
per-method overrides of ``tools/sync_docstrings.py``; if one still speaks of awaiting, async
iteration, cancel scopes or ``trio.fail_after``, generation fails: add a rule or an override
there, never edit the output.

**Formatting** is ruff's, with the project's configuration: the text goes through
``ruff check --fix --select I`` (import sorting) and ``ruff format``.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import importlib
import importlib.util
import inspect
import re
import shutil
import subprocess
import sys
import textwrap
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from sync_docstrings import WIDTH, GenerationError, sync_docstring

ROOT = Path(__file__).resolve().parents[1]
#: Where the generated module goes.
TARGET = ROOT / "src" / "rossum_trio" / "_sync_generated.py"
#: How to run this script (for messages).
COMMAND = "python tools/gen_sync.py"

if str(ROOT / "src") not in sys.path:  # inspect this checkout's async client
    sys.path.insert(0, str(ROOT / "src"))

#: Async members the blocking client does not mirror as such.
SKIPPED = frozenset({"aclose", "bulk_upload"})  # -> close(); an async context manager
#: Members written by hand in ``_sync.py`` (same signature; the signature test covers them).
HAND_WRITTEN = frozenset({"retrieve_my_organization"})  # warns at the caller's line
#: Blocking twins that run another async method than their namesake (same parameters): the
#: official sync ``import_document`` does not warn, so its twin skips the async one's warning.
SYNC_TARGETS = {"import_document": "_import_document"}

#: Return annotations (outermost name) that become ``Iterator[...]``: the listings.
LISTINGS = frozenset({"Listing"})
#: Return annotations refused: a public method returns a ``Listing``, never a bare async iterator.
ASYNC_ITERATORS = frozenset({"AsyncIterator", "AsyncIterable", "AsyncGenerator", "PageIterator"})
#: Return annotations that become a ``SyncByteStream``.
BYTE_STREAMS = frozenset({"ByteStream"})

#: Generic listings whose positional parameters after ``url`` follow the official *sync*
#: client's order (``..., method, json, max_pages[, paginated]``; async: ``max_pages, json``):
#: name -> the tuple of those names in ``rossum_trio._sync_base``.
SYNC_POSITIONAL = {
    "request_paginated": "SYNC_PAGINATED_POSITIONAL",
    "request_cursor_paginated": "SYNC_CURSOR_POSITIONAL",
}

_WAITING = re.compile(r"^(poll|wait)_|_wait|_until_")


def is_waiting(name: str) -> bool:
    """Whether the blocking twin of ``name`` takes ``timeout=`` (a polling/waiting helper)."""
    return bool(_WAITING.search(name))


_NOTE_CALL = "Blocking: runs the async method in one ``trio.run``."
_NOTE_WAITING = (
    "Blocking: runs the async method in one ``trio.run``. ``timeout=``: give up after this "
    "many seconds (``None``, the default: no limit); the wait is cancelled cleanly and "
    ":class:`~rossum_trio.errors.WaitTimeoutError` is raised (a :class:`TimeoutError` and a "
    ":class:`trio.TooSlowError`)."
)
_NOTE_ITERATOR = (
    "Blocking: an iterator that fetches one window of pages (concurrently, up to the "
    "in-flight cap) per ``trio.run``; stopping early leaves nothing running."
)
_NOTE_STREAM = (
    "Blocking: a ``SyncByteStream``, an iterator of ``bytes`` chunks; the body is downloaded "
    "in one ``trio.run`` on the first ``next()`` (spooled to disk beyond 8 MiB), then handed "
    "out chunk by chunk."
)
_NOTE_PLAIN = "Not a coroutine in the async client either: called as is."


def _docstring(text: str, indent: str = "        ") -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = text.strip().splitlines()
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""\n'
    body = "\n".join(f"{indent}{line}".rstrip() for line in lines)
    return f'{indent}"""{body[len(indent) :]}\n{indent}"""\n'


# -- imports -----------------------------------------------------------------------------------


@dataclass
class _Imports:
    """The imports of the generated module (ruff sorts them)."""

    modules: set[str] = field(default_factory=set)  # import x / import x as y
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, orig)

    def add_name(self, local: str, module: str, orig: str) -> None:
        known = self.names.get(local)
        if known is not None and known != (module, orig):
            raise GenerationError(f"{local!r} would be imported from both {known} and {module}")
        self.names[local] = (module, orig)

    def render(self) -> str:
        lines = [f"import {module}" for module in sorted(self.modules)]
        for local, (module, orig) in sorted(self.names.items()):
            alias = "" if orig == local else f" as {local}"
            lines.append(f"from {module} import {orig}{alias}")
        return "\n".join(lines)


#: Names the generated module imports itself.
_OWN_IMPORTS = {
    "Iterator": "collections.abc",
    "AsyncRossumAPIClient": "rossum_trio._client",
    "SyncByteStream": "rossum_trio._sync_base",
    "SyncRunner": "rossum_trio._sync_base",
}


@dataclass
class _ModuleInfo:
    imports: dict[str, tuple[str, str | None]]  # local name -> (module, original name or None)
    defined: set[str]


_MODULES: dict[str, _ModuleInfo] = {}


def _module_info(name: str) -> _ModuleInfo:
    if name not in _MODULES:
        module: ModuleType = importlib.import_module(name)
        tree = ast.parse(inspect.getsource(module))
        imports: dict[str, tuple[str, str | None]] = {}
        defined: set[str] = set()
        for node in _top_level(tree.body):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = importlib.util.resolve_name("." * node.level + (node.module or ""), name)
                else:
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
        _MODULES[name] = _ModuleInfo(imports, defined)
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
            if not isinstance(sub, ast.Name) or sub.id in _OWN_IMPORTS:
                continue
            name = sub.id
            if name in info.imports:
                source, orig = info.imports[name]
                if orig is None:
                    imports.modules.add(source)
                else:
                    imports.add_name(name, source, orig)
            elif name in info.defined:
                imports.add_name(name, module_name, name)
            elif not hasattr(builtins, name):
                raise GenerationError(f"cannot find where {name!r} comes from in {module_name}")


# -- members -----------------------------------------------------------------------------------


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


def _arg_text(arg: ast.arg, default: ast.expr | None, prefix: str = "") -> str:
    text = prefix + arg.arg
    if arg.annotation is not None:
        text += f": {ast.unparse(arg.annotation)}"
        if default is not None:
            text += f" = {ast.unparse(default)}"
    elif default is not None:
        text += f"={ast.unparse(default)}"
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
    kwarg_at = next((i for i, p in enumerate(params) if p.text.startswith("**")), len(params))
    if not any(p.text.startswith("*") for p in params[:kwarg_at]):
        params.insert(kwarg_at, _Param("*", None))
        kwarg_at += 1
    params.insert(kwarg_at, _Param("timeout: float | None = None", None))


def _def(name: str, params: list[_Param], returns: str) -> str:
    return f"    def {name}({', '.join(['self', *(p.text for p in params)])}) -> {returns}:\n"


def _call(target: str, args: list[str], prefix: str = "return ") -> str:
    return f"        {prefix}{target}({', '.join(args)})\n"


def _property(name: str, prop: property, imports: _Imports) -> str:
    assert prop.fget is not None
    node = _function_node(prop.fget, decorated=True)
    returns = "Any"
    if node.returns is not None:
        returns = ast.unparse(node.returns)
        _resolve_names([node.returns], prop.fget.__module__, imports)
    else:
        imports.add_name("Any", "typing", "Any")
    doc = inspect.getdoc(prop.fget) or f"The async client's ``{name}``."
    return (
        f"    @property\n    def {name}(self) -> {returns}:\n"
        f"{_docstring(sync_docstring(name, doc, waiting=False))}"
        f"        return self._async.{name}\n"
    )


def _member(cls: type, name: str, imports: _Imports) -> str:
    static = inspect.getattr_static(cls, name)
    if isinstance(static, property):
        return _property(name, static, imports)
    fn = static
    if not inspect.isfunction(fn):
        raise GenerationError(f"{name}: unsupported member kind {type(static).__name__}")
    if typing.get_overloads(fn):
        raise GenerationError(f"{name}: @overload-ed methods are not supported")
    node = _function_node(fn)
    if node.returns is None:
        raise GenerationError(f"{name}: no return annotation")
    params, exprs = _params(node)
    forward = [p.call for p in params if p.call is not None]
    target = f"self._async.{SYNC_TARGETS.get(name, name)}"
    returns_node = node.returns
    returns = ast.unparse(returns_node)
    waiting = False
    if isinstance(node, ast.AsyncFunctionDef):
        exprs.append(returns_node)
        prefix = "" if returns == "None" else "return "
        waiting = is_waiting(name)
        if waiting:
            _add_timeout(name, params)
            note = _NOTE_WAITING
            body = _call("self._call_waiting", ["timeout", target, *forward], prefix)
        else:
            note = _NOTE_CALL
            body = _call("self._call", [target, *forward], prefix)
    else:
        outer = returns_node.value if isinstance(returns_node, ast.Subscript) else returns_node
        outer_name = outer.id if isinstance(outer, ast.Name) else ast.unparse(outer)
        inline = f"{target}({', '.join(forward)})"
        if outer_name in ASYNC_ITERATORS:
            raise GenerationError(
                f"{name} returns {returns}: a listing must be annotated Listing[X] "
                "(rossum_trio._pagination.Listing, with next_batch), which the blocking client "
                "reads one window of pages per trio.run"
            )
        if outer_name in LISTINGS:
            assert isinstance(returns_node, ast.Subscript)
            item = returns_node.slice
            exprs.append(item)
            returns = f"Iterator[{ast.unparse(item)}]"
            note = _NOTE_ITERATOR
            body = _call("self._iterate", [inline])
            if name in SYNC_POSITIONAL:
                order = SYNC_POSITIONAL[name]
                imports.add_name(order, "rossum_trio._sync_base", order)
                if [p.text.split(":")[0] for p in params] != ["url", "*args", "**kwargs"]:
                    raise GenerationError(f"{name}: expected (url, *args, **kwargs)")
                body = (
                    f'        options = self._keywords("{name}", {order}, args, kwargs)\n'
                    + _call("self._iterate", [f"{target}(url, **options)"])
                )
        elif outer_name in BYTE_STREAMS:
            returns = "SyncByteStream"
            note = _NOTE_STREAM
            body = _call("self._stream", [inline])
        else:
            exprs.append(returns_node)
            note = _NOTE_PLAIN
            body = _call(target, forward)
    _resolve_names(exprs, fn.__module__, imports)
    doc = inspect.getdoc(fn) or f"See :meth:`AsyncRossumAPIClient.{name}`."
    text = f"{sync_docstring(name, doc, waiting=waiting)}\n\n{textwrap.fill(note, WIDTH)}"
    return _def(name, params, returns) + _docstring(text) + body


def _init(cls: type, imports: _Imports) -> str:
    init = cls.__init__  # type: ignore[misc]
    params, exprs = _params(_function_node(init))
    _resolve_names(exprs, init.__module__, imports)
    forward = [p.call for p in params if p.call is not None]
    doc = "A blocking client; the parameters are those of :class:`AsyncRossumAPIClient`.\n\n"
    doc += textwrap.fill(
        "``transport=`` must be an *async* httpx transport (``httpx.AsyncHTTPTransport``, "
        "``httpx.MockTransport``, ``httpx.ASGITransport``): the calls run the async client "
        "inside ``trio.run``.",
        WIDTH,
    )
    body = ""
    if "transport=transport" in forward:
        body += "        self._check_transport(transport)\n"
    body += f"        self._attach(AsyncRossumAPIClient({', '.join(forward)}))\n"
    return _def("__init__", params, "None") + _docstring(doc) + body


def public_members(cls: type) -> list[str]:
    """Public members of ``cls`` in definition order (base classes first)."""
    seen: dict[str, None] = {}
    for klass in reversed(cls.__mro__):
        for name in vars(klass):
            if not name.startswith("_"):
                seen.setdefault(name, None)
    return list(seen)


# -- the module --------------------------------------------------------------------------------

_HEADER = f'''"""GENERATED by ``{COMMAND}`` from ``AsyncRossumAPIClient``: do not edit. @generated

One blocking delegate per public member of the async client. The rules are in
``tools/gen_sync.py`` (which members, and how) and ``tools/sync_docstrings.py`` (how their
docstrings are rewritten for blocking use).
"""

from __future__ import annotations

'''


def render_unformatted() -> str:
    """The generated module before ruff formats it."""
    from rossum_trio._client import AsyncRossumAPIClient

    imports = _Imports()
    for local, module in _OWN_IMPORTS.items():
        imports.add_name(local, module, local)
    members = [_init(AsyncRossumAPIClient, imports)]
    for name in public_members(AsyncRossumAPIClient):
        if name not in SKIPPED and name not in HAND_WRITTEN:
            members.append(_member(AsyncRossumAPIClient, name, imports))
    klass = (
        "\n\nclass SyncDelegates(SyncRunner):\n"
        '    """The blocking twins of the async methods (generated)."""\n\n'
    )
    return _HEADER + imports.render() + "\n" + klass + "\n".join(members)


def ruff_executable() -> str:
    """The ruff of this virtualenv (the ``test`` extra), else the one on ``PATH``."""
    beside = Path(sys.executable).with_name("ruff")
    found = str(beside) if beside.exists() else shutil.which("ruff")
    if found is None:
        raise GenerationError("ruff not found: pip install -e '.[test]'")
    return found


def ruff_format(source: str) -> str:
    """``source`` with sorted imports, formatted, under the project's ruff configuration."""
    ruff = ruff_executable()
    # ``--stdin-filename`` makes ruff read pyproject.toml and treat the text as the target module.
    for args in (["check", "--fix", "--select", "I", "--quiet"], ["format", "--quiet"]):
        done = subprocess.run(
            [ruff, *args, "--stdin-filename", str(TARGET), "-"],
            input=source,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            raise GenerationError(f"ruff {args[0]} failed:\n{done.stdout}{done.stderr}")
        source = done.stdout
    return source


def render() -> str:
    """The source of ``_sync_generated.py`` for the async client as it is now."""
    return ruff_format(render_unformatted())


def main(argv: list[str] | None = None) -> int:
    """Write the generated module, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument(
        "--target",
        type=Path,
        default=TARGET,
        help="the file to write or check (default: %(default)s)",
    )
    options = parser.parse_args(argv)
    target: Path = options.target
    text = render()
    current = target.read_text() if target.exists() else ""
    if options.check:
        if current != text:
            print(f"{target} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    if current != text:
        target.write_text(text)
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
