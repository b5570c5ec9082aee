"""Helpers of the command-line tests (the ``cli``, ``serve`` fixtures are in ``tests/cli``)."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from rossum_trio.emulator import Emulator, RequestRecord
from tests.support.files import write_samples


@dataclass
class Ran:
    """What one run of the command did."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def sample_paths(folder: pathlib.Path, count: int) -> list[pathlib.Path]:
    """:func:`~tests.support.files.write_samples`, as the paths the command takes."""
    return [path for path, _ in write_samples(folder, count)]


def uploads(emulator: Emulator) -> list[RequestRecord]:
    """The upload requests the emulator received (read from another thread: retried)."""
    for _ in range(100):
        try:
            return [r for r in emulator.requests if r.method == "POST" and "upload" in r.path]
        except RuntimeError:  # the log changed while it was read
            continue
    raise AssertionError("could not read the request log")
