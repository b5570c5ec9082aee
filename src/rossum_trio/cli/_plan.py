"""What a bulk run will do, decided before the first request.

Every argument and path is checked here; each file gets its place in the run: sent, skipped
because its content cannot be imported (per file: the others go on), carried over from a
report (``--resume``), or looked up on the server first (outcome unknown).
"""

from __future__ import annotations

import argparse
import pathlib
from dataclasses import dataclass, field

from rossum_trio._bulk import BulkUploadResult, FileStatus
from rossum_trio.cli._checks import (
    UsageError,
    check_base_url,
    check_upload_paths,
    check_writable_file,
    content_problem,
)
from rossum_trio.cli._report import Report, load_report, now_iso

#: Sample invoices uploaded to the embedded emulator when no files are given.
DEFAULT_SAMPLES = 20


@dataclass
class Plan:
    """The files of a bulk run and what to do with each (indexes into ``files``).

    Every file but the ``skipped`` ones goes to the SDK's bulk upload; when resuming,
    ``earlier`` holds the report's result of each file (the SDK waits for what is on the
    server, looks up what is unknown, and sends the rest).
    """

    files: list[tuple[pathlib.Path, str]]
    results: list[BulkUploadResult]
    #: Files not sent: their content cannot be imported (each reported failed).
    skipped: set[int] = field(default_factory=set)
    earlier: list[BulkUploadResult] | None = None
    started_at: str = field(default_factory=now_iso)

    @property
    def to_run(self) -> list[int]:
        """The files the bulk upload handles, in order."""
        return [i for i in range(len(self.files)) if i not in self.skipped]


def _write_samples(folder: pathlib.Path, count: int) -> list[pathlib.Path]:
    from rossum_trio.emulator import sample_invoices

    paths = []
    for name, pdf in sample_invoices(count):
        path = folder / name
        path.write_bytes(pdf)
        paths.append(path)
    return paths


def plan_bulk(options: argparse.Namespace, samples_dir: pathlib.Path) -> Plan:
    """Check everything ``rossum-trio bulk`` was given; the run's plan, or a UsageError."""
    report = load_report(options.resume) if options.resume else None
    if report is not None:
        _adopt_report_target(options, report)
    real = bool(options.base_url)
    if real:
        options.base_url = check_base_url(options.base_url)
        if options.queue is None:
            raise UsageError("--queue is required with --base-url")
        if options.samples is not None:
            raise UsageError(
                "--samples uploads generated invoices and works only with the embedded "
                "emulator (no --base-url): give the files to upload"
            )
        if options.import_delay is not None:
            raise UsageError("--import-delay applies only to the embedded emulator")
        if not options.files and report is None:
            raise UsageError(
                "give the files to upload (sample invoices are never uploaded to a real "
                "account): rossum-trio bulk --base-url ... --queue ID invoices/*.pdf"
            )
    check_upload_paths(options.files)
    if options.report is not None:
        check_writable_file(options.report, "--report")
    paths = list(options.files)
    if not real and (options.samples is not None or not paths):
        paths += _write_samples(samples_dir, options.samples or DEFAULT_SAMPLES)
    plan = _carry_over(report) if report is not None else Plan([], [])
    known = {pathlib.Path(p).resolve() for p, _ in plan.files}
    for path in paths:
        if path.resolve() in known:
            continue  # already in the report
        known.add(path.resolve())
        plan.files.append((path, path.name))
        plan.results.append(BulkUploadResult(filename=path.name, path=str(path)))
        if plan.earlier is not None:
            plan.earlier.append(BulkUploadResult(filename=path.name, path=str(path)))
    if not options.no_file_check:
        for index, result in enumerate(plan.results):
            if result.annotation_ids or result.status == FileStatus.UNKNOWN:
                continue  # on the server, or maybe: nothing to check before sending
            problem = content_problem(plan.files[index][0])
            if problem is not None:
                result.status = FileStatus.FAILED
                result.error = ValueError(f"not sent: {problem}")
                plan.skipped.add(index)
    return plan


def _adopt_report_target(options: argparse.Namespace, report: Report) -> None:
    """The report's base URL and queue, unless the options name others (a mistake)."""
    if report.base_url is None:
        raise UsageError(
            f"--resume {options.resume}: that run used the embedded emulator, which keeps "
            "nothing between runs; there is nothing to resume"
        )
    if options.base_url and check_base_url(options.base_url) != report.base_url:
        raise UsageError(
            f"--resume {options.resume} is a run against {report.base_url}, not {options.base_url}"
        )
    if options.queue is not None and options.queue != report.queue_id:
        raise UsageError(
            f"--resume {options.resume} is a run into queue {report.queue_id}, not {options.queue}"
        )
    options.base_url = report.base_url
    options.queue = report.queue_id


def _carry_over(report: Report) -> Plan:
    """The report's files, each with its earlier result (what is on the server stays)."""
    plan = Plan([], [], earlier=list(report.results), started_at=report.started_at)
    for earlier in report.results:
        plan.files.append((pathlib.Path(earlier.path), earlier.filename))
        plan.results.append(BulkUploadResult(filename=earlier.filename, path=earlier.path))
    to_send = [r for r in report.results if not r.annotation_ids]
    missing = [p for r in to_send if not (p := pathlib.Path(r.path)).is_file()]
    if missing:
        raise UsageError(
            f"{len(missing)} file(s) of the report still to send are gone, e.g. {missing[0]}"
        )
    return plan
