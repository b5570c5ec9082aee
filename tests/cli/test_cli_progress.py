"""Progress: live bars on a terminal (rich), plain lines on a pipe or without rich."""

from __future__ import annotations

import io
import os
import pathlib
import pty
import subprocess
import sys
import time

import pytest
from rich.console import Console

from rossum_trio.cli import _progress
from rossum_trio.cli._progress import Display, RichDisplay, make_display


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_rich_bars_count_rate_elapsed_and_eta() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=140, color_system=None)
    display = RichDisplay(screen, None, console=console)
    display.add_stage("uploaded", 5)
    display.add_stage("imported", 5)
    display.start()
    display.update("uploaded", 3)
    display.event("retrying in 2.0 s (HTTP 503 from GET /api/v1/queues/8199: down)")
    display.note("failed: a.pdf: import failed: The file is empty.")
    display.update("imported", 1)
    display.tick()
    display.close()
    text = screen.getvalue()
    assert "uploaded" in text and "imported" in text
    assert "3/5" in text and "1/5" in text
    assert "elapsed" in text and "ETA" in text
    assert "━" in text  # the bar
    assert "retrying in 2.0 s (HTTP 503 from GET /api/v1/queues/8199: down)" in text
    assert "failed: a.pdf: import failed: The file is empty." in text


def test_plain_lines_on_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_progress, "PLAIN_INTERVAL_S", 0.0)
    stream = io.StringIO()
    display = make_display(stream, None)
    assert type(display) is Display
    display.add_stage("uploaded", 4)
    display.update("uploaded", 2)
    display.tick()
    display.event("paused 1 s by the API's rate limit (429)")
    display.event("paused 1 s by the API's rate limit (429)")  # repeats within 1 s: once
    display.update("uploaded", 4)
    display.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("uploaded 2/4") or "uploaded 2/4 (" in lines[0]
    assert sum("paused 1 s by the API's rate limit (429)" in line for line in lines) == 1
    assert lines[-1].endswith("uploaded 4/4")
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()


def test_plain_lines_without_rich_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_display(_Terminal(), None), RichDisplay)
    monkeypatch.setitem(sys.modules, "rich.console", None)
    assert type(make_display(_Terminal(), None)) is Display
    assert type(make_display(_Terminal(), None, plain=True)) is Display


def test_a_terminal_gets_live_bars(tmp_path: pathlib.Path) -> None:
    """The command with its stderr on a pseudo-terminal draws rich bars."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSSUM_")}
    env.update(COLUMNS="120", TERM="xterm")
    process = subprocess.Popen(
        [sys.executable, "-m", "rossum_trio.cli", "bulk", "--samples", "4", "--import-delay",
         "0.3", "--sleep", "0.1", "--output", str(tmp_path / "out.csv")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other side closed (Linux: EIO)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(30) == 0
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "━" in screen and "4/4" in screen
    assert "ETA" in screen and "elapsed" in screen
    assert "4 files in " in screen
