"""Request/response primitives of the emulator: parsing, JSON, multipart, DRF-style errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import msgspec

__all__ = [
    "ApiError",
    "Part",
    "Request",
    "Response",
    "json_response",
]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()

JSON_CT = (b"content-type", b"application/json")


def encode_json(obj: Any) -> bytes:
    """Encode ``obj`` as compact JSON (msgspec, the hot path)."""
    return _encoder.encode(obj)


@dataclass(slots=True)
class Response:
    """What a handler returns: status, body bytes and extra headers."""

    status: int
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    content_type: bytes | None = b"application/json"


def json_response(
    status: int, payload: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> Response:
    """A JSON response with ``status``."""
    return Response(status, encode_json(payload), headers or [])


def empty_response(status: int = 204) -> Response:
    """A response without a body (204 and friends)."""
    return Response(status, b"", [], None)


class ApiError(Exception):
    """Raised by handlers to answer with a DRF-shaped error body."""

    def __init__(
        self,
        status: int,
        payload: Any = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(status, payload)
        self.status = status
        self.payload = (
            payload if payload is not None else {"detail": _DEFAULT_DETAIL.get(status, "Error.")}
        )
        self.headers = headers or []

    def response(self) -> Response:
        """This error as a JSON response."""
        return json_response(self.status, self.payload, list(self.headers))


_DEFAULT_DETAIL = {
    400: "Bad request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    409: "Conflict.",
    413: "Request entity too large.",
    429: "Request was throttled.",
    500: "A server error occurred.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable, try again later.",
    504: "Gateway timeout.",
}


def not_found() -> ApiError:
    """404 ``{"detail": "Not found."}``."""
    return ApiError(404, {"detail": "Not found."})


def field_error(name: str, message: str) -> ApiError:
    """400 ``{name: [message]}`` (a DRF field validation error)."""
    return ApiError(400, {name: [message]})


def conflict(detail: str) -> ApiError:
    """409 ``{"detail": detail}``."""
    return ApiError(409, {"detail": detail})


@dataclass(slots=True)
class Part:
    """One part of a multipart/form-data body."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes


_PARAM_RE = re.compile(r';\s*([\w*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _header_params(value: str) -> tuple[str, dict[str, str]]:
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for m in _PARAM_RE.finditer(";" + rest):
        key, raw = m.group(1).lower(), m.group(2).strip()
        if raw.startswith('"') and raw.endswith('"'):
            raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[key] = raw
    if "filename*" in params:
        enc = params.pop("filename*")
        charset, _, tail = enc.partition("''")
        params["filename"] = unquote(tail or enc, encoding=charset or "utf-8", errors="replace")
    return main.strip().lower(), params


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart/form-data body into parts (raises ApiError 400 if malformed)."""
    _, params = _header_params(content_type)
    boundary = params.get("boundary")
    if not boundary:
        raise ApiError(
            400, {"detail": "Multipart form parse error - Invalid boundary in multipart: None"}
        )
    delim = b"--" + boundary.encode("latin-1")
    parts: list[Part] = []
    chunks = body.split(delim)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        name: str | None = None
        filename: str | None = None
        ctype: str | None = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key == "content-disposition":
                _, dparams = _header_params(value)
                name = dparams.get("name")
                filename = dparams.get("filename")
            elif key == "content-type":
                ctype = value.strip()
        if name is not None:
            parts.append(Part(name, filename, ctype, data))
    return parts


@dataclass(slots=True)
class Request:
    """A parsed HTTP request as the handlers see it."""

    method: str
    path: str
    """Path below the API prefix, without slashes at the ends (``"queues/1"``)."""
    full_path: str
    """The request path as received (``"/api/v1/queues/1"``)."""
    raw_query: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    base: str
    """The API base URL as the client addressed it (``"http://host:port/api/v1"``)."""
    user_id: int | None = None
    _params: dict[str, str] | None = None

    @property
    def params(self) -> dict[str, str]:
        """Query parameters with non-empty values (last value wins; empty ones are ignored)."""
        if self._params is None:
            self._params = {k: v for k, v in self.query if v != ""}
        return self._params

    @property
    def content_type(self) -> str:
        """The request's Content-Type (lower-cased media type, no parameters)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body decoded as JSON (empty body → ``{}``); 400 on malformed JSON."""
        if not self.body.strip():
            return {}
        try:
            return _decoder.decode(self.body)
        except msgspec.DecodeError as exc:
            raise ApiError(400, {"detail": f"JSON parse error - {exc}"}) from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (400 if it is another JSON type)."""
        data = self.json()
        if not isinstance(data, dict):
            raise ApiError(
                400,
                {
                    "non_field_errors": [
                        f"Invalid data. Expected a dictionary, but got {type(data).__name__}."
                    ]
                },
            )
        return data

    def data(self) -> dict[str, Any]:
        """The body as a mapping, whatever its encoding (JSON, form or multipart fields)."""
        ct = self.content_type
        if ct == "application/x-www-form-urlencoded":
            return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        if ct == "multipart/form-data":
            out: dict[str, Any] = {}
            for part in self.parts():
                if part.filename is None:
                    out[part.name] = part.data.decode("utf-8", "replace")
            return out
        return self.json_object()

    def parts(self) -> list[Part]:
        """The multipart parts of the body (400 if the body is not multipart)."""
        if self.content_type != "multipart/form-data":
            raise ApiError(
                415,
                {"detail": f'Unsupported media type "{self.content_type}" in request.'},
            )
        return parse_multipart(self.body, self.headers.get("content-type", ""))


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Query string → ordered (key, value) pairs, blanks kept."""
    if not raw:
        return []
    return parse_qsl(raw, keep_blank_values=True)


def truthy(value: str | None) -> bool:
    """DRF-style boolean query value (``true``/``True``/``1``/``yes``/``on``)."""
    return value is not None and value.strip().lower() in ("true", "1", "yes", "on")
