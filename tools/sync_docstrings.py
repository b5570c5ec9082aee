"""How ``tools/gen_sync.py`` rewrites an async docstring for the blocking twin.

The rules are explicit text substitutions, applied per line:

* :data:`CODE_RULES` to doctest lines (``>>>``, ``...``) and to ``inline literals``: no
  ``await``, ``async for`` / ``async with`` become ``for`` / ``with``;
* :data:`PROSE_RULES` to the prose of every member (an "async iterator" is an iterator);
* :data:`WAITING_RULES` to the prose of waiting helpers only, which take ``timeout=``: the
  advice to bound the wait with ``trio.fail_after`` or a cancel scope becomes ``timeout=``.

:data:`DOC_OVERRIDES` replaces whole paragraphs of given methods, where a rule would not do.
A prose paragraph that changed is re-wrapped to the line length. If the result still speaks of
awaiting, async iteration, cancel scopes, nurseries or ``trio.fail_after`` (:data:`ASYNC_ONLY`),
:func:`sync_docstring` raises :class:`GenerationError`: add a rule or an override.
"""

from __future__ import annotations

import re
import textwrap


class GenerationError(Exception):
    """The async surface has something the generator cannot mirror safely."""


Rule = tuple[re.Pattern[str], str]

#: Applied to code: doctest lines (``>>>``, ``...``) and ``inline literals``.
CODE_RULES: list[Rule] = [
    (re.compile(r"\bawait\s+"), ""),
    (re.compile(r"\basync\s+(for|with)\b"), r"\1"),
]
#: Applied to the prose of every member.
PROSE_RULES: list[Rule] = [
    (re.compile(r"\basync (iterator|iterable)\b"), r"\1"),
]
#: Applied to the prose of waiting helpers only: they bound the wait with ``timeout=``.
WAITING_RULES: list[Rule] = [
    (
        re.compile(
            r"``trio\.(?:fail_after|move_on_after)(?:\([^`]*\))?``"
            r"|\b(?:a |the )?(?:trio )?cancel scope\b"
        ),
        "``timeout=``",
    ),
]
#: What a blocking docstring must not say once the rules have run.
ASYNC_ONLY = re.compile(
    r"\bawait\b|\basync\s+(?:for|with|iterator|iterable|generator)\b|\bfail_after\b"
    r"|\bmove_on_after\b|\bcancel scopes?\b|\bnurser(?:y|ies)\b|\btrio\.sleep\b"
)

#: Per-method replacements: name -> {start of an async paragraph: the blocking paragraph}.
#: The start must match exactly one paragraph (a stale entry fails generation).
DOC_OVERRIDES: dict[str, dict[str, str]] = {
    "import_document": {
        "Deprecated: use": (
            "As in the official sync client, this does not warn (the async one does). Prefer "
            ":meth:`upload_document`."
        ),
    },
    "request_paginated": {
        "Positional parameters after ``url``": (
            "Positional parameters after ``url`` follow the official *sync* client's order: "
            "``ordering, sideloads, content_schema_ids, method, json, max_pages, paginated`` "
            "(the async client has ``max_pages`` before ``json``); other keywords are query "
            "filters. ``paginated=False`` makes a single request."
        ),
    },
    "request_cursor_paginated": {
        "Positional parameters after ``url``": (
            "Positional parameters after ``url`` follow the official *sync* client's order: "
            "``ordering, sideloads, content_schema_ids, method, json, max_pages`` (the async "
            "client has ``max_pages`` before ``json``); other keywords are query filters (sent "
            "on the first request only)."
        ),
    },
}

#: Docstring text width: the line length minus a method body's indentation.
WIDTH = 100 - 8
_LITERAL = re.compile(r"``[^`]+``")


def _sub_all(rules: list[Rule], text: str) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


def _is_code(line: str) -> bool:
    return line.lstrip().startswith((">>>", "..."))


def _rewrite_line(line: str, waiting: bool) -> str:
    if _is_code(line):
        return _sub_all(CODE_RULES, line)
    line = _LITERAL.sub(lambda m: _sub_all(CODE_RULES, m.group()), line)
    line = _sub_all(PROSE_RULES, line)
    return _sub_all(WAITING_RULES, line) if waiting else line


def _is_plain_prose(lines: list[str]) -> bool:
    """Whether a paragraph may be re-wrapped (no code, list, literal block or indentation)."""
    return not any(
        _is_code(line)
        or line.startswith((" ", "* ", "- "))
        or line.rstrip().endswith("::")
        or line.startswith(("#:", ".."))
        for line in lines
    )


def _fill(text: str, first: bool) -> list[str]:
    # The first line of a docstring follows the opening quotes.
    lead = '"""' if first else ""
    filled = textwrap.fill(
        " ".join(text.split()),
        WIDTH,
        initial_indent=lead,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return filled[len(lead) :].splitlines()


def sync_docstring(name: str, doc: str, *, waiting: bool) -> str:
    """The blocking twin's docstring for the async member ``name`` (without the trailing note).

    Raises :class:`GenerationError` for a stale override, or if the text still speaks of
    async-only things after the rules ran.
    """
    paragraphs = [p.splitlines() for p in re.split(r"\n[ \t]*\n", doc.strip())]
    changed = [False] * len(paragraphs)
    for start, replacement in DOC_OVERRIDES.get(name, {}).items():
        hits = [
            i for i, p in enumerate(paragraphs) if " ".join(" ".join(p).split()).startswith(start)
        ]
        if len(hits) != 1:
            raise GenerationError(
                f"{name}: DOC_OVERRIDES expects one paragraph starting {start!r}, found "
                f"{len(hits)}; update the override"
            )
        paragraphs[hits[0]] = [replacement]
        changed[hits[0]] = True
    out: list[str] = []
    for index, lines in enumerate(paragraphs):
        rewritten = [_rewrite_line(line, waiting) for line in lines]
        if (changed[index] or rewritten != lines) and _is_plain_prose(rewritten):
            rewritten = _fill(" ".join(rewritten), first=index == 0)
        out.append("\n".join(rewritten))
    text = "\n\n".join(out)
    leftover = sorted({m.group() for m in ASYNC_ONLY.finditer(text)})
    if leftover:
        raise GenerationError(
            f"{name}: the blocking docstring would still say {leftover}; add a rule or an "
            f"entry in DOC_OVERRIDES (tools/sync_docstrings.py)"
        )
    return text
