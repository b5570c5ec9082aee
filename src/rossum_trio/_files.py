"""Files to upload: checked before anything is sent, read without blocking the event loop."""

from __future__ import annotations

import os
import pathlib
import stat
from collections.abc import Sequence
from typing import Final

import trio

#: A file to upload: ``(path on disk, file name to give the API)``.
FileSpec = tuple[str | pathlib.Path, str]

#: The API's limit for one upload (bytes).
MAX_UPLOAD_BYTES: Final = 40 * 1024 * 1024


def check_file_specs(files: Sequence[FileSpec]) -> list[FileSpec]:
    """``files`` as a list of well-formed ``(filepath, filename)`` tuples, else ValueError."""
    if isinstance(files, str | bytes | pathlib.Path) or not isinstance(files, Sequence):
        raise ValueError("files must be a sequence of (filepath, filename) tuples")
    checked: list[FileSpec] = []
    for item in files:
        if (
            not isinstance(item, tuple)
            or len(item) != 2
            or not isinstance(item[0], str | pathlib.Path)
            or not isinstance(item[1], str)
            or not item[1]
        ):
            raise ValueError(f"files must hold (filepath, filename) tuples, got {item!r}")
        checked.append(item)
    return checked


def file_problem(path: str | pathlib.Path, *, check_size: bool = True) -> str | None:
    """Why ``path`` cannot be uploaded (missing, not a regular file, too large, unreadable),
    or None when it can. ``check_size=False`` leaves the size to be judged later (the command
    line fails a file too large alone, not the whole command)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return f"no such file: {path}"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        return f"{path} is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return f"{path} is not a regular file (a pipe or device cannot be uploaded)"
    if check_size and info.st_size > MAX_UPLOAD_BYTES:
        return f"{path} is larger than the API's upload limit of 40 MB ({info.st_size} bytes)"
    if not os.access(path, os.R_OK):
        return f"cannot read {path}: permission denied"
    return None


def check_files(files: Sequence[FileSpec]) -> list[FileSpec]:
    """Check every file before any is sent: the first problem raises a ValueError."""
    checked = check_file_specs(files)
    for path, _ in checked:
        problem = file_problem(path)
        if problem is not None:
            raise ValueError(problem)
    return checked


async def read_file(path: str | pathlib.Path) -> bytes:
    """The file's bytes, read in a worker thread; cancellable (the read is abandoned)."""
    problem = file_problem(path)
    if problem is not None:
        raise ValueError(problem)

    def read() -> bytes:
        with open(path, "rb") as handle:
            return handle.read(MAX_UPLOAD_BYTES + 1)

    data = await trio.to_thread.run_sync(read, abandon_on_cancel=True)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{path} grew larger than the API's upload limit of 40 MB")
    return data
