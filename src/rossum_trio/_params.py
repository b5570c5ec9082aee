"""Sans-IO helpers: URLs, query parameters, ids from URLs, Retry-After."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar

import httpx

T = TypeVar("T")

#: Page size the client asks for on every list (the API's maximum).
PAGE_SIZE = 100
#: Largest ``page_size`` a list endpoint takes.
MAX_PAGE_SIZE = 100

#: Statuses worth another attempt (as in the official client).
RETRIED_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})


def join_url(base_url: str, url: str) -> str:
    """An absolute URL for ``url``: absolute URLs pass through, others join ``base_url``.

    Unlike the official client, a leading ``/`` or a trailing ``/`` on the base gives no ``//``.

    >>> join_url("https://x.rossum.app/api/v1/", "/queues/1")
    'https://x.rossum.app/api/v1/queues/1'
    """
    if url.startswith(("http://", "https://")):
        return url
    return f"{base_url.rstrip('/')}/{url.lstrip('/')}"


def parse_resource_id_from_url(url: str) -> int:
    """The id at the end of an object URL (a trailing ``/content`` is ignored).

    >>> parse_resource_id_from_url("https://x/api/v1/annotations/315777/content")
    315777
    """
    path = url.split("?", 1)[0].rstrip("/")
    if path.endswith("/content"):
        path = path[: -len("/content")]
    last = path.rsplit("/", 1)[-1]
    try:
        return int(last)
    except ValueError:
        raise ValueError(f"no numeric object id at the end of URL {url!r}") from None


def parse_annotation_id_from_datapoint_url(url: str) -> int:
    """The annotation id in a datapoint URL ``.../annotations/<aid>/content/<dpid>``."""
    parts = url.split("?", 1)[0].rstrip("/").split("/")
    try:
        return int(parts[parts.index("annotations") + 1])
    except (ValueError, IndexError):
        raise ValueError(f"not a datapoint URL: {url!r}") from None


def list_query(
    ordering: Sequence[str] = (),
    sideloads: Sequence[str] = (),
    content_schema_ids: Sequence[str] = (),
    filters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The query the official client sends on every list request (before paging keys).

    Empty ``ordering``, ``sideload`` and ``content.schema_id`` are sent as empty values, exactly
    as the official client does; a ``page_size`` filter overrides the default of 100.
    """
    query: dict[str, Any] = {
        "page_size": PAGE_SIZE,
        "ordering": ",".join(_strings("ordering", ordering)),
        "sideload": ",".join(_strings("sideloads", sideloads)),
        "content.schema_id": ",".join(_strings("content_schema_ids", content_schema_ids)),
    }
    if filters:
        query.update(filters)
    return query


def _strings(name: str, values: Sequence[str]) -> list[str]:
    if isinstance(values, str):
        # A bare string would be split into letters: surely a mistake.
        raise ValueError(f"{name} must be a sequence of strings, not the string {values!r}")
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise ValueError(f"{name} must contain strings only, got {bad[0]!r}")
    return list(values)


def export_query(export_format: str, columns: Iterable[str] = (), **filters: Any) -> dict[str, Any]:
    """Query parameters of a queue export (``format``, the filters, ``columns`` if any)."""
    query: dict[str, Any] = {"format": export_format, **filters}
    columns = list(columns)
    if columns:
        query["columns"] = ",".join(columns)
    return query


def export_method(filters: Mapping[str, Any]) -> Literal["GET", "POST"]:
    """Exports move annotations (``to_status``) only with POST; otherwise they are a GET."""
    return "POST" if "to_status" in filters else "GET"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date).

    >>> parse_retry_after("10")
    10.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def validate_id(value: object, name: str) -> int:
    """An object id as an int: a positive integer, or a string of digits.

    Anything else (``None``, ``True``, ``1.5``, ``"1/../x"``, ``"1&queue=2"``, ``0``) raises a
    ValueError naming the argument, so no such value ever reaches a URL.

    >>> validate_id("42", "queue_id")
    42
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer id, got {value!r}")
    return value


def chunked(items: Sequence[T], size: int = PAGE_SIZE) -> list[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size`` (one id-filtered request each)."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def bind_positional(
    name: str, names: tuple[str, ...], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """``kwargs`` plus the positional ``args`` bound to ``names`` (the parameters after the
    first), with the TypeErrors of a real signature (too many, or given twice)."""
    if len(args) > len(names):
        raise TypeError(f"{name}() takes at most {len(names) + 1} positional arguments")
    options = dict(kwargs)
    for key, value in zip(names, args, strict=False):
        if key in options:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        options[key] = value
    return options


def validate_positive_int(name: str, value: int, *, minimum: int = 1) -> int:
    """``value`` if it is an int >= ``minimum``, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def validate_non_negative(name: str, value: float) -> float:
    """``value`` if it is a finite number >= 0, else a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if math.isnan(value) or value < 0 or math.isinf(value):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def validate_base_url(base_url: object) -> httpx.URL:
    """The parsed ``base_url``, or a ValueError saying what is wrong (never showing a secret)."""
    example = "such as https://acme.rossum.app/api/v1"
    if not isinstance(base_url, str):
        raise ValueError(f"base_url must be a string {example}, got {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        raise ValueError(f"base_url is not a URL: it must be an http(s) URL {example}") from None
    if url.userinfo:
        raise ValueError(
            "base_url must not contain a username or password (they would leak into logs); "
            "pass them as credentials=UserCredentials(...)"
        )
    # Messages show the URL without its query and fragment: they may hold a secret.
    shown = url.copy_with(query=None, fragment=None)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an http(s) URL with a host {example}, got {shown}")
    if url.port is not None and not 0 < url.port < 65536:
        raise ValueError(f"base_url has no valid port (1 to 65535), got {shown}")
    if url.query or url.fragment:
        raise ValueError(
            f"base_url must not have a query or fragment {example}, got {shown} with one"
        )
    if not url.path.rstrip("/").endswith("/api/v1"):
        raise ValueError(f"base_url must end with /api/v1 (the API root) {example}, got {shown}")
    return url
