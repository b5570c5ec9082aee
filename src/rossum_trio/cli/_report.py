"""The JSON report of a bulk run, and resuming from it without uploading anything twice.

The report lists every file with its status, annotation ids and the reason of any failure.
``--resume REPORT`` runs the same job again:

* a file with annotation ids is on the server: it is not sent again (one whose import had not
  finished is waited for; an imported one is exported with the rest);
* a file whose outcome was *unknown* (its upload was under way when the run stopped) is first
  looked up on the server (by the SDK's bulk upload, ``resume=``): an annotation in the queue
  that arrived since the run began, whose document has the same file name and the same bytes
  as the file and that no other file of the report claims, is taken as that upload; only when
  none is found is the file sent again;
* every other file (not sent, or refused without reaching the server) is sent.
"""

from __future__ import annotations

import datetime
import os
import pathlib
import tempfile
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from rossum_trio._bulk import BulkUploadResult
from rossum_trio._stats import RequestStats
from rossum_trio.cli._checks import UsageError

KIND: Final = "rossum-trio bulk report"
VERSION: Final = 1


def now_iso() -> str:
    """The current UTC time as the API writes it."""
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Report:
    """What a report says (read back for ``--resume``)."""

    base_url: str | None
    queue_id: int
    started_at: str
    results: list[BulkUploadResult]


def write_report(
    path: pathlib.Path,
    *,
    base_url: str | None,
    queue_id: int,
    started_at: str,
    outcome: str,
    error: str | None,
    results: list[BulkUploadResult],
    reasons: list[str],
    stats: RequestStats,
    upload_stats: RequestStats,
    export: dict[str, Any] | None,
) -> None:
    """Write the report (atomically: a reader never sees half of it)."""
    counts: dict[str, int] = {}
    for result in results:
        counts[str(result.status)] = counts.get(str(result.status), 0) + 1
    files = []
    for result, reason in zip(results, reasons, strict=True):
        entry = result.to_dict()
        entry["error"] = reason or None
        files.append(entry)
    data = {
        "kind": KIND,
        "version": VERSION,
        "base_url": base_url,
        "queue_id": queue_id,
        "started_at": started_at,
        "finished_at": now_iso(),
        "outcome": outcome,
        "error": error,
        "counts": counts,
        "requests": stats.requests,
        "requests_per_file": round(upload_stats.requests / max(1, len(results)), 2),
        "rate_limited": stats.rate_limited,
        "rate_limit_paused_s": round(stats.paused_s, 1),
        "export": export,
        "files": files,
    }
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n")
        os.replace(temp, path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise


def load_report(path: pathlib.Path) -> Report:
    """Read a report for ``--resume``; a UsageError if it is not one."""
    try:
        data = msgspec.json.decode(path.read_bytes())
    except OSError as exc:
        raise UsageError(f"--resume {path}: {exc.strerror or exc}") from None
    except msgspec.DecodeError as exc:
        raise UsageError(f"--resume {path}: not a JSON report ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise UsageError(f"--resume {path}: not a rossum-trio bulk report")
    if data.get("version") != VERSION:
        raise UsageError(f"--resume {path}: report version {data.get('version')} is unknown")
    try:
        results = [BulkUploadResult.from_dict(entry) for entry in data["files"]]
        return Report(
            base_url=data["base_url"],
            queue_id=int(data["queue_id"]),
            started_at=str(data["started_at"]),
            results=results,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"--resume {path}: the report is damaged ({exc!r})") from None
