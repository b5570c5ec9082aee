"""The end of a bulk run on stderr: what reached the server, what did not, what it cost."""

from __future__ import annotations

import pathlib
from collections import Counter
from dataclasses import dataclass
from typing import Final, TextIO

from rossum_trio._bulk import BulkUploadResult, FileStatus, _is_fatal
from rossum_trio._stats import RequestStats

#: Exit statuses of the command.
EXIT_OK: Final = 0
EXIT_FAILED: Final = 1  # some files failed, or the export did
EXIT_USAGE: Final = 2  # bad arguments: nothing was sent
EXIT_FATAL: Final = 3  # an error that fails every file (credentials, queue, host)
EXIT_TIMEOUT: Final = 124  # --timeout ran out (as timeout(1))
EXIT_INTERRUPTED: Final = 130  # Ctrl-C

#: Files listed by name in the summary, per kind (the report lists them all).
LISTED: Final = 20

_PHRASES: Final = {
    FileStatus.IMPORTED: "imported",
    FileStatus.UPLOADED: "on the server, import not finished",
    FileStatus.FAILED: "failed",
    FileStatus.UNKNOWN: "outcome unknown (may be on the server)",
    FileStatus.NOT_SENT: "not sent",
    FileStatus.PENDING: "not sent",
}


@dataclass
class Summary:
    """Everything the last lines say."""

    results: list[BulkUploadResult]
    reasons: list[str]
    outcome: str  # completed | stopped | interrupted | timed_out
    fatal: str | None
    seconds: float
    timeout: float | None
    stats: RequestStats
    upload_stats: RequestStats
    exported: int | None
    export_error: str | None
    export_format: str
    output: str
    report: pathlib.Path | None
    real: bool

    def counts(self) -> str:
        """``48 imported, 2 failed`` (in a fixed order)."""
        counts = Counter(FileStatus(r.status) for r in self.results)
        parts = []
        for status, phrase in _PHRASES.items():
            if status == FileStatus.PENDING:
                continue
            number = counts[status]
            if status == FileStatus.NOT_SENT:
                number += counts[FileStatus.PENDING]
            if number:
                parts.append(f"{number} {phrase}")
        return ", ".join(parts) or "nothing to do"

    def print(self, out: TextIO) -> None:
        """Write the summary."""
        total = len(self.results)
        took = f"{self.seconds:.1f} s"
        if self.fatal and not any(r.on_server is not False for r in self.results):
            # Failed before anything was sent: one line says it all.
            out.write(f"rossum-trio: {self.fatal}; nothing was sent ({total} files)\n")
            if self.report is not None:
                out.write(f"report: {self.report}\n")
            return
        if self.fatal:
            out.write(f"rossum-trio: {self.fatal}\n")
        if self.outcome == "interrupted":
            out.write(f"interrupted after {took}: {self.counts()} (of {total} files)\n")
        elif self.outcome == "timed_out":
            out.write(
                f"timed out (--timeout {self.timeout:g} s): {self.counts()} (of {total} files)\n"
            )
        else:
            out.write(f"{total} files in {took}: {self.counts()}\n")
        if self.outcome != "completed":
            self._list(out, "on the server", lambda r: bool(r.annotation_ids))
        self._list(out, "outcome unknown", lambda r: r.status == FileStatus.UNKNOWN)
        self._list(out, "failed", lambda r: r.status == FileStatus.FAILED)
        self._costs(out)
        if self.exported is not None:
            out.write(
                f"export: {self.exported} annotation(s) ({self.export_format}) "
                f"written to {self.output}\n"
            )
        elif self.export_error:
            out.write(f"export failed: {self.export_error}\n")
        elif self.outcome != "completed" or self.fatal:
            out.write("export: not written (the run did not finish)\n")
        if self.report is not None:
            out.write(f"report: {self.report}\n")
            unknown = any(r.status == FileStatus.UNKNOWN for r in self.results)
            if self.real and (self.outcome != "completed" or self.fatal or unknown):
                out.write(
                    f"to finish the job without uploading anything twice: "
                    f"rossum-trio bulk --resume {self.report}\n"
                )

    def _list(self, out: TextIO, title: str, chosen: object) -> None:
        assert callable(chosen)
        picked = [(r, why) for r, why in zip(self.results, self.reasons, strict=True) if chosen(r)]
        if not picked:
            return
        for result, why in picked[:LISTED]:
            if title == "on the server":
                ids = ", ".join(map(str, result.annotation_ids))
                out.write(f"  {title}: {result.filename} (annotation {ids}, {result.status})\n")
            else:
                if self.fatal and result.error is not None and _is_fatal(result.error):
                    why = "refused: see the error above"
                out.write(f"  {title}: {result.filename}: {why}\n")
        if len(picked) > LISTED:
            out.write(f"  ... and {len(picked) - LISTED} more {title} (see the report)\n")

    def _costs(self, out: TextIO) -> None:
        per_file = self.upload_stats.requests / max(1, len(self.results))
        line = f"requests: {self.stats.requests}"
        if self.upload_stats.requests:
            line += f" ({per_file:.2f} per file to upload and wait)"
        if self.stats.rate_limited:
            line += (
                f", {self.stats.rate_limited} answers 429 waited out "
                f"(paused {self.stats.paused_s:.1f} s by the API's rate limit)"
            )
        else:
            line += ", no 429"
        out.write(line + "\n")

    def exit_code(self) -> int:
        """The command's exit status for this outcome."""
        if self.outcome == "interrupted":
            return EXIT_INTERRUPTED
        if self.outcome == "timed_out":
            return EXIT_TIMEOUT
        if self.fatal:
            return EXIT_FATAL
        if self.export_error or not all(r.ok for r in self.results):
            return EXIT_FAILED
        return EXIT_OK
