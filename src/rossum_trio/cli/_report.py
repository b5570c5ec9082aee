"""The JSON report of a bulk run, and resuming from it without uploading anything twice.

The report lists every file with its status, annotation ids and the reason of any failure.
``--resume REPORT`` runs the same job again:

* a file with annotation ids is on the server: it is not sent again (one whose import had not
  finished is waited for; an imported one is exported with the rest);
* a file whose outcome was *unknown* (its upload was under way when the run stopped) is first
  looked up on the server: an annotation in the queue that arrived since the run began, whose
  document has the same file name and the same bytes (SHA-256, recorded in the report) and
  that no other file of the report claims, is taken as that upload; only when none is found
  is the file sent again;
* every other file (not sent, or refused without reaching the server) is sent.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import pathlib
import tempfile
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from rossum_trio._bulk import BulkUploadResult, FileStatus
from rossum_trio._client import AsyncRossumAPIClient
from rossum_trio._http import RequestStats
from rossum_trio.cli._checks import UsageError
from rossum_trio.errors import RossumError
from rossum_trio.models import Document

KIND: Final = "rossum-trio bulk report"
VERSION: Final = 1
#: How far before the reported start an upload found on the server may have arrived.
LOOKUP_MARGIN_S: Final = 300.0


def now_iso() -> str:
    """The current UTC time as the API writes it."""
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


def sha256_of(path: str) -> str | None:
    """The file's SHA-256 (hex), or None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


@dataclass
class Report:
    """What a report says (read back for ``--resume``)."""

    base_url: str | None
    queue_id: int
    started_at: str
    results: list[BulkUploadResult]
    sha256: list[str | None]


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
    sha256: list[str | None],
    stats: RequestStats,
    upload_stats: RequestStats,
    export: dict[str, Any] | None,
) -> None:
    """Write the report (atomically: a reader never sees half of it)."""
    counts: dict[str, int] = {}
    for result in results:
        counts[str(result.status)] = counts.get(str(result.status), 0) + 1
    files = []
    for result, reason, digest in zip(results, reasons, sha256, strict=True):
        entry = result.to_dict()
        entry["error"] = reason or None
        if digest is None and result.status == FileStatus.UNKNOWN:
            digest = sha256_of(result.path)
        entry["sha256"] = digest
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
        results, digests = [], []
        for entry in data["files"]:
            status = FileStatus(entry["status"])
            if status == FileStatus.PENDING:
                status = FileStatus.NOT_SENT
            error = RossumError(entry["error"]) if entry.get("error") else None
            results.append(
                BulkUploadResult(
                    filename=str(entry["filename"]),
                    path=str(entry["path"]),
                    status=status,
                    annotation_ids=[int(i) for i in entry.get("annotation_ids") or []],
                    error=error,
                )
            )
            digests.append(entry.get("sha256"))
        return Report(
            base_url=data["base_url"],
            queue_id=int(data["queue_id"]),
            started_at=str(data["started_at"]),
            results=results,
            sha256=digests,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"--resume {path}: the report is damaged ({exc!r})") from None


async def find_on_server(
    client: AsyncRossumAPIClient,
    queue_id: int,
    since: str,
    unknown: list[int],
    results: list[BulkUploadResult],
    digests: list[str | None],
) -> dict[int, list[int]]:
    """For the files of ``unknown`` (indexes), the annotation ids of their upload if found on
    the server (see the module docstring); files not found are left out."""
    start = datetime.datetime.fromisoformat(since.replace("Z", "+00:00"))
    after = start - datetime.timedelta(seconds=LOOKUP_MARGIN_S)
    claimed = {i for r in results for i in r.annotation_ids}
    documents: dict[int, tuple[str, list[int]]] = {}  # id -> (file name, annotation ids)
    listing = client.list_annotations(
        sideloads=["documents"],
        queue=queue_id,
        arrived_at_after=after.isoformat().replace("+00:00", "Z"),
    )
    async for annotation in listing:
        document = annotation.document
        if isinstance(document, Document) and annotation.id is not None:
            entry = documents.setdefault(document.id, (document.original_file_name, []))
            entry[1].append(annotation.id)
    found: dict[int, list[int]] = {}
    taken: set[int] = set()
    for index in unknown:
        for document_id, (name, ids) in documents.items():
            if name != results[index].filename or document_id in taken or claimed & set(ids):
                continue
            if digests[index] is not None:
                response = await client.request("GET", f"documents/{document_id}/content")
                if hashlib.sha256(response.content).hexdigest() != digests[index]:
                    continue
            taken.add(document_id)
            found[index] = list(ids)
            break
    return found
