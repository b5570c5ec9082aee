"""Faithfulness: the official ``rossum-api`` 3.17.0 client works against the loopback emulator.

The official package is installed into a throwaway venv under pytest's temporary directory (the
only network access: the package index). The emulator runs as ``python -m rossum_trio.emulator
--port 0`` in a subprocess; the script ``official_client_script.py`` drives the official clients
through upload, poll, list (+ sideloads), search, export (json/csv/xml) and CRUD of queues and
workspaces.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.emulator import start_emulator
from tests.support.files import write_sample

SCRIPT = Path(__file__).with_name("official_client_script.py")


@pytest.fixture(scope="session")
def official_python(official_venv: Path | str) -> Path:
    """The python of a venv with the official package (skips without the package index)."""
    if isinstance(official_venv, str):
        pytest.skip(official_venv)
    return official_venv / "bin" / "python"


def test_official_sync_client_against_loopback_emulator(
    official_python: Path, tmp_path: Path
) -> None:
    write_sample(tmp_path / "invoice.pdf", seed=3)
    # the official client does not pace itself: measure faithfulness, not throttling
    proc, info = start_emulator(
        "--import-delay", "0.3", "--rate-limit", "0", stderr=subprocess.STDOUT
    )
    try:
        run = subprocess.run(
            [
                str(official_python),
                str(SCRIPT),
                info["base_url"],
                info["username"],
                info["password"],
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ALL OK" in run.stdout
