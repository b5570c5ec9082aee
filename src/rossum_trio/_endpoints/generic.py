"""Requests to any endpoint (``request``, ``request_json``, the paginated ones) and the token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import httpx
import msgspec

from rossum_trio._base import DECODE_ERRORS, ClientBase
from rossum_trio._pagination import Listing
from rossum_trio._params import bind_positional
from rossum_trio.types import HttpMethod, JsonDict

#: ``request_paginated``'s positional parameters after ``url``, in the async client's order.
_PAGINATED_POSITIONAL = (
    "ordering",
    "sideloads",
    "content_schema_ids",
    "method",
    "max_pages",
    "json",
    "paginated",
)
_CURSOR_POSITIONAL = _PAGINATED_POSITIONAL[:-1]


class GenericMethods(ClientBase):
    """Any request, with the client's auth, cap, pace, retries and errors; the API token."""

    async def request(self, method: HttpMethod, *args: Any, **kwargs: Any) -> httpx.Response:
        """Send any request (auth, cap, retries and error mapping included); the raw response.

        ``url`` (first positional or keyword) is relative to ``base_url`` or absolute; other
        keyword arguments go to httpx (``params``, ``json``, ``data``, ``files``, ...).

        >>> response = await client.request("GET", "queues/8199")  # doctest: +SKIP
        """
        url, kwargs = _pop_url(args, kwargs)
        return await self._http.send(method, url, **kwargs)

    async def request_json(self, method: HttpMethod, *args: Any, **kwargs: Any) -> JsonDict:
        """Like :meth:`request`, returning the decoded JSON body (``{}`` for 204 No Content)."""
        response = await self.request(method, *args, **kwargs)
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return cast(JsonDict, msgspec.json.decode(response.content))
        except DECODE_ERRORS as exc:
            raise self._problem(response, exc) from None

    def request_paginated(self, url: str, *args: Any, **kwargs: Any) -> Listing[JsonDict]:
        """Iterate the items (dicts) of any page-number-paginated list endpoint.

        Positional parameters after ``url`` (async order of the official client): ``ordering,
        sideloads, content_schema_ids, method, max_pages, json, paginated``; other keywords are
        query filters. ``paginated=False`` makes a single request.

        >>> async for item in client.request_paginated("hooks", ordering=["id"]):  # doctest: +SKIP
        ...     print(item["name"])
        """
        options = bind_positional("request_paginated", _PAGINATED_POSITIONAL, args, kwargs)
        paginated = options.pop("paginated", True)
        return self._generic_list(url, cursor=False, single=not paginated, **options)

    def request_cursor_paginated(self, url: str, *args: Any, **kwargs: Any) -> Listing[JsonDict]:
        """Iterate a cursor-paginated endpoint: follows the top-level ``next`` until it is null.

        Positional parameters after ``url``: ``ordering, sideloads, content_schema_ids, method,
        max_pages, json``; other keywords are query filters (sent on the first request only).
        """
        options = bind_positional("request_cursor_paginated", _CURSOR_POSITIONAL, args, kwargs)
        return self._generic_list(url, cursor=True, single=False, **options)

    def _generic_list(
        self,
        url: str,
        *,
        cursor: bool,
        single: bool,
        ordering: Sequence[str] = (),
        method: str = "GET",
        json: Any = None,
        **filters: Any,
    ) -> Listing[JsonDict]:
        if single:
            filters["max_pages"] = 1
        retry_safe = True if method.upper() == "GET" else None
        return self._list(
            dict,
            ordering,
            url=url,
            method=method,
            json=json,
            cursor=cursor or single,
            retry_safe=retry_safe,
            **filters,
        )

    async def get_token(self, refresh: bool = False) -> str:
        """The API token in use; logs in first if there is none yet or ``refresh`` is true.

        With a :class:`~rossum_trio.dtos.Token` client and ``refresh=True`` this raises
        :class:`~rossum_trio.errors.AuthenticationError` (there is nothing to log in with).
        """
        self._http.check_open()
        if refresh:
            return await self._http.login()
        return await self._http.ensure_token()

    async def authenticate(self) -> None:
        """Log in now with the client's :class:`~rossum_trio.dtos.UserCredentials`."""
        self._http.check_open()
        await self._http.login()


def _pop_url(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if args:
        if len(args) > 1 or "url" in kwargs:
            raise TypeError("request() takes the method, the url, and keyword arguments only")
        url = args[0]
    elif "url" in kwargs:
        url = kwargs.pop("url")
    else:
        raise TypeError("request() missing the url argument")
    if not isinstance(url, str) or not url:
        raise ValueError(f"url must be a non-empty string, got {url!r}")
    return url, kwargs
