"""Helpers of the CLI tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from rossum_trio.emulator import Emulator, RequestRecord, sample_invoices


@dataclass
class Ran:
    """What one run of the command did."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def write_samples(folder: pathlib.Path, count: int) -> list[pathlib.Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, pdf in sample_invoices(count):
        (folder / name).write_bytes(pdf)
        paths.append(folder / name)
    return paths


def uploads(emulator: Emulator) -> list[RequestRecord]:
    """The upload requests the emulator received (read from another thread: retried)."""
    for _ in range(100):
        try:
            return [r for r in emulator.requests if r.method == "POST" and "upload" in r.path]
        except RuntimeError:  # the log changed while it was read
            continue
    raise AssertionError("could not read the request log")


def documents_by_name(emulator: Emulator) -> dict[str, int]:
    """How many documents of each file name the emulator holds."""
    counts: dict[str, int] = {}
    for document in emulator.objects("documents"):
        name = document["original_file_name"]
        counts[name] = counts.get(name, 0) + 1
    return counts
