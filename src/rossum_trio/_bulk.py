"""Bulk uploads: many files into a queue, about one request per file, nothing ever lost.

A :class:`BulkUpload` runs a trio pipeline under the client's in-flight cap and rate budget::

    files ──► uploaders ─────────────► one batched import waiter ──► results, as they happen
              POST /queues/{id}/upload    GET /annotations?id=a,b,...
              (names the annotation:      (one request per 100 pending
               no task round trips)        annotations per round)

Every file ends with a :class:`BulkUploadResult` whatever fails around it:

* a file that cannot be read, or that the API refuses, fails alone (with the reason);
* an error that would fail every file (authentication, permissions, an unknown queue, an
  unreachable host) stops sending more, and the files not sent say so;
* an upload whose answer was lost may have reached the server: its outcome is *unknown*
  until it is looked up on the server (reconciled), and only if it is not there is it sent
  again; what stays unknown says so;
* the shared import polling retries transient failures and never aborts the batch;
* on cancellation, what was uploaded (with annotation ids) and what was not stays in
  :attr:`BulkUpload.results`.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

import trio

from rossum_trio._annotation_rules import FAILED_STATUSES
from rossum_trio._bulk_lookup import find_uploads
from rossum_trio._bulk_wait import MISSING_ROUNDS as MISSING_ROUNDS
from rossum_trio._bulk_wait import ImportRounds, annotations_by_id, lost_error
from rossum_trio._concurrency import open_nursery
from rossum_trio._files import FileSpec, check_file_specs, file_problem, read_file
from rossum_trio._params import validate_id, validate_non_negative
from rossum_trio._stats import RequestStats, counting_requests
from rossum_trio.errors import (
    AnnotationImportFailedError,
    APIClientError,
    APIConnectionError,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RossumError,
    ServerError,
    UnexpectedResponseError,
)
from rossum_trio.models import Annotation, Task

if TYPE_CHECKING:
    from rossum_trio._client import AsyncRossumAPIClient

#: Progress callback: ``(stage, done, total)``. Stages: ``"uploaded"`` (files on the server)
#: and ``"imported"`` (files whose import is over, done or failed); ``total`` is the number
#: of files.
ProgressCallback = Callable[[str, int, int], Any]
#: Called with each file's result once it is final.
ResultCallback = Callable[["BulkUploadResult"], Any]

# MISSING_ROUNDS (from _bulk_wait, the poll rule shared with wait_until_annotations_imported):
# rounds an annotation may be missing from the poll answers before its file fails.
#: Poll rounds in a row that may fail (after the client's own retries) before the run stops
#: waiting: the files keep their annotation ids and say that the import was not confirmed.
MAX_POLL_FAILURES: Final = 8
#: Shortest pause after a failed poll round or reconciliation attempt (seconds).
MIN_FAILURE_PAUSE_S: Final = 1.0
#: Attempts at looking up uploads whose answer was lost (per round).
RECONCILE_ATTEMPTS: Final = 3
#: Rounds of "look up the lost answers, send again what is not on the server".
RECONCILE_ROUNDS: Final = 3


class FileStatus(StrEnum):
    """Where a file of a bulk upload stands."""

    PENDING = "pending"
    """Not handled yet (never final)."""
    NOT_SENT = "not_sent"
    """Never sent: the run stopped (cancelled, or an error that fails every file) first."""
    FAILED = "failed"
    """Not uploaded (a bad file, or refused by the API), or its import failed; see ``error``."""
    UNKNOWN = "unknown"
    """Sent, but the answer was lost and the file was not found on the server: it may be there."""
    UPLOADED = "uploaded"
    """On the server (``annotation_ids`` known); the run ended before its import finished."""
    IMPORTED = "imported"
    """On the server and imported (annotations ``to_review`` or later)."""


@dataclass
class BulkUploadResult:
    """What became of one file of a bulk upload.

    ``status`` is a :class:`FileStatus`; ``annotation_ids`` are the file's annotations on the
    server (known once uploaded); ``annotations`` their state when the import finished;
    ``error`` says why a file failed, is unknown, or was not sent.
    """

    filename: str
    path: str = ""
    status: str = FileStatus.PENDING
    annotation_ids: list[int] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    error: Exception | None = None
    #: Unused by the pipeline (it needs no upload tasks); kept for compatibility.
    task: Task | None = None

    @property
    def ok(self) -> bool:
        """True when the file was imported and no annotation ended in ``failed_import``."""
        return (
            self.status == FileStatus.IMPORTED
            and self.error is None
            and all(a.status not in FAILED_STATUSES for a in self.annotations)
        )

    @property
    def on_server(self) -> bool | None:
        """Whether the file reached the server: True, False, or None (outcome unknown)."""
        if self.annotation_ids:
            return True
        return None if self.status == FileStatus.UNKNOWN else False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (for reports): path, name, status, ids, error text."""
        return {
            "path": self.path,
            "filename": self.filename,
            "status": str(self.status),
            "annotation_ids": list(self.annotation_ids),
            "error": None if self.error is None else str(self.error),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BulkUploadResult:
        """A result read back from :meth:`to_dict` (to resume a run: ``bulk_upload(...,
        resume=...)``); a ValueError if ``data`` is not one."""
        try:
            status = FileStatus(data["status"])
            ids = [int(i) for i in data.get("annotation_ids") or []]
            error = data.get("error")
            return cls(
                filename=str(data["filename"]),
                path=str(data.get("path", "")),
                status=FileStatus.NOT_SENT if status == FileStatus.PENDING else status,
                annotation_ids=ids,
                error=RossumError(str(error)) if error else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a bulk upload result: {exc!r}") from None


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _as_utc(when: datetime.datetime | str) -> datetime.datetime:
    """``since=`` as an aware UTC datetime (ISO strings as the API writes them work)."""
    if isinstance(when, str):
        try:
            when = datetime.datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"since must be an ISO date-time, got {when!r}") from None
    if not isinstance(when, datetime.datetime):
        raise ValueError(f"since must be a datetime or an ISO string, got {when!r}")
    if when.tzinfo is None:
        raise ValueError("since must carry a time zone (e.g. datetime.UTC)")
    return when.astimezone(datetime.UTC)


def _is_fatal(exc: BaseException) -> bool:
    """Errors that would fail every other file of the run as well."""
    if isinstance(exc, AuthenticationError | PermissionDeniedError | NotFoundError):
        return True
    return isinstance(exc, APIConnectionError) and not exc.request_sent


class BulkUpload:
    """A running bulk upload: an async context manager, and an async iterator of results.

    Made by :meth:`~rossum_trio.AsyncRossumAPIClient.bulk_upload`. Inside the ``async with``
    block the pipeline runs; iterate to get each file's :class:`BulkUploadResult` as soon as
    it is final. Leaving the block waits for the run to finish (like a nursery); an exception
    or cancellation inside it stops the run, and :attr:`results` still tells, for every file,
    what happened::

        async with client.bulk_upload(8199, files) as run:
            async for result in run:
                print(result.filename, result.status, result.annotation_ids)
        print(run.stats.requests / len(files), "requests per file")

    To resume an interrupted run, pass its results (one per file, same order; e.g. read back
    with :meth:`BulkUploadResult.from_dict`) as ``resume=`` and its :attr:`started_at` as
    ``since=``: files with annotation ids are waited for, not sent; files of unknown outcome
    are looked up on the server first; the rest is sent.
    """

    def __init__(
        self,
        client: AsyncRossumAPIClient,
        queue_id: int,
        files: Sequence[FileSpec],
        *,
        values: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        sleep_s: float = 2,
        on_progress: ProgressCallback | None = None,
        on_result: ResultCallback | None = None,
        resume: Sequence[BulkUploadResult] | None = None,
        since: datetime.datetime | str | None = None,
    ) -> None:
        validate_non_negative("sleep_s", sleep_s)
        if resume is not None and len(resume) != len(files):
            raise ValueError(
                f"resume must hold one earlier result per file ({len(files)}), got {len(resume)}"
            )
        self._client = client
        self._queue_id = validate_id(queue_id, "queue_id")
        self._files = check_file_specs(files)
        self._values = values
        self._metadata = metadata
        self._sleep_s = sleep_s
        self._on_progress = on_progress
        self._on_result = on_result
        #: One result per file, in the order of ``files``; updated as the run goes on.
        self.results = [BulkUploadResult(filename=name, path=str(path)) for path, name in files]
        self._resume = list(resume) if resume is not None else None
        #: Requests this run sent, and the 429s among them.
        self.stats = RequestStats()
        #: The error that stopped the run from sending more files, if one did.
        self.error: RossumError | None = None
        #: Uploads of unknown outcome that were looked up and found on the server.
        self.found_on_server = 0
        self._send_result, self._results = trio.open_memory_channel[BulkUploadResult](math.inf)
        self._send_ids, self._receive_ids = trio.open_memory_channel[int](math.inf)
        self._stack: AsyncExitStack | None = None
        self._cancel_scope: trio.CancelScope | None = None
        #: When the run began (UTC); uploads found on the server must have arrived after it.
        self.started_at = _as_utc(since) if since is not None else _utc_now()
        self._owners: dict[int, int] = {}  # annotation id -> file index
        self._rounds = ImportRounds()
        self._uploaded = 0
        self._imported = 0
        self._over = False
        self._poll_error: RossumError | None = None

    # -- the context manager and the iterator ----------------------------------------------------

    async def __aenter__(self) -> Self:
        if self._stack is not None:
            raise RuntimeError("a BulkUpload runs once; make a new one with bulk_upload()")
        self._stack = AsyncExitStack()
        nursery = await self._stack.enter_async_context(open_nursery())
        self._cancel_scope = nursery.cancel_scope
        if self._resume is None:
            self.started_at = _utc_now()
        nursery.start_soon(self._run)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._stack is not None
        try:
            return await self._stack.__aexit__(exc_type, exc, tb)
        finally:
            self._finish()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> BulkUploadResult:
        try:
            return await self._results.receive()
        except (trio.EndOfChannel, trio.ClosedResourceError):
            raise StopAsyncIteration from None

    def cancel(self) -> None:
        """Stop the run: nothing more is sent or waited for (see :attr:`results`)."""
        if self._cancel_scope is not None:
            self._cancel_scope.cancel()

    # -- views -----------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True once the run is over (every file has its final result)."""
        return self._over

    @property
    def requests_per_file(self) -> float:
        """Requests sent so far divided by the number of files."""
        return self.stats.requests / max(1, len(self.results))

    def counts(self) -> Counter[str]:
        """How many files are in each :class:`FileStatus`."""
        return Counter(str(r.status) for r in self.results)

    # -- the pipeline ----------------------------------------------------------------------------

    async def _run(self) -> None:
        try:
            with counting_requests(self.stats):
                async with open_nursery() as nursery:
                    nursery.start_soon(self._wait_for_imports)
                    async with self._send_ids:
                        self._carry_over()
                        await self._reconcile_unknown(settle=False)  # an earlier run's first
                        await self._upload_all()
                        await self._reconcile_unknown(settle=True)
        finally:
            self._finish()

    def _finish(self) -> None:
        """After the run (normal or not): every file gets a final status, the channel ends."""
        if self._over:
            return
        self._over = True
        for result in self.results:
            if result.status == FileStatus.PENDING:
                result.status = FileStatus.NOT_SENT
                result.error = result.error or self.error or RossumError("the run was stopped")
                self._emit(result)
            elif result.status == FileStatus.UPLOADED:
                if result.error is None and self._poll_error is not None:
                    result.error = RossumError(
                        "the import was not confirmed: waiting for it failed "
                        f"({self._poll_error}); the annotations are on the server"
                    )
                result.error = result.error or RossumError(
                    "the run ended before the import finished (annotations are on the server)"
                )
                self._emit(result)
        self._send_result.close()

    def _emit(self, result: BulkUploadResult) -> None:
        try:
            self._send_result.send_nowait(result)
        except trio.ClosedResourceError:
            return
        if self._on_result is not None:
            self._on_result(result)

    def _progress(self, stage: str, done: int) -> None:
        if self._on_progress is not None:
            self._on_progress(stage, done, len(self.results))

    def _carry_over(self) -> None:
        """Resuming: an earlier run's files on the server are waited for, not sent; those of
        unknown outcome are looked up (next); the rest is sent."""
        if self._resume is None:
            return
        for index, earlier in enumerate(self._resume):
            result = self.results[index]
            if earlier.annotation_ids:
                self._uploaded_ok(index, list(earlier.annotation_ids))
            elif earlier.status == FileStatus.UNKNOWN:
                result.status, result.error = FileStatus.UNKNOWN, earlier.error

    async def _upload_all(self) -> None:
        slots = trio.Semaphore(self._client._window())
        async with open_nursery() as nursery:
            for index, result in enumerate(self.results):
                if result.status == FileStatus.PENDING:
                    nursery.start_soon(self._upload_one, index, slots)

    async def _upload_one(self, index: int, slots: trio.Semaphore) -> None:
        result = self.results[index]
        problem = file_problem(self._files[index][0])
        if problem is not None:
            self._fail(result, ValueError(problem))
            return
        async with slots:  # bounds the files read into memory at once
            if self.error is not None:
                return  # left PENDING: _finish says it was not sent, and why
            await self._send_file(index)

    async def _send_file(self, index: int) -> None:
        result = self.results[index]
        path, name = self._files[index]
        try:
            content = await read_file(path)
        except (OSError, ValueError) as exc:
            self._fail(result, exc if isinstance(exc, ValueError) else ValueError(str(exc)))
            return
        try:
            ids = await self._client._import_file(
                self._queue_id, name, content, self._values, self._metadata
            )
        except RateLimitedError as exc:
            self._fail(result, exc)  # refused before processing: not on the server
        except (APIConnectionError, ServerError, UnexpectedResponseError) as exc:
            if _is_fatal(exc):
                self._stop(exc)
                self._fail(result, exc)
            else:  # the request went out; the answer was lost or unreadable
                result.status, result.error = FileStatus.UNKNOWN, exc
        except APIClientError as exc:
            if _is_fatal(exc):
                self._stop(exc)
            self._fail(result, exc)
        except BaseException:  # cancelled (or worse) while the request may have been out
            if result.status == FileStatus.PENDING:
                result.status = FileStatus.UNKNOWN
                result.error = RossumError("stopped while sending: it may have reached the server")
                self._emit(result)
            raise
        else:
            self._uploaded_ok(index, ids)

    def _uploaded_ok(self, index: int, ids: list[int]) -> None:
        result = self.results[index]
        result.status, result.error = FileStatus.UPLOADED, None
        result.annotation_ids = ids
        self._owners.update(dict.fromkeys(ids, index))
        self._uploaded += 1
        self._progress("uploaded", self._uploaded)
        for annotation_id in ids:
            try:
                self._send_ids.send_nowait(annotation_id)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                # Waiting has stopped (no permission to poll, or polling gave up): the file
                # stays UPLOADED with its ids, and _finish says why.
                return

    def _fail(self, result: BulkUploadResult, error: Exception) -> None:
        result.status, result.error = FileStatus.FAILED, error
        self._emit(result)

    def _stop(self, error: RossumError) -> None:
        if self.error is None:
            self.error = error

    # -- unknown outcomes ------------------------------------------------------------------------

    async def _reconcile_unknown(self, *, settle: bool) -> None:
        """Look up on the server the uploads whose answer was lost, and send again only what
        is not there; up to RECONCILE_ROUNDS times: every sending is preceded by a lookup, so
        nothing lands twice. What stays unknown is reported so.

        ``settle``: first give uploads that may still be processing time to land."""
        for _ in range(RECONCILE_ROUNDS):
            unknown = [i for i, r in enumerate(self.results) if r.status == FileStatus.UNKNOWN]
            if not unknown or self.error is not None:
                break
            if settle:
                await trio.sleep(self._sleep_s)
            settle = True  # from the second round on, the resent uploads may be landing
            try:
                found = await self._find_on_server_retrying(unknown)
            except RossumError as exc:
                for index in unknown:
                    result = self.results[index]
                    result.error = RossumError(
                        f"{result.error} (and looking it up on the server failed: {exc})"
                    )
                break
            for index in unknown:
                if index in found:
                    self.found_on_server += 1
                    self._uploaded_ok(index, found[index])
                else:  # not on the server: safe to send again
                    self.results[index].status = FileStatus.PENDING
                    await self._send_file(index)
        for result in self.results:
            if result.status == FileStatus.UNKNOWN:
                self._emit(result)

    async def _find_on_server_retrying(self, unknown: Sequence[int]) -> dict[int, list[int]]:
        """For these files, the annotation ids of their upload if it is on the server
        (:func:`~rossum_trio._bulk_lookup.find_uploads`), tried again after transient failures.
        """
        for attempt in range(1, RECONCILE_ATTEMPTS + 1):
            claimed = {i for r in self.results for i in r.annotation_ids}
            try:
                return await find_uploads(
                    self._client,
                    self._queue_id,
                    self._files,
                    unknown,
                    claimed=claimed,
                    since=self.started_at,
                )
            except (AuthenticationError, PermissionDeniedError):
                raise
            except RossumError:
                if attempt == RECONCILE_ATTEMPTS:
                    raise
                await trio.sleep(max(self._sleep_s, MIN_FAILURE_PAUSE_S) * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    # -- waiting for imports ---------------------------------------------------------------------

    async def _wait_for_imports(self) -> None:
        """Poll the uploaded annotations in batches until each file's import has finished."""
        pending: list[int] = []
        closed = False
        failures = 0
        async with self._receive_ids:
            while True:
                while not closed:
                    try:
                        pending.append(self._receive_ids.receive_nowait())
                    except trio.WouldBlock:
                        break
                    except trio.EndOfChannel:
                        closed = True
                if not pending:
                    if closed:
                        return
                    try:
                        pending.append(await self._receive_ids.receive())
                    except trio.EndOfChannel:
                        closed = True
                    continue
                try:
                    seen = await annotations_by_id(self._client, pending)
                    failures = 0
                except (AuthenticationError, PermissionDeniedError) as exc:
                    self._stop(exc)
                    self._poll_error = exc
                    return  # files stay UPLOADED: _finish reports them with their ids
                except RossumError as exc:
                    failures += 1  # transient: the next round tries again
                    if failures >= MAX_POLL_FAILURES:
                        self._poll_error = exc
                        return  # files stay UPLOADED: _finish reports them with their ids
                    pause = max(self._sleep_s, MIN_FAILURE_PAUSE_S) * 2 ** min(failures - 1, 4)
                    await trio.sleep(pause)
                    continue
                pending = self._take_round(pending, seen)
                if pending:
                    await trio.sleep(self._sleep_s)

    def _take_round(self, pending: list[int], seen: dict[int, Annotation]) -> list[int]:
        """Record one poll round; returns the ids still pending."""
        still, over = self._rounds.sort(pending, seen)
        for annotation_id, annotation in over:
            result = self.results[self._owners[annotation_id]]
            if annotation is None:  # lost
                if result.status == FileStatus.UPLOADED:
                    self._fail(result, lost_error(annotation_id))
                continue
            result.annotations.append(annotation)
            if result.status != FileStatus.UPLOADED:
                continue  # already final (one of its annotations failed)
            failed = annotation.status in FAILED_STATUSES
            if failed or len(result.annotations) == len(result.annotation_ids):
                # The file's import is over: "imported" counts it, done or failed.
                result.annotations.sort(key=lambda a: result.annotation_ids.index(a.id or 0))
                self._imported += 1
                self._progress("imported", self._imported)
                if failed:
                    self._fail(result, AnnotationImportFailedError(annotation_id, annotation))
                else:
                    result.status = FileStatus.IMPORTED
                    self._emit(result)
        return still
