"""Checks made before the first request: arguments, paths, the files to upload, the output.

Problems with what the user typed (a missing path, a directory, a bad number, an output
directory that does not exist) raise :class:`UsageError`: the command stops before sending
anything (exit status 2). Problems with a file's *content* (empty, not a document type the API
imports) are per-file: that file is not sent, the others are.
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import sys
import tempfile
from typing import IO, Final

from rossum_trio._files import MAX_UPLOAD_BYTES, file_problem
from rossum_trio._params import validate_base_url

#: Leading bytes of the document types the API imports, and their names.
_SIGNATURES: Final = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP or Office document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office 97-2003 document"),
)
#: What a file with one of these extensions must be.
_BY_EXTENSION: Final = {
    ".pdf": "PDF",
    ".png": "PNG image",
    ".jpg": "JPEG image",
    ".jpeg": "JPEG image",
    ".tif": "TIFF image",
    ".tiff": "TIFF image",
    ".gif": "GIF image",
}
_MAIL_HEADERS: Final = (b"from:", b"received:", b"return-path:", b"mime-version:", b"delivered-to:")
ACCEPTED_TYPES: Final = "PDF, images, Office documents, HTML, XML, e-mail or ZIP"


class UsageError(Exception):
    """A bad argument or path, found before any request (exit status 2)."""


# -- argument types (argparse names the flag in its message) ----------------------------------


def positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    return _int(text, minimum=1)


def positive_float(text: str) -> float:
    """An argparse type: a number of seconds > 0."""
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    """An argparse type: a number >= 0."""
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    return _int(text, minimum=0)


def _int(text: str, *, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {value}")
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text}")
    return value


def date_or_datetime(text: str) -> str:
    """An argparse type: ``YYYY-MM-DD`` or an ISO 8601 date-time, as the API takes it."""
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text).isoformat()
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a date (YYYY-MM-DD) or an ISO 8601 date-time, got {text!r}"
        ) from None


def statuses(text: str) -> list[str]:
    """An argparse type: one status or several separated by commas."""
    found = [s.strip() for s in text.split(",") if s.strip()]
    if not found or any(not s.replace("_", "").isalpha() for s in found):
        raise argparse.ArgumentTypeError(f"must be statuses such as to_review,exported: {text!r}")
    return found


def check_base_url(url: str) -> str:
    """The API root, or a UsageError that says what to type instead."""
    try:
        parsed = validate_base_url(url)
    except ValueError as exc:
        message = str(exc).replace("base_url", "--base-url (or ROSSUM_BASE_URL)", 1)
        hint = _base_url_hint(url)
        raise UsageError(message + (f"; did you mean {hint}?" if hint else "")) from None
    return str(parsed).rstrip("/")


def _base_url_hint(url: str) -> str | None:
    stripped = url.strip().rstrip("/")
    if stripped.startswith(("http://", "https://")) and "/api/v1" not in stripped:
        host = stripped.split("://", 1)[1].split("/", 1)[0]
        if host and "@" not in host:
            return f"{stripped.split('://', 1)[0]}://{host}/api/v1"
    return None


# -- files to upload ---------------------------------------------------------------------------


def check_upload_paths(paths: list[pathlib.Path]) -> None:
    """Every path exists and is a readable regular file; else one UsageError naming them all."""
    problems = [p for p in (_path_problem(path) for path in paths) if p is not None]
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise UsageError("; ".join(problems[:5]) + more)


def _path_problem(path: pathlib.Path) -> str | None:
    problem = file_problem(path, check_size=False)  # the size is a per-file content problem
    if problem is not None and path.is_dir():
        return f"{problem} (to upload the files in it: {path}/*.pdf)"
    return problem


def content_problem(path: pathlib.Path) -> str | None:
    """Why the API would not import this file (empty, too large, not a document), or None.

    Decided from the size and the first bytes, so nothing is sent that cannot succeed.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if size == 0:
        return "the file is empty (0 bytes)"
    if size > MAX_UPLOAD_BYTES:
        return f"larger than the API's upload limit of 40 MB ({size} bytes)"
    kind = sniff(head)
    expected = _BY_EXTENSION.get(path.suffix.lower())
    if expected is not None and kind != expected:
        what = _with_article(kind) if kind else "not a document the API imports"
        return f"named {path.suffix} but its content is {what}"
    if kind is None:
        return f"not a document the API imports ({ACCEPTED_TYPES})"
    return None


def _with_article(kind: str) -> str:
    return ("an " if kind[0] in "AEIOUHX" or kind.startswith("e-") else "a ") + kind


def sniff(head: bytes) -> str | None:
    """The document type of a file from its first bytes (None: not one the API imports)."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "HTML document"
    if text.startswith(b"<?xml") or (text.startswith(b"<") and b">" in text):
        return "XML document"
    if text.startswith(_MAIL_HEADERS):
        return "e-mail"
    return None


# -- where results go --------------------------------------------------------------------------


def check_writable_file(path: pathlib.Path, flag: str) -> None:
    """``path`` can be created or replaced (its directory exists and takes a new file)."""
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a directory; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: the directory {parent} does not exist")
    try:
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write in {parent}: {exc.strerror}") from None
    os.close(fd)
    os.unlink(probe)


class Output:
    """Where an export goes, checked before the first request.

    A regular file is written to a temporary file beside it and moved into place only when
    complete (an interrupted export leaves no half file); ``-`` or no path is stdout; an
    existing special file (``/dev/null``, a pipe) is written in place.
    """

    def __init__(self, path: pathlib.Path | None, flag: str = "--output") -> None:
        self.path = None if path is None or str(path) == "-" else path
        self._partial: pathlib.Path | None = None
        self._handle: IO[bytes] | None = None
        if self.path is None:
            return
        if self.path.exists() and not self.path.is_file() and not self.path.is_dir():
            if not os.access(self.path, os.W_OK):
                raise UsageError(f"{flag} {self.path}: not writable")
            return
        check_writable_file(self.path, flag)
        fd, partial = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".partial"
        )
        os.close(fd)
        self._partial = pathlib.Path(partial)

    @property
    def name(self) -> str:
        """How to name it in messages."""
        return "stdout" if self.path is None else str(self.path)

    def open(self) -> IO[bytes]:
        """The stream to write to (opened once)."""
        if self._handle is None:
            if self.path is None:
                self._handle = sys.stdout.buffer
            else:
                self._handle = (self._partial or self.path).open("wb")
        return self._handle

    def commit(self) -> None:
        """The export is complete: flush it and move it into place."""
        handle, self._handle = self._handle, None
        if handle is None:
            self.open()
            handle, self._handle = self._handle, None
        assert handle is not None
        if self.path is None:
            handle.flush()
            return
        handle.close()
        if self._partial is not None:
            os.replace(self._partial, self.path)
            self._partial = None

    def discard(self) -> None:
        """The export is not complete: remove what was written (idempotent)."""
        if self._handle is not None and self.path is not None:
            self._handle.close()
        self._handle = None
        if self._partial is not None:
            self._partial.unlink(missing_ok=True)
            self._partial = None
