"""Sample files on disk: the emulator's sample invoices (real PDFs, distinct per index and seed)."""

from __future__ import annotations

import pathlib

from rossum_trio.emulator import sample_invoices


def write_samples(
    folder: pathlib.Path, count: int, *, seed: int = 0
) -> list[tuple[pathlib.Path, str]]:
    """Write ``count`` sample invoices into ``folder`` (created if need be); the
    ``(path, file name)`` pairs uploads take."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, pdf in sample_invoices(count, seed=seed):
        (folder / name).write_bytes(pdf)
        files.append((folder / name, name))
    return files


def write_sample(path: pathlib.Path, *, seed: int = 0) -> pathlib.Path:
    """Write one sample invoice at ``path``."""
    path.write_bytes(sample_invoices(1, seed=seed)[0][1])
    return path
