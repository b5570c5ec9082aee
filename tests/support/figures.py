"""The reliability suite's figures (docs/reliability.md), secret scans, and bulk accounting.

A test of ``tests/reliability`` asks for the ``figures`` fixture (a :class:`Figures`) and
counts what it measured, by the names of :data:`FIGURE_NAMES`; the suite's ``conftest.py``
collects the counters and ``tools/reliability_report.py`` sums them into the page.
"""

from __future__ import annotations

import io
import logging
import pickle
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx
import trio

from tests.support import SECRETS


@dataclass
class Figures:
    """Counters one test contributes to ``docs/reliability.md`` (see ``FIGURE_NAMES``)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, name: str, amount: int = 1) -> None:
        if name not in FIGURE_NAMES:
            raise KeyError(f"unknown figure {name!r}")
        self.counts[name] += amount

    @contextmanager
    def call(self, seconds: float = 20.0) -> Iterator[None]:
        """Count a call that must end: started, and ended (returned or raised on its own).

        Inside trio the block is bounded by ``trio.fail_after(seconds)`` (trio's clock: with
        an autojump clock, virtual seconds): a call still running then counts as not ended.
        """
        self.add("calls_started")
        bound = trio.fail_after(seconds) if trio.lowlevel.in_trio_task() else nullcontext()
        try:
            with bound:
                yield
        except trio.TooSlowError:
            raise
        except BaseException:
            self.add("calls_ended")
            raise
        self.add("calls_ended")

    def outcome(self, exc: BaseException | None, *, expected: type[BaseException]) -> None:
        """Count one hostile input and whether it ended in our own error family."""
        from rossum_trio.errors import RossumError

        self.add("hostile_inputs")
        if exc is not None and not isinstance(exc, RossumError | expected):
            self.add("raw_exceptions")


#: Every figure, with what it means (the report prints them in this order).
FIGURE_NAMES: dict[str, str] = {
    "items_expected": "list items the server holds, summed over the listings read under faults",
    "items_delivered": "list items delivered",
    "items_duplicated": "list items delivered more than once",
    "items_missing": "list items never delivered",
    "files": "files given to bulk uploads",
    "results_final": "files that ended with a final result",
    "results_lost": "files left without a result (or still pending)",
    "results_unknown": "files whose outcome stayed unknown (said so; may be on the server)",
    "server_duplicates": "files the server holds more than once after a bulk run",
    "on_server_reported_failed": "files reported failed or not sent that are on the server",
    "calls_started": "calls with a hostile server or input that must end",
    "calls_ended": "calls that ended on their own (answer or our error) within their bound",
    "slots_checked": "in-flight cap checks after a call or a dropped stream",
    "slots_held": "in-flight slots still held at those checks",
    "secrets_texts": "texts scanned for secrets (messages, reprs, tracebacks, pickles, logs, CLI)",
    "secrets_found": "secrets found in them",
    "foreign_links": "links to other origins offered by hostile answers or callers",
    "foreign_requests": "requests that reached another origin",
    "hostile_inputs": "hostile answers and caller inputs tried",
    "raw_exceptions": "of those, exceptions outside RossumError (or the documented ValueError)",
    "bad_inputs": "invalid caller inputs tried (ids, page sizes, base URLs, credentials)",
    "bad_inputs_sent": "requests sent for them",
}


def texts_of(exc: BaseException) -> list[str]:
    """Every text an error can end up in: str, repr, traceback (with causes), notes,
    pickle, the request/response it carries."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts.extend(getattr(exc, "__notes__", []))
    try:
        texts.append(pickle.dumps(exc).decode("latin-1"))
    except Exception as problem:  # an unpicklable error is a finding of its own
        texts.append(f"unpicklable: {problem!r}")
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for name in ("request", "response"):
            try:
                value = getattr(current, name, None)
            except RuntimeError:  # httpx: "The .request property has not been set."
                value = None
            if isinstance(value, httpx.Request):
                texts.append(repr(value.headers) + repr(value.url))
                if not isinstance(value.stream, httpx.AsyncByteStream) or hasattr(
                    value, "_content"
                ):
                    texts.append(value.content.decode("latin-1"))
            elif isinstance(value, httpx.Response):
                texts.append(repr(value.headers))
                if hasattr(value, "_content"):
                    texts.append(value.content.decode("latin-1"))
                with suppress(RuntimeError, httpx.RequestNotRead):
                    texts.append(repr(value.request.headers) + value.request.content.decode())
        current = current.__cause__ or current.__context__
    return texts


def scan_for_secrets(
    figures: Figures, texts: Iterable[str], secrets: Iterable[str] = SECRETS
) -> list[str]:
    """Count the texts and the secrets in them; returns what was found (for the assert)."""
    found = []
    secrets = list(secrets)
    for text in texts:
        figures.add("secrets_texts")
        for secret in secrets:
            if secret and secret in text:
                figures.add("secrets_found")
                found.append(f"{secret[:3]}... in {text[:200]!r}")
    return found


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Everything logged (any logger, DEBUG and up) while the block runs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


# -- bulk runs -------------------------------------------------------------------------------------

#: Statuses a file of a bulk upload may end in (anything else is lost or still pending).
FINAL_STATUSES = frozenset({"imported", "failed", "unknown", "uploaded", "not_sent"})


def status_of(result: Any) -> str:
    """A bulk result's status (older code has none: derived from its error)."""
    status = getattr(result, "status", None)
    if status is not None:
        return str(status)
    return "failed" if result.error is not None else "imported"


def account_bulk(
    figures: Figures, results: list[Any], names: list[str], on_server: Counter[str]
) -> dict[str, int]:
    """Count a bulk run: every file has a final result, nothing is on the server twice,
    nothing reported failed is on the server. Returns the counts (to assert on)."""
    by_name = Counter(names)
    statuses = [status_of(r) for r in results]
    lost = len(names) - sum(s in FINAL_STATUSES for s in statuses)
    duplicates = sum(max(0, on_server[name] - by_name[name]) for name in by_name)
    hidden = sum(
        1
        for r, s in zip(results, statuses, strict=False)
        if s in ("failed", "not_sent")
        and not getattr(r, "annotation_ids", None)
        and not r.annotations
        and on_server[r.filename] > 0
    )
    figures.add("files", len(names))
    figures.add("results_final", len(names) - lost)
    figures.add("results_lost", lost)
    figures.add("results_unknown", statuses.count("unknown"))
    figures.add("server_duplicates", duplicates)
    figures.add("on_server_reported_failed", hidden)
    return {"lost": lost, "duplicates": duplicates, "hidden": hidden}
