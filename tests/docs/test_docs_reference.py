"""Every public name is in the API reference, so a new one cannot be forgotten.

Public names: ``rossum_trio.__all__``, and the ``__all__`` of ``rossum_trio.errors``,
``.dtos``, ``.types``, ``.models``, ``.emulator`` and ``.emulator.pytest_plugin`` (the
fixtures), plus every public class, function and constant defined in a ``rossum_trio.models``
submodule.

Two checks:

* always: each name is reached by a ``::: identifier`` directive in ``docs/reference/``, either
  named itself (or where it is defined) or as a member of a module directive whose
  ``members:``/``filters:`` options let it through;
* after ``mkdocs build`` (CI sets ``ROSSUM_TRIO_DOCS_SITE`` to the built site): each name is in
  the site's ``objects.inv``, the inventory of what mkdocstrings rendered.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

import rossum_trio.models

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "docs" / "reference"
MODULES_WITH_ALL = [
    "rossum_trio",
    "rossum_trio.errors",
    "rossum_trio.dtos",
    "rossum_trio.types",
    "rossum_trio.models",
    "rossum_trio.emulator",
    "rossum_trio.emulator.pytest_plugin",
]


def defined_names(module: ModuleType) -> list[str]:
    """Public names a module defines itself (not imports), read from its source."""
    tree = ast.parse(Path(module.__file__ or "").read_text())
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not n.startswith("_")]


def public_names() -> dict[str, object]:
    """Public path → object."""
    found: dict[str, object] = {}
    for name in MODULES_WITH_ALL:
        module = importlib.import_module(name)
        for attr in module.__all__:
            found[f"{name}.{attr}"] = getattr(module, attr)
    for info in pkgutil.iter_modules(rossum_trio.models.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"rossum_trio.models.{info.name}")
        for attr in defined_names(module):
            found[f"{module.__name__}.{attr}"] = getattr(module, attr)
    return found


def module_public(module_name: str) -> set[str]:
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return set(module.__all__)
    return set(defined_names(module))


def definition_path(path: str, obj: object) -> str | None:
    """Where the object named ``path`` is defined, when that is known and has the same name."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        return None
    if qualname.rsplit(".", 1)[-1] != path.rsplit(".", 1)[-1]:
        return None  # another name for it (an alias assignment): it needs its own entry
    return f"{module}.{qualname}"


# -- the directives -------------------------------------------------------------------------------


@dataclass
class Directive:
    identifier: str
    members: list[str] | None = None
    filters: list[str] | None = None
    where: str = ""

    def lets_through(self, name: str, default_filters: list[str]) -> bool:
        if self.members is not None:
            return name in self.members
        filters = default_filters if self.filters is None else self.filters
        negative = [f[1:] for f in filters if f.startswith("!")]
        positive = [f for f in filters if not f.startswith("!")]
        if any(re.search(f, name) for f in negative):
            return False
        return not positive or any(re.search(f, name) for f in positive)


def parse_directives(text: str, where: str) -> list[Directive]:
    """``::: identifier`` lines with the ``members:`` and ``filters:`` of their options."""
    directives: list[Directive] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^:::\s+(\S+)\s*$", line)
        if match is None:
            continue
        directive = Directive(match[1], where=f"{where}:{i + 1}")
        options = []
        for option_line in lines[i + 1 :]:
            if option_line.strip() and not option_line.startswith(" "):
                break
            options.append(option_line)
        key: str | None = None
        for option_line in options:
            stripped = option_line.strip()
            if m := re.match(r"^(members|filters):\s*(.*)$", stripped):
                key, value = m[1], m[2]
                parsed: list[str] | None
                if value in ("", "[]") or value.lower() in ("false", "no"):
                    parsed = []
                elif value.lower() in ("true", "yes"):
                    parsed = None
                else:
                    parsed = [str(v) for v in json.loads(value)]
                setattr(directive, key, parsed)
                key = key if value == "" else None
            elif key and (m := re.match(r"^-\s+(.+)$", stripped)):
                getattr(directive, key).append(m[1].strip().strip("'\""))
            elif stripped.endswith(":") or re.match(r"^\w+:", stripped):
                key = None
        directives.append(directive)
    return directives


def all_directives() -> list[Directive]:
    return [
        directive
        for page in sorted(REFERENCE.rglob("*.md"))
        for directive in parse_directives(page.read_text(), page.relative_to(ROOT).as_posix())
    ]


def default_filters() -> list[str]:
    match = re.search(r"^\s*filters:\s*(\[.*\])\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert match, "mkdocs.yml sets the default filters of the python handler"
    return [str(f) for f in json.loads(match[1])]


def reached(path: str, directives: list[Directive], filters: list[str]) -> bool:
    module, _, name = path.rpartition(".")
    for directive in directives:
        if directive.identifier == path:
            return True
        if (
            directive.identifier == module
            and name in module_public(module)
            and directive.lets_through(name, filters)
        ):
            return True
    return False


def test_every_public_name_has_a_directive() -> None:
    directives, filters = all_directives(), default_filters()
    names = public_names()
    # The public paths of each object, by where it is defined: one rendering covers them all
    # (``rossum_trio.models.Resource`` is rendered as ``rossum_trio.Resource``).
    paths_of: dict[str, set[str]] = {}
    for path, obj in names.items():
        if definition := definition_path(path, obj):
            paths_of.setdefault(definition, {definition}).add(path)
    missing = []
    for path, obj in names.items():
        definition = definition_path(path, obj)
        candidates = paths_of[definition] if definition else {path}
        if not any(reached(c, directives, filters) for c in candidates):
            missing.append(path)
    assert not missing, (
        "not in the API reference (add a ::: directive in docs/reference/, or widen one):\n"
        + "\n".join(sorted(missing))
    )


def test_directives_name_things_that_exist() -> None:
    broken = []
    for directive in all_directives():
        module_name, _, attr = directive.identifier.rpartition(".")
        try:
            importlib.import_module(directive.identifier)
        except ImportError:
            try:
                getattr(importlib.import_module(module_name), attr)
            except (ImportError, AttributeError):
                broken.append(f"{directive.where}: {directive.identifier}")
    assert not broken, "\n".join(broken)


def test_parse_directives_reads_members_and_filters() -> None:
    text = (
        "# T\n\n::: a.b\n    options:\n      members:\n        - x\n        - y\n"
        "      heading_level: 3\n\n"
        '::: a.c\n    options:\n      filters: ["!^_", "!Error$"]\n\n::: a.d\n'
    )
    a_b, a_c, a_d = parse_directives(text, "t.md")
    assert (a_b.identifier, a_b.members, a_b.filters) == ("a.b", ["x", "y"], None)
    assert (a_c.members, a_c.filters) == (None, ["!^_", "!Error$"])
    assert not a_c.lets_through("NotFoundError", []) and a_c.lets_through("prefetch", [])
    assert (a_d.members, a_d.filters) == (None, None)
    assert not a_d.lets_through("_private", ["!^_"])


# -- the built site -------------------------------------------------------------------------------


@dataclass
class Inventory:
    names: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, path: Path) -> Inventory:
        data = path.read_bytes()
        header_end = 0
        for _ in range(4):  # four header lines, then zlib-compressed entries
            header_end = data.index(b"\n", header_end) + 1
        entries = zlib.decompress(data[header_end:]).decode().splitlines()
        return cls({line.split(" ", 1)[0] for line in entries if line})


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site CI built (``ROSSUM_TRIO_DOCS_SITE``), or one built here with ``mkdocs build``
    (the ``docs`` extra: the README's test command installs it)."""
    site = os.environ.get("ROSSUM_TRIO_DOCS_SITE")
    if site:
        return Path(site)
    out = tmp_path_factory.mktemp("site")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_every_public_name_is_rendered_in_the_built_site(built_site: Path) -> None:
    site = built_site
    inventory = Inventory.read(Path(site) / "objects.inv")
    missing = [
        path
        for path, obj in public_names().items()
        if path not in inventory.names and definition_path(path, obj) not in inventory.names
    ]
    assert not missing, "not rendered in the built site:\n" + "\n".join(sorted(missing))
