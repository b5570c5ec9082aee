"""Faithfulness: the official ``rossum-api`` 3.17.0 client works against the loopback emulator.

The official package is installed into a throwaway venv under pytest's temporary directory (the
only network access: the package index). The emulator runs as ``python -m rossum_trio.emulator
--port 0`` in a subprocess; the script ``official_client_script.py`` drives the official clients
through upload, poll, list (+ sideloads), search, export (json/csv/xml) and CRUD of queues and
workspaces.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from rossum_trio.emulator import sample_invoices

OFFICIAL = "rossum-api==3.17.0"
SCRIPT = Path(__file__).with_name("official_client_script.py")
NETWORK_MARKERS = (
    "Could not fetch URL",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Max retries exceeded",
    "No matching distribution found",
    "Network is unreachable",
    "ConnectTimeout",
    "ReadTimeoutError",
)


@pytest.fixture(scope="session")
def official_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv's python with the official package (cached for the session under the tmp dir)."""
    root = tmp_path_factory.getbasetemp() / "official-rossum-api-venv"
    python = root / "bin" / "python"
    if not (root / "ok").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", OFFICIAL],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        if proc.returncode != 0:
            output = proc.stdout + proc.stderr
            if any(marker in output for marker in NETWORK_MARKERS):
                pytest.skip(
                    f"package index unreachable, cannot install {OFFICIAL}: {output[-500:]}"
                )
            pytest.fail(f"pip install {OFFICIAL} failed:\n{output}")
        (root / "ok").write_text("installed")
    return python


def _start_emulator() -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rossum_trio.emulator",
            "--port",
            "0",
            "--import-delay",
            "0.3",
            "--preload",
            "0",
            # the official client does not pace itself: measure faithfulness, not throttling
            "--rate-limit",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    info: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        key, sep, value = line.strip().partition(":")
        if sep and key in ("base_url", "username", "password", "token"):
            info[key] = value.strip()
        if line.startswith("Press Ctrl-C"):
            break
    if "base_url" not in info:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise AssertionError(f"emulator did not start: {info}")
    return proc, info


def test_official_sync_client_against_loopback_emulator(
    official_python: Path, tmp_path: Path
) -> None:
    (tmp_path / "invoice.pdf").write_bytes(sample_invoices(1, seed=3)[0][1])
    proc, info = _start_emulator()
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
