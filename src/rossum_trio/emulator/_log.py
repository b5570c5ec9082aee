"""The request log: what the emulator received, and assertions over it (as respx has)."""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RequestLog", "RequestRecord"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the emulator received (the ``Authorization`` and ``Cookie`` headers are never
    kept, nor file contents)."""

    method: str
    path: str
    """The request path as sent (``/api/v1/queues/300/upload``)."""
    query: str
    """The raw query string."""
    headers: dict[str, str]
    body_size: int
    status: int | None
    """The status answered, or None when the connection was dropped."""
    params: dict[str, list[str]] = field(default_factory=dict)
    """The query string parsed: name → values (blank values kept)."""
    json: Any = None
    """The JSON body, decoded (None if the body was not JSON)."""
    form: dict[str, str] = field(default_factory=dict)
    """Form fields: of a urlencoded body, or the non-file parts of a multipart body."""
    files: list[tuple[str, str]] = field(default_factory=list)
    """(field name, file name) of each file part of a multipart body."""
    api_path: str = ""
    """The path below the API prefix, without slashes at the ends (``queues/300/upload``)."""

    def describe(self) -> str:
        """``METHOD /path?query -> status`` (for assertion messages)."""
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} -> {self.status}"


def _compile(path: str) -> re.Pattern[str]:
    """``queues/{id}/upload`` or ``/api/v1/queues/*/upload`` → a regex over API paths."""
    text = path.strip("/")
    if text.startswith("api/"):
        text = text.split("/", 2)[2] if text.count("/") >= 2 else ""
    out = []
    for part in re.split(r"(\{[^}/]*\}|\*)", text):
        if part == "*" or (part.startswith("{") and part.endswith("}")):
            out.append("[^/]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out) + r"\Z")


def _json_subset(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(
            k in got and _json_subset(v, got[k]) for k, v in expected.items()
        )
    return bool(expected == got)


class RequestLog:
    """The most recent requests (up to ``maxlen``), oldest first; thread-safe to read.

    Paths in the query helpers are relative to the API (``"queues/{id}/upload"``; ``{name}`` or
    ``*`` match one path segment; a leading ``/api/v1`` is allowed). Requests to the emulator's
    own control endpoints are not recorded.
    """

    def __init__(self, maxlen: int = 10_000) -> None:
        self._items: deque[RequestRecord] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    def append(self, record: RequestRecord) -> None:
        """Record one request."""
        with self._lock:
            self._items.append(record)

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()

    def _snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self._snapshot())

    def __getitem__(self, index: int) -> RequestRecord:
        return self._snapshot()[index]

    def filter(
        self, method: str | None = None, path_contains: str | None = None
    ) -> list[RequestRecord]:
        """Records matching a method and/or a path substring."""
        return [
            rec
            for rec in self._snapshot()
            if (method is None or rec.method == method.upper())
            and (path_contains is None or path_contains in rec.path)
        ]

    def find(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        params: Mapping[str, str | list[str]] | None = None,
        json: Any = None,
    ) -> list[RequestRecord]:
        """Records matching all that is given: the method, the API path pattern, these query
        parameters (each value present), a JSON body containing ``json`` (a subset of objects)."""
        pattern = _compile(path) if path is not None else None
        out = []
        for rec in self._snapshot():
            if method is not None and rec.method != method.upper():
                continue
            if pattern is not None and not pattern.match(rec.api_path):
                continue
            if params is not None and not all(
                all(v in rec.params.get(k, []) for v in ([want] if isinstance(want, str) else want))
                for k, want in params.items()
            ):
                continue
            if json is not None and not _json_subset(json, rec.json):
                continue
            out.append(rec)
        return out

    def _listing(self) -> str:
        lines = [f"  {rec.describe()}" for rec in self._snapshot()]
        return "\n".join(lines) if lines else "  (no requests)"

    def assert_called(
        self,
        method: str,
        path: str,
        *,
        times: int | None = None,
        params: Mapping[str, str | list[str]] | None = None,
        json: Any = None,
    ) -> list[RequestRecord]:
        """Assert that matching requests were made (at least once, or exactly ``times``); returns
        them. The error lists every recorded request."""
        found = self.find(method, path, params=params, json=json)
        if (times is None and not found) or (times is not None and len(found) != times):
            want = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {method.upper()} {path} {want}, got {len(found)}; "
                f"requests received:\n{self._listing()}"
            )
        return found

    def assert_not_called(self, method: str, path: str) -> None:
        """Assert that no request matched ``method`` and ``path``."""
        found = self.find(method, path)
        if found:
            raise AssertionError(
                f"expected no {method.upper()} {path}, got {len(found)}; "
                f"requests received:\n{self._listing()}"
            )

    def assert_only(self, *expected: tuple[str, str]) -> None:
        """Assert that each ``(method, path)`` was requested and that nothing else was."""
        compiled = [(m.upper(), p, _compile(p)) for m, p in expected]
        missing = [
            f"{m} {p}"
            for m, p, rx in compiled
            if not any(r.method == m and rx.match(r.api_path) for r in self._snapshot())
        ]
        unexpected = [
            rec.describe()
            for rec in self._snapshot()
            if not any(rec.method == m and rx.match(rec.api_path) for m, _, rx in compiled)
        ]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append("not requested: " + ", ".join(missing))
            if unexpected:
                parts.append("unexpected requests:\n" + "\n".join(f"  {u}" for u in unexpected))
            raise AssertionError("; ".join(parts))
