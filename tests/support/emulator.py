"""Helpers of the emulator's own tests (raw HTTP, no SDK), and the emulator as a process.

* :func:`upload`, :func:`list_all`, :func:`rid`: uploads and lists through a plain httpx client
  (the ``http`` fixture of ``tests/emulator``);
* :func:`call`: one request straight into the emulator's ASGI app (any method, header or body
  chunking), with what came back as an :class:`Answer`;
* :func:`documents_by_name`: what the emulator holds, by file name;
* :func:`start_emulator`: ``python -m rossum_trio.emulator`` in a subprocess;
  :func:`install_official`: a virtualenv with the official ``rossum-api`` package.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import venv
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
import trio

from rossum_trio.emulator import Emulator, sample_invoices
from rossum_trio.emulator._faults import ConnectionDropped


def rid(url: str) -> int:
    """The id at the end of an object URL."""
    return int(url.rstrip("/").rsplit("/", 1)[1])


async def upload(
    http: httpx.AsyncClient, emu: Emulator, n: int = 1, *, seed: int = 0, then_wait_s: float = 0
) -> list[int]:
    """Upload ``n`` sample invoices through the legacy endpoint; the annotation ids. With
    ``then_wait_s``, sleep that long after (on the autojump clock: imports finish)."""
    ids = []
    for name, data in sample_invoices(n, seed=seed):
        r = await http.post(
            f"/queues/{emu.seeded.queue_id}/upload",
            files={"content": (name, data, "application/octet-stream")},
        )
        assert r.status_code == 201, r.text
        ids.append(rid(r.json()["results"][0]["annotation"]))
    if then_wait_s:
        await trio.sleep(then_wait_s)
    return ids


async def list_all(http: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every result of a list, walking ``next``."""
    out: list[dict[str, Any]] = []
    r = await http.get(path, params=params)
    while True:
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["results"]
        if not body["pagination"]["next"]:
            return out
        r = await http.get(body["pagination"]["next"])


def documents_by_name(emulator: Emulator) -> Counter[str]:
    """How many documents of each file name the emulator holds."""
    return Counter(d["original_file_name"] for d in emulator.objects("documents"))


@dataclass
class Answer:
    """What the app sent back."""

    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    receives: int = 0
    """How many times the app called ``receive``."""
    dropped: bool = False
    """The app dropped the connection (an injected fault)."""

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


async def call(
    emu: Emulator,
    method: str,
    path: str,
    *,
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    chunks: list[bytes] | None = None,
    rate_limit_per_s: float | None = None,
) -> Answer:
    """One request through ``emu.asgi_app(...)``; ``path`` is below ``/api/v1`` or absolute."""
    full = path if path.startswith("/api/") else f"{emu.api_path}/{path.lstrip('/')}"
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": full,
        "raw_path": full.encode("utf-8", "surrogateescape"),
        "query_string": query,
        "headers": [(b"host", b"rossum.emulator"), *(headers or [])],
        "server": ("rossum.emulator", 80),
    }
    parts = list(chunks) if chunks else [b""]
    answer = Answer()

    async def receive() -> dict[str, Any]:
        answer.receives += 1
        if parts:
            chunk = parts.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(parts)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message["headers"])
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    try:
        await emu.asgi_app(rate_limit_per_s=rate_limit_per_s)(scope, receive, send)
    except ConnectionDropped:
        answer.dropped = True
    return answer


# -- the emulator as a process, the official client -----------------------------------------------


def start_emulator(
    *args: str, stderr: int = subprocess.PIPE
) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``python -m rossum_trio.emulator --port 0 --preload 0 *args``, started: the process
    and what it printed before "Press Ctrl-C" (``base_url``, ``token``, ``username``, ...)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "rossum_trio.emulator", "--port", "0", "--preload", "0", *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    info: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        key, sep, value = line.strip().partition(":")
        if sep:
            info[key] = value.strip()
        if line.startswith("Press Ctrl-C"):
            break
    if "base_url" not in info:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise AssertionError(f"emulator did not start: {info}")
    return proc, info


OFFICIAL = "rossum-api==3.17.0"
#: What pip says when the package index cannot be reached.
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


def install_official(root: pathlib.Path) -> pathlib.Path | str:
    """A virtualenv at ``root`` with the official package (``bin/python``; made once, marked
    by a file ``ok``), or why it could not be made when the package index is unreachable
    (any other failure of pip fails the test)."""
    if not (root / "ok").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
        proc = subprocess.run(
            [
                *(str(root / "bin" / "python"), "-m", "pip", "install"),
                *("--disable-pip-version-check", "-q", OFFICIAL),
            ],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        if proc.returncode != 0:
            output = proc.stdout + proc.stderr
            if any(marker in output for marker in NETWORK_MARKERS):
                return f"package index unreachable, cannot install {OFFICIAL}: {output[-500:]}"
            pytest.fail(f"pip install {OFFICIAL} failed:\n{output}")
        (root / "ok").write_text("installed")
    return root
