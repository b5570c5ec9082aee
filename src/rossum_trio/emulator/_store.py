"""The in-memory state: object tables, id counters, tokens, timed transitions, back-links."""

from __future__ import annotations

import heapq
import itertools
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import trio
import trio.testing

from ._faults import Faults
from ._http import ApiError, field_error, not_found
from ._log import RequestLog

__all__ = ["ANNOTATION_STATUSES", "Obj", "State", "default_clock"]

Obj = dict[str, Any]

ANNOTATION_STATUSES = (
    "importing",
    "split",
    "failed_import",
    "to_review",
    "reviewing",
    "confirmed",
    "exporting",
    "postponed",
    "failed_export",
    "exported",
    "deleted",
    "purged",
    "rejected",
)

# First id per kind: distinct ranges make id mix-ups between kinds visible in tests.
_ID_START = {
    "organizations": 1,
    "groups": 1,
    "users": 10,
    "workspaces": 100,
    "schemas": 200,
    "queues": 300,
    "inboxes": 400,
    "connectors": 500,
    "hooks": 600,
    "email_templates": 700,
    "rules": 800,
    "documents": 1000,
    "annotations": 2000,
    "uploads": 3000,
    "tasks": 4000,
    "pages": 5000,
    "relations": 6000,
    "document_relations": 6500,
    "notes": 7000,
}

# (child kind, child field, parent kind, parent list field): keeps parents' URL lists in sync.
BACKLINKS: tuple[tuple[str, str, str, str], ...] = (
    ("queues", "workspace", "workspaces", "queues"),
    ("queues", "schema", "schemas", "queues"),
    ("queues", "connector", "connectors", "queues"),
    ("workspaces", "organization", "organizations", "workspaces"),
    ("users", "organization", "organizations", "users"),
    ("annotations", "document", "documents", "annotations"),
    ("hooks", "queues", "queues", "hooks"),
    ("relations", "annotations", "annotations", "relations"),
)


def default_clock() -> float:
    """Seconds on trio's clock when it is a test clock (MockClock), else ``time.monotonic()``.

    A MockClock (``autojump_clock``) makes import delays and token expiry follow virtual time.
    The system clock of trio has a random offset per ``trio.run``, so it is not used: the sync
    client makes one run per call, and state must survive between runs.
    """
    try:
        clock = trio.lowlevel.current_clock()
    except RuntimeError:
        return time.monotonic()
    if isinstance(clock, trio.testing.MockClock):
        return trio.current_time()
    return time.monotonic()


def iso_now(*, days: float = 0) -> str:
    """Current UTC time (plus ``days``), ISO-8601 with microseconds and ``Z`` (the API's
    format)."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class TokenInfo:
    """A login token: whose it is and when it expires (clock seconds; None = never)."""

    user_id: int
    expires_at: float | None


@dataclass
class State:
    """Everything the emulator knows. Handlers are plain functions over this object."""

    api: str
    """Canonical API base of stored URLs, e.g. ``http://rossum.emulator/api/v1``."""
    clock: Callable[[], float] = default_clock
    import_delay_s: float = 0.5
    task_delay_s: float = 0.1
    max_token_lifetime_s: float = 583_200.0
    tables: dict[str, dict[int, Obj]] = field(default_factory=dict)
    files: dict[int, bytes] = field(default_factory=dict)
    """Document id → original bytes."""
    contents: dict[int, list[Obj]] = field(default_factory=dict)
    """Annotation id → content tree (sections)."""
    extracted: dict[int, Any] = field(default_factory=dict)
    """Document id → extracted (fields, items) used to fill annotation content."""
    passwords: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Username → (user id, password)."""
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    automation_targets: dict[int, list[Obj]] = field(default_factory=dict)
    durations: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Annotation id → processing-duration fields set by PATCH."""
    admin_token: str = field(default_factory=lambda: secrets.token_hex(20))
    """Bearer token of the emulator's control endpoints (``/_emulator/...``)."""
    create_key: str = field(default_factory=lambda: secrets.token_hex(32))
    """The ``create_key`` that ``POST /organizations/create`` accepts."""
    import_jitter_s: float = 0.0
    """Each import takes ``import_delay_s`` plus a random share of this (seeded)."""
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    faults: Faults = field(default_factory=Faults)
    """The fault knobs (shared with :class:`Emulator.faults`)."""
    log: RequestLog = field(default_factory=RequestLog)
    """The request log (shared with :class:`Emulator.requests`)."""
    started_from: dict[int, str] = field(default_factory=dict)
    """Annotation id → the status it had when ``start`` moved it to ``reviewing``."""
    _counters: dict[str, itertools.count[int]] = field(default_factory=dict)
    _node_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000_000))
    _events: list[tuple[float, int, Callable[[], None]]] = field(default_factory=list)
    _event_seq: itertools.count[int] = field(default_factory=itertools.count)

    # ---- ids, urls, lookups -------------------------------------------------------------

    def table(self, kind: str) -> dict[int, Obj]:
        """The table of ``kind`` (created empty on first use)."""
        t = self.tables.get(kind)
        if t is None:
            t = self.tables[kind] = {}
        return t

    def next_id(self, kind: str) -> int:
        """A fresh id for ``kind``."""
        c = self._counters.get(kind)
        if c is None:
            c = self._counters[kind] = itertools.count(_ID_START.get(kind, 1))
        return next(c)

    def add(self, kind: str, fields: Obj) -> Obj:
        """Store a new object of ``kind``: a fresh ``id``, its ``url``, then ``fields``."""
        obj_id = self.next_id(kind)
        obj: Obj = {"id": obj_id, "url": self.url(kind, obj_id), **fields}
        self.table(kind)[obj_id] = obj
        return obj

    def next_node_id(self) -> int:
        """A fresh content-node (datapoint) id, unique across annotations."""
        return next(self._node_ids)

    def url(self, kind: str, obj_id: int) -> str:
        """Absolute URL of an object, without trailing slash."""
        return f"{self.api}/{kind}/{obj_id}"

    def get(self, kind: str, obj_id: int) -> Obj:
        """The stored object or ApiError 404."""
        obj = self.table(kind).get(obj_id)
        if obj is None:
            raise not_found()
        return obj

    def ref_id(self, value: Any, kind: str | None = None) -> int | None:
        """The id in a reference value: an int, a numeric string or a URL ``.../<kind>/<id>``."""
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int):
            return value
        if not isinstance(value, str):
            return None
        text = value.rstrip("/")
        head, _, tail = text.rpartition("/")
        if not tail.isdigit():
            return None
        if kind is not None and head and not head.endswith("/" + kind):
            return None
        return int(tail)

    def resolve(self, url: Any) -> Obj | None:
        """The object an absolute URL points to (None if unknown)."""
        if not isinstance(url, str):
            return None
        head, _, tail = url.rstrip("/").rpartition("/")
        if not tail.isdigit():
            return None
        kind = head.rpartition("/")[2]
        return self.tables.get(kind, {}).get(int(tail))

    def ref(
        self, body: dict[str, Any], name: str, kind: str, *, required: bool = False
    ) -> str | None:
        """Validate a hyperlinked field of a request body → canonical URL (or None)."""
        if name not in body or body[name] in (None, ""):
            if required:
                raise field_error(name, "This field is required.")
            return None
        oid = self.ref_id(body[name], kind)
        if oid is None or oid not in self.table(kind):
            raise field_error(name, "Invalid hyperlink - Object does not exist.")
        return self.url(kind, oid)

    def refs(self, body: dict[str, Any], name: str, kind: str) -> list[str]:
        """Validate a list of hyperlinks → canonical URLs."""
        raw = body.get(name) or []
        if not isinstance(raw, list):
            raise field_error(
                name, f'Expected a list of items but got type "{type(raw).__name__}".'
            )
        out = []
        for item in raw:
            oid = self.ref_id(item, kind)
            if oid is None or oid not in self.table(kind):
                raise field_error(name, "Invalid hyperlink - Object does not exist.")
            out.append(self.url(kind, oid))
        return out

    # ---- time ---------------------------------------------------------------------------

    def now(self) -> float:
        """Current time on the emulator clock (seconds)."""
        return self.clock()

    def at(self, delay_s: float, action: Callable[[], None]) -> None:
        """Run ``action`` once the clock passes now + ``delay_s`` (applied lazily)."""
        heapq.heappush(self._events, (self.now() + delay_s, next(self._event_seq), action))

    def advance(self) -> None:
        """Apply every timed transition that is due (called at the start of each request)."""
        events = self._events
        if not events:
            return
        now = self.now()
        while events and events[0][0] <= now:
            _, _, action = heapq.heappop(events)
            action()

    # ---- tokens -------------------------------------------------------------------------

    def issue_token(self, user_id: int, lifetime_s: float | None = None) -> str:
        """A new 40-hex token for ``user_id``."""
        override = self.faults.token_lifetime_s
        life = override if override is not None else lifetime_s
        if life is None:
            life = self.max_token_lifetime_s
        life = min(float(life), self.max_token_lifetime_s)
        key = secrets.token_hex(20)
        self.tokens[key] = TokenInfo(user_id, self.now() + life)
        return key

    def check_token(self, key: str) -> int:
        """The user id of a valid token; ApiError 401 otherwise."""
        info = self.tokens.get(key)
        if info is None:
            raise ApiError(401, {"detail": "Invalid token."})
        if info.expires_at is not None and self.now() >= info.expires_at:
            del self.tokens[key]
            raise ApiError(401, {"detail": "Token has expired."})
        user = self.table("users").get(info.user_id)
        if user is not None and (user.get("deleted") or not user.get("is_active", True)):
            raise ApiError(401, {"detail": "User inactive or deleted."})
        return info.user_id

    def import_delay(self) -> float:
        """Seconds one import takes: the delay plus its random jitter."""
        jitter = self.import_jitter_s * self.rng.random() if self.import_jitter_s > 0 else 0.0
        return self.import_delay_s + jitter

    # ---- back-links and annotation status --------------------------------------------------

    def link(self, kind: str, obj: Obj, old: Obj | None = None, *, remove: bool = False) -> None:
        """Update parents' URL lists after ``obj`` (of ``kind``) was created/changed/removed."""
        url = obj["url"]
        for child_kind, child_field, _parent_kind, parent_field in BACKLINKS:
            if child_kind != kind:
                continue
            before = _as_set(old.get(child_field) if old is not None else None)
            after = set() if remove else _as_set(obj.get(child_field))
            if before == after and old is not None and not remove:
                continue
            for parent_url in before - after:
                parent = self.resolve(parent_url)
                if parent is not None and url in parent.get(parent_field, ()):
                    parent[parent_field].remove(url)
            for parent_url in after - before if old is not None else after:
                parent = self.resolve(parent_url)
                if parent is not None:
                    lst = parent.setdefault(parent_field, [])
                    if url not in lst:
                        lst.append(url)
            if child_kind == "hooks":
                # queues carry both ``hooks`` and the legacy ``webhooks`` list
                for parent_url in _as_set(obj.get(child_field)) | before:
                    parent = self.resolve(parent_url)
                    if parent is not None:
                        parent["webhooks"] = list(parent.get("hooks", []))

    def set_status(self, ann: Obj, status: str, *, by_user: int | None = None) -> None:
        """Move an annotation to ``status``, keeping the queue counts and timestamps right."""
        old = ann["status"]
        if old == status:
            return
        queue = self.resolve(ann.get("queue"))
        if queue is not None:
            counts = queue["counts"]
            counts[old] = max(0, counts.get(old, 0) - 1)
            counts[status] = counts.get(status, 0) + 1
        ann["status"] = status
        ts = iso_now()
        ann["modified_at"] = ts
        user_url = self.url("users", by_user) if by_user is not None else None
        stamp = {
            "confirmed": ("confirmed_at", "confirmed_by"),
            "exported": ("exported_at", "exported_by"),
            "deleted": ("deleted_at", "deleted_by"),
            "rejected": ("rejected_at", "rejected_by"),
            "purged": ("purged_at", "purged_by"),
            "failed_export": ("export_failed_at", None),
        }.get(status)
        if stamp is not None:
            ann[stamp[0]] = ts
            if stamp[1] is not None and user_url is not None:
                ann[stamp[1]] = user_url
        if user_url is not None:
            ann["modifier"] = user_url
            ann["modified_by"] = user_url

    def count_in_queue(self, queue: Obj, ann: Obj) -> None:
        """Count a new annotation in its queue's ``counts``."""
        counts = queue["counts"]
        counts[ann["status"]] = counts.get(ann["status"], 0) + 1

    def uncount(self, ann: Obj) -> None:
        """Remove a (hard-deleted) annotation from its queue's ``counts``."""
        queue = self.resolve(ann.get("queue"))
        if queue is not None:
            counts = queue["counts"]
            counts[ann["status"]] = max(0, counts.get(ann["status"], 0) - 1)


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list):
        return {v for v in value if isinstance(v, str)}
    if isinstance(value, str):
        return {value}
    return set()
