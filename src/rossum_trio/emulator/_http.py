"""Request/response primitives of the emulator: parsing, JSON, multipart, DRF-style errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import msgspec

__all__ = [
    "MAX_JSON_DEPTH",
    "ApiError",
    "Part",
    "Request",
    "Response",
    "conflict",
    "decode_json",
    "empty_response",
    "encode_json",
    "error_body",
    "error_code",
    "field_error",
    "header_params",
    "json_response",
    "not_found",
    "parse_multipart",
    "parse_query",
    "truthy",
]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays/objects accepted in a JSON body (deeper: 400)."""


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
    """Raised by handlers to answer with a DRF-shaped error body.

    ``{"detail": ..., "code": ...}`` for most errors (``code`` defaults to the DRF code of the
    status, e.g. ``not_found``), ``{"<field>": ["message", ...]}`` for 400 validation errors.
    """

    def __init__(
        self,
        status: int,
        payload: Any = None,
        headers: list[tuple[bytes, bytes]] | None = None,
        *,
        code: str | None = None,
    ) -> None:
        super().__init__(status, payload)
        self.status = status
        if payload is None:
            payload = {"detail": _DEFAULT_DETAIL.get(status, "Error.")}
        if isinstance(payload, dict) and "detail" in payload and "code" not in payload:
            payload = {**payload, "code": code or error_code(status)}
        self.payload = payload
        self.headers = headers or []

    def response(self) -> Response:
        """This error as a JSON response."""
        return json_response(self.status, self.payload, list(self.headers))


def error_code(status: int) -> str:
    """The DRF error code that goes with an HTTP status (``404`` → ``not_found``)."""
    return _DEFAULT_CODE.get(status, "error")


def error_body(status: int, detail: str, code: str | None = None) -> dict[str, str]:
    """``{"detail": detail, "code": code}`` (the code defaults to the status's DRF code)."""
    return {"detail": detail, "code": code or error_code(status)}


_DEFAULT_DETAIL = {
    400: "Bad request.",
    401: "Invalid token.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Could not satisfy the request Accept header.",
    408: "Request body not received in time.",
    409: "Conflict.",
    413: "Request entity too large.",
    415: "Unsupported media type in request.",
    429: "Request was throttled.",
    500: "A server error occurred.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable, try again later.",
    504: "Gateway timeout.",
}

_DEFAULT_CODE = {
    400: "invalid",
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}


def not_found() -> ApiError:
    """404 ``{"detail": "Not found.", "code": "not_found"}``."""
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


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """A header value's main part (lower-cased) and its ``;`` parameters (RFC 5987 aware)."""
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
        try:
            params["filename"] = unquote(tail or enc, encoding=charset or "utf-8", errors="replace")
        except LookupError:  # an unknown charset name
            params["filename"] = unquote(tail or enc, errors="replace")
    return main.strip().lower(), params


def parse_multipart(body: bytes, content_type: str) -> list[Part]:
    """Split a multipart/form-data body into parts (raises ApiError 400 if malformed)."""
    _, params = header_params(content_type)
    boundary = params.get("boundary")
    if not boundary:
        raise ApiError(
            400,
            {"detail": "Multipart form parse error - Invalid boundary in multipart: None"},
            code="parse_error",
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
                _, dparams = header_params(value)
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
    args: dict[str, str] = field(default_factory=dict)
    """Groups captured from the path by the route (``{"id": "300"}``)."""
    kind: str = ""
    """The resource kind of the route (``"queues"``), for the generic CRUD handlers."""
    _params: dict[str, str] | None = None
    _parts: list[Part] | None = None

    @property
    def id(self) -> int:
        """The object id captured from the path."""
        return int(self.args["id"])

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
        """The body decoded as JSON (empty body → ``{}``); 400 on malformed or too deep JSON."""
        if not self.body.strip():
            return {}
        return decode_json(self.body)

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
        if self._parts is None:
            self._parts = parse_multipart(self.body, self.headers.get("content-type", ""))
        return self._parts


def decode_json(data: bytes) -> Any:
    """JSON → Python; ApiError 400 ``parse_error`` if malformed or nested deeper than the cap."""
    try:
        value = _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise ApiError(400, {"detail": f"JSON parse error - {exc}"}, code="parse_error") from None
    except RecursionError:
        value = None
        depth_exceeded = True
    else:
        depth_exceeded = _too_deep(value, MAX_JSON_DEPTH)
    if depth_exceeded:
        raise ApiError(
            400,
            {"detail": f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."},
            code="parse_error",
        )
    return value


def _too_deep(value: Any, limit: int) -> bool:
    """Whether arrays/objects nest deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def parse_query(raw: str) -> list[tuple[str, str]]:
    """Query string → ordered (key, value) pairs, blanks kept."""
    if not raw:
        return []
    return parse_qsl(raw, keep_blank_values=True)


def truthy(value: str | None) -> bool:
    """DRF-style boolean query value (``true``/``True``/``1``/``yes``/``on``)."""
    return value is not None and value.strip().lower() in ("true", "1", "yes", "on")
