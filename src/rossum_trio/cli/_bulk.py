"""``rossum-trio bulk``: upload files, wait until they are imported, export the results.

The run, in order, after :func:`~rossum_trio.cli._plan.plan_bulk` checked everything:

1. one request for the queue: bad credentials, an unknown queue or an unreachable host stop
   the run here, said once (exit 3), before any file is sent;
2. with ``--resume``: uploads of unknown outcome are looked up on the server;
3. the SDK's :class:`~rossum_trio.BulkUpload` sends the files and waits for their imports
   (files carried over from the report, on the server but not imported yet, are waited for
   alongside); a file that fails is reported and the others go on; an error that would fail
   every file stops the sending (exit 3);
4. the imported annotations are exported (annotations that failed to import are not);
5. a summary on stderr and the JSON report, whatever happened (Ctrl-C: exit 130;
   ``--timeout``: exit 124).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import time
from typing import Any

import trio

from rossum_trio._annotation_rules import FAILED_STATUSES
from rossum_trio._bulk import BulkUpload, BulkUploadResult, FileStatus, _is_fatal
from rossum_trio._stats import RequestStats
from rossum_trio.cli._checks import Output
from rossum_trio.cli._connect import (
    FatalError,
    Target,
    check_queue,
    connect,
    describe,
    describe_fatal,
)
from rossum_trio.cli._export import export_ids
from rossum_trio.cli._plan import Plan, plan_bulk
from rossum_trio.cli._progress import Display, make_display, retries_shown_on, run_guarded
from rossum_trio.cli._report import write_report
from rossum_trio.cli._summary import Summary
from rossum_trio.errors import (
    RossumError,
)


def reason(result: BulkUploadResult) -> str:
    """Why a file is not (or not yet) imported, in a few words; ``""`` if it is."""
    failed = [a for a in result.annotations if a.status in FAILED_STATUSES]
    if failed:
        messages = [
            str(m["content"])
            for a in failed
            for m in a.messages or []
            if isinstance(m, dict) and m.get("type") == "error" and m.get("content")
        ]
        return "import failed: " + ("; ".join(messages) or f"status {failed[0].status}")
    if result.ok:
        return ""
    return describe(result.error)


class BulkJob:
    """One ``rossum-trio bulk`` run against a target, following a :class:`Plan`."""

    def __init__(
        self, options: argparse.Namespace, plan: Plan, target: Target, output: Output
    ) -> None:
        self.options = options
        self.plan = plan
        self.target = target
        self.output = output
        self.display: Display = make_display(sys.stderr, target.client, plain=options.plain)
        self.run: BulkUpload | None = None
        self.upload_stats = RequestStats()
        self.fatal: str | None = None
        self.export_error: str | None = None
        self.exported: int | None = None
        self.crash: Exception | None = None
        self.queue_name = ""
        self.started = time.monotonic()

    # -- running ---------------------------------------------------------------------------------

    async def execute(self) -> int:
        """Run, then summarise and report (also when interrupted); the exit status."""
        exit_code = 0

        def finish(stop: str | None) -> None:
            nonlocal exit_code
            exit_code = self.finish(stop)

        async with self.target.client:
            with retries_shown_on(self.display, verbose=self.options.verbose):
                await run_guarded(
                    self.work, timeout=self.options.timeout, display=self.display, finish=finish
                )
        if self.crash is not None and self.options.verbose:
            raise self.crash  # --verbose: show where
        return exit_code

    async def work(self) -> None:
        """The run itself (cancelled on Ctrl-C or timeout; state stays in ``plan.results``)."""
        try:
            queue = await check_queue(self.target)
        except FatalError as exc:
            self.fatal = str(exc)
            return
        self.queue_name = queue.name
        self._start_display()
        try:
            await self._upload_and_wait()
            if self.fatal is None:
                await self._export()
        except Exception as exc:  # a bug, or the unforeseen: the report is written all the same
            self.fatal = f"unexpected error: {type(exc).__name__}: {exc}"
            self.crash = exc

    def _start_display(self) -> None:
        total = len(self.plan.files)
        earlier = self.plan.earlier or []
        carried = sum(1 for r in earlier if r.annotation_ids)
        unknown = sum(1 for r in earlier if r.status == FileStatus.UNKNOWN)
        self.display.note(
            f"uploading {len(self.plan.to_run) - carried - unknown} file(s) to queue "
            f"{self.target.queue_id} ({self.queue_name}) on {self.target.name}"
            + (f"; {carried} already there from the report" if carried else "")
            + (f"; {unknown} of unknown outcome looked up first" if unknown else "")
        )
        self.display.add_stage("uploaded", total)
        self.display.add_stage("imported", total)
        self.display.start()

    async def _upload_and_wait(self) -> None:
        plan = self.plan
        assert self.target.queue_id is not None
        indexes = plan.to_run
        earlier = plan.earlier
        run = self.target.client.bulk_upload(
            self.target.queue_id,
            [plan.files[i] for i in indexes],
            sleep_s=self.options.sleep,
            on_progress=self._on_progress,
            on_result=self._on_result,
            resume=None if earlier is None else [earlier[i] for i in indexes],
            since=plan.started_at,
        )
        for position, index in enumerate(indexes):
            plan.results[index] = run.results[position]
        self.run = run
        self.upload_stats = run.stats
        async with run:
            pass
        if run.error is not None and self.fatal is None:
            self.fatal = describe_fatal(run.error, self.target)
        unknown = sum(1 for r in earlier or [] if r.status == FileStatus.UNKNOWN)
        if unknown:
            self.display.note(
                f"{run.found_on_server} of {unknown} upload(s) of unknown outcome found on the "
                "server; the others were sent again"
            )

    def _on_progress(self, stage: str, done: int, total: int) -> None:
        self.display.update(stage, done)

    def _on_result(self, result: BulkUploadResult) -> None:
        if result.status == FileStatus.FAILED and not (
            result.error is not None and _is_fatal(result.error)
        ):
            self.display.note(f"failed: {result.filename}: {reason(result)}")

    async def _export(self) -> None:
        assert self.target.queue_id is not None
        ids = [i for r in self.plan.results if r.ok for i in r.annotation_ids]
        self.display.add_stage("exported", len(ids))
        try:
            self.exported = await export_ids(
                self.target.client,
                self.target.queue_id,
                ids,
                self.options.export_format,
                self.output.open(),
                on_chunk=lambda n: self.display.advance("exported", n),
            )
            self.output.commit()
        except RossumError as exc:
            self.export_error = describe_fatal(exc, self.target)
        except OSError as exc:
            self.export_error = f"cannot write {self.output.name}: {exc.strerror or exc}"

    # -- the end ---------------------------------------------------------------------------------

    def finish(self, stop: str | None) -> int:
        """Summary on stderr, the report; returns the exit status."""
        results = self.plan.results
        outcome = {"interrupt": "interrupted", "timeout": "timed_out"}.get(stop or "", "")
        if not outcome:
            outcome = "stopped" if self.fatal else "completed"
        reasons = [reason(r) for r in results]
        report_path = self._report_path(outcome)
        export: dict[str, Any] | None = None
        if self.exported is not None or self.export_error is not None:
            export = {
                "format": self.options.export_format,
                "output": self.output.name,
                "annotations": self.exported,
                "error": self.export_error,
            }
        if report_path is not None:
            try:
                write_report(
                    report_path,
                    base_url=self.target.base_url,
                    queue_id=self.target.queue_id or 0,
                    started_at=self.plan.started_at,
                    outcome=outcome,
                    error=self.fatal,
                    results=results,
                    reasons=reasons,
                    stats=self.target.client.request_stats,
                    upload_stats=self.upload_stats,
                    export=export,
                )
            except OSError as exc:
                print(f"rossum-trio: cannot write the report {report_path}: {exc}", file=sys.stderr)
                report_path = None
        summary = Summary(
            results=results,
            reasons=reasons,
            outcome=outcome,
            fatal=self.fatal,
            seconds=time.monotonic() - self.started,
            timeout=self.options.timeout,
            stats=self.target.client.request_stats,
            upload_stats=self.upload_stats,
            exported=self.exported,
            export_error=self.export_error,
            export_format=self.options.export_format,
            output=self.output.name,
            report=report_path,
            real=self.target.base_url is not None,
        )
        summary.print(sys.stderr)
        return summary.exit_code()

    def _report_path(self, outcome: str) -> pathlib.Path | None:
        if self.options.report is not None:
            return pathlib.Path(self.options.report)
        on_server = any(r.on_server is not False for r in self.plan.results)
        if outcome != "completed" and self.target.base_url is not None and on_server:
            # Work would be lost: keep the report where the command ran.
            stamp = time.strftime("%Y%m%d-%H%M%S")
            return pathlib.Path(f"rossum-trio-report-{stamp}.json")
        return None


def bulk_main(options: argparse.Namespace) -> int:
    """``rossum-trio bulk``: check everything, then run."""
    with tempfile.TemporaryDirectory(prefix="rossum-trio-") as samples:
        plan = plan_bulk(options, pathlib.Path(samples))
        output = Output(options.output)
        try:
            target = connect(options)
            return trio.run(BulkJob(options, plan, target, output).execute)
        finally:
            output.discard()
