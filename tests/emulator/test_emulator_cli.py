"""``rossum-trio emulator`` in subprocesses: Ctrl-C, busy or invalid ports, missing hypercorn,
invalid fault values: one line, the right exit status, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.emulator import start_emulator

ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def _run(
    *args: str, code: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    command = (
        [sys.executable, "-c", code] if code else [sys.executable, "-m", "rossum_trio.emulator"]
    )
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout, env=ENV, check=False
    )


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_with_exit_0_and_one_line(sig: signal.Signals) -> None:
    proc, info = start_emulator()
    try:
        base_url = info["base_url"]
        r = httpx.get(f"{base_url}/queues", headers={"Authorization": f"Bearer {info['token']}"})
        assert r.status_code == 200
        r = httpx.get(
            f"{base_url}/_emulator/faults",
            headers={"Authorization": f"Bearer {info['admin_token']}"},
        )
        assert r.status_code == 200
        assert info["rate limit"].startswith("10 requests/s")
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert _one_line(stderr) == "rossum-trio emulator: stopped"


def test_busy_port_is_one_line_exit_1() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        run = _run("--port", str(port), "--preload", "0")
    assert run.returncode == 1
    line = _one_line(run.stderr)
    assert line.startswith(f"rossum-trio emulator: cannot serve on 127.0.0.1:{port}:"), line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "port must be 0..65535, got 99999"),
        (["--port", "http"], "invalid port 'http'"),
        (["--error-rate", "5"], "error_rate must be between 0 and 1, got 5.0"),
        (["--drop-rate", "-1"], "drop_rate must be between 0 and 1"),
        (["--latency", "nan"], "latency_s must be between 0 and 3600"),
        (["--rate-limit", "-3"], "--rate-limit must be >= 0"),
        (["--import-delay", "-1"], "import_delay_s must be >= 0"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_invalid_options_are_one_line_errors(args: list[str], message: str) -> None:
    run = _run(*args)
    assert run.returncode == 2
    line = _one_line(run.stderr)
    assert line.startswith("rossum-trio emulator: error:") and message in line, line


def test_missing_hypercorn_is_one_line() -> None:
    code = (
        "import sys; sys.modules['hypercorn'] = None\n"
        "from rossum_trio.emulator import cli_main\n"
        "sys.exit(cli_main(sys.argv[1:]))"
    )
    run = _run("--port", "0", code=code)
    assert run.returncode == 2
    line = _one_line(run.stderr)
    assert "pip install 'rossum-trio[emulator]'" in line, line


def test_the_rossum_trio_command_dispatches_here() -> None:
    script = Path(sys.executable).with_name("rossum-trio")
    run = subprocess.run(
        [str(script), "emulator", "--port", "99999"],
        capture_output=True,
        text=True,
        timeout=30,
        env=ENV,
        check=False,
    )
    assert run.returncode == 2
    assert "port must be 0..65535" in _one_line(run.stderr)
