"""Call the emulator's ASGI app directly (no httpx): any method, header or body chunking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from rossum_trio.emulator import Emulator
from rossum_trio.emulator._faults import ConnectionDropped


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
