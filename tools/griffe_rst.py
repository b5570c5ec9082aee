"""A griffe extension that turns the reStructuredText habits of our docstrings into Markdown.

The docstrings are written for ``help()`` and IDEs, in the Sphinx dialect the official package
uses. mkdocstrings renders docstrings as Markdown, so before rendering this extension rewrites
each docstring (the source files stay as they are):

* an attribute without a docstring takes the ``#:`` comment lines just above it (Sphinx's
  attribute comments), e.g. ``#: The official alias: the client with the default models.``;
* ``:class:`~rossum_trio.dtos.Token``` and the other Sphinx roles become cross-references to
  the rendered object (optional ones: a target that is not rendered anywhere, such as
  ``httpx.HTTPStatusError``, becomes plain code instead of a broken link);
* runs of ``>>>`` lines become fenced ``pycon`` blocks (``# doctest:`` flags removed);
* a paragraph ending in ``::`` followed by an indented block becomes a fenced block
  (``python`` when the block parses as Python, plain text otherwise);
* in a Google ``Args:`` section, ``a, b: text`` documents both ``a`` and ``b``;
* a msgspec Struct (a model) gets a table of its fields (name, type, default), and an enum a
  table of its members, in place of one heading per undocumented field.

Loaded by ``mkdocs.yml`` (``plugins.mkdocstrings.handlers.python.options.extensions``).
"""

from __future__ import annotations

import ast
import html
import re
import textwrap
from pathlib import Path
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|exc|mod|data|obj|const):`(?P<target>[^`]+)`")
ARGS_HEADER = re.compile(r"^(Args|Arguments|Parameters):\s*$")
MULTI_NAME_ARG = re.compile(r"^(?P<indent>\s+)(?P<names>\w+(?:,\s*\w+)+):(?P<text>.*)$")
DOCTEST_FLAG = re.compile(r"\s*#\s*doctest:.*$")
LIST_ITEM = re.compile(r"^\s*([*+-]\s+|\d+[.)]\s+)")
ROOT_PACKAGE = "rossum_trio"


def _target_path(obj: griffe.Object, target: str) -> str:
    """The full dotted path a role's target names, seen from ``obj``."""
    target = target.lstrip(".")
    if target.startswith(f"{ROOT_PACKAGE}.") or target == ROOT_PACKAGE:
        return target
    head, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            resolved = scope.resolve(head)
        except griffe.NameResolutionError:
            scope = scope.parent
            continue
        return f"{resolved}.{rest}" if rest else resolved
    # Not in scope (e.g. ``AsyncRossumAPIClient`` named from one of its method mixins): the
    # package's public names are the usual meaning.
    return f"{ROOT_PACKAGE}.{target}"


def _role(obj: griffe.Object, match: re.Match[str]) -> str:
    kind, target = match.group(1), match.group("target").strip()
    title = target
    if title.startswith("~"):
        target = target[1:]
        title = target.rsplit(".", 1)[-1]
    if kind in ("func", "meth"):
        title += "()"
    identifier = html.escape(_target_path(obj, target), quote=True)
    return f'<autoref identifier="{identifier}" optional>`{title}`</autoref>'


def _fence(lines: list[str], language: str) -> list[str]:
    return [f"```{language}", *lines, "```"]


def _literal_blocks(lines: list[str]) -> list[str]:
    """``text::`` + an indented block → ``text:`` + a fenced block."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.rstrip().endswith("::") or line.lstrip().startswith(">>>"):
            out.append(line)
            i += 1
            continue
        prose = line.rstrip()[:-2].rstrip()
        base = len(line) - len(line.lstrip())
        # In a list item the block is indented past the item's text, not just past the bullet.
        bullet = LIST_ITEM.match(line)
        content = base + len(bullet.group(1)) if bullet else base
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        k = j
        while k < len(lines) and (
            not lines[k].strip() or len(lines[k]) - len(lines[k].lstrip()) > content
        ):
            k += 1
        while k > j and not lines[k - 1].strip():
            k -= 1
        block = textwrap.dedent("\n".join(lines[j:k])).splitlines()
        if not block:
            out.append(line)
            i += 1
            continue
        if prose:
            out.append(prose + ":")
        try:
            ast.parse("\n".join(block))
            language = "python"
        except SyntaxError:
            language = "text"
        indent = " " * base
        out.extend(["", *(indent + b if b else b for b in _fence(block, language)), ""])
        i = k
    return out


def _doctests(lines: list[str]) -> list[str]:
    """Runs of ``>>>`` lines (with their ``...`` continuations and output) → ``pycon`` fences."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith(">>>"):
            out.append(lines[i])
            i += 1
            continue
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        block: list[str] = []
        while i < len(lines) and lines[i].strip():
            block.append(DOCTEST_FLAG.sub("", lines[i][len(indent) :]))
            i += 1
        if out and out[-1].strip():
            out.append("")
        out.extend(indent + b for b in _fence(block, "pycon"))
    return out


def _split_multi_name_args(lines: list[str]) -> list[str]:
    out: list[str] = []
    in_args = False
    for line in lines:
        if ARGS_HEADER.match(line):
            in_args = True
        elif line.strip() and not line[:1].isspace():
            in_args = False
        match = MULTI_NAME_ARG.match(line) if in_args else None
        if match is None:
            out.append(line)
            continue
        for name in re.split(r",\s*", match.group("names")):
            out.append(f"{match.group('indent')}{name}:{match.group('text')}")
    return out


def markdown_docstring(obj: griffe.Object, text: str) -> str:
    """The Markdown form of one docstring of ``obj``."""
    lines = text.splitlines()
    lines = _split_multi_name_args(_doctests(_literal_blocks(lines)))
    converted: list[str] = []
    in_fence = False
    for line in lines:
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        converted.append(line if in_fence else ROLE.sub(lambda m: _role(obj, m), line))
    return "\n".join(converted)


def _is_struct(cls: griffe.Class) -> bool:
    try:
        classes = [cls, *cls.mro()]
    except (ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        classes = [cls]
    return any(str(base).rsplit(".", 1)[-1] == "Struct" for c in classes for base in c.bases)


def _struct_fields(cls: griffe.Class) -> list[griffe.Attribute]:
    """The fields of a Struct class, base classes' first, as msgspec orders them."""
    try:
        classes = [*reversed(cls.mro()), cls]
    except (ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        classes = [cls]
    fields: dict[str, griffe.Attribute] = {}
    for c in classes:
        for name, member in c.members.items():
            if not isinstance(member, griffe.Attribute) or name.startswith("_"):
                continue
            annotation = str(member.annotation or "")
            if not annotation or "ClassVar" in annotation or "property" in member.labels:
                continue
            fields[name] = member
    return list(fields.values())


def _is_enum(cls: griffe.Class) -> bool:
    return any(str(base).rsplit(".", 1)[-1].endswith("Enum") for base in cls.bases)


def _fields_section(cls: griffe.Class) -> tuple[str, list[str]]:
    """A Google ``Attributes:`` section (rendered as a table) of the fields of a Struct or of
    the members of an enum; and the names of the class's own members that the table replaces."""
    rows: list[str] = []
    tabulated: list[str] = []
    if _is_enum(cls):
        for name, member in cls.members.items():
            if member.is_attribute and not name.startswith("_") and not member.is_alias:
                rows.append(f"    {name}: `{member.value}`")  # type: ignore[union-attr]
                tabulated.append(name)
    elif _is_struct(cls):  # (not dataclasses: griffe builds their signature from the fields)
        for attr in _struct_fields(cls):
            default = "" if attr.value is None else f"Default: `{attr.value}`."
            rows.append(f"    {attr.name} ({attr.annotation}): {default}".rstrip())
            if attr.name in cls.members and attr.docstring is None:
                tabulated.append(attr.name)
    section = "\n\nAttributes:\n" + "\n".join(rows) if rows else ""
    return section, tabulated


def _attribute_comment(attr: griffe.Object) -> str:
    """The ``#:`` comment lines right above an attribute's definition, as text."""
    filepath = attr.filepath
    if not isinstance(filepath, Path) or not attr.lineno:
        return ""
    lines = filepath.read_text().splitlines()
    comment: list[str] = []
    index = attr.lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        comment.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    return "\n".join(comment)


class RstDocstrings(griffe.Extension):
    """Rewrite every docstring of a loaded package from Sphinx-flavoured text to Markdown."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._convert(pkg, set())
        self._tabulate_fields(pkg, set())

    def _tabulate_fields(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        section, tabulated = _fields_section(obj) if obj.is_class else ("", [])  # type: ignore[arg-type]
        if section:
            if obj.docstring is None:
                obj.docstring = griffe.Docstring(section.lstrip(), parent=obj)
            else:
                obj.docstring.value += section
            # The table documents them: no heading of their own (a field with a docstring
            # keeps its heading).
            for name in tabulated:
                obj.del_member(name)
        for member in obj.members.values():
            if not member.is_alias:
                self._tabulate_fields(member, seen)  # type: ignore[arg-type]

    def _convert(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is None and obj.is_attribute and (comment := _attribute_comment(obj)):
            obj.docstring = griffe.Docstring(comment, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._convert(member, seen)  # type: ignore[arg-type]
