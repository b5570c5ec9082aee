"""The client's foundation, shared by every ``_endpoints`` mixin: construction, lifecycle,
decoding (objects, pages, sideloads), and the request helpers the endpoint methods are written
with (``_send``, ``_answer``, ``_get``, ``_retrieve``, ``_create``, ``_replace``, ``_update``,
``_delete``, ``_list``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import httpx
import msgspec
import trio

from rossum_trio._http import DEFAULT_RATE_LIMIT_MAX_WAIT_S, HTTPCore, RateLimit
from rossum_trio._lifecycle import AsyncClosing
from rossum_trio._pagination import Page, PageIterator
from rossum_trio._params import (
    MAX_PAGE_SIZE,
    list_query,
    parse_annotation_id_from_datapoint_url,
    parse_resource_id_from_url,
    validate_id,
    validate_non_negative,
    validate_positive_int,
)
from rossum_trio._resources import NON_PAGINATED_RESOURCES
from rossum_trio._stats import RequestStats
from rossum_trio.dtos import Token, UserCredentials
from rossum_trio.errors import UnexpectedResponseError
from rossum_trio.models import Deserializer, ResponsePostProcessor, decoder_for
from rossum_trio.models._decode import resource_of
from rossum_trio.types import JsonDict

T = TypeVar("T")

#: What a JSON decode of a hostile or broken answer may raise.
DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


class _Pagination(msgspec.Struct):
    total: int | None = None
    total_pages: int | None = None
    next: str | None = None
    previous: str | None = None


class _Envelope(msgspec.Struct, Generic[T]):
    """A list answer: ``results`` plus ``pagination`` (page lists) or top-level ``next``."""

    results: list[T] = msgspec.field(default_factory=list)
    pagination: _Pagination | None = None
    next: str | None = None

    def to_page(self) -> Page[T]:
        if self.pagination is not None:
            p = self.pagination
            return Page(self.results, p.total_pages, p.next, p.total)
        return Page(self.results, None, self.next)


_DICT = decoder_for(dict[str, Any])


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") else name


def embed_sideloads(data: JsonDict, sideloads: Sequence[str]) -> None:
    """Put sideloaded objects of a list answer into its results, in place.

    ``content`` datapoints are grouped by the annotation id in their URL; other sideloads are
    matched by id to the result's singular field (``documents`` -> ``document``). Unlike the
    official client, a missing sideload key or object leaves the field as it was (the URL).
    """
    results = data.get("results") or []
    for sideload in sideloads:
        field = _singular(sideload)
        objects = data.get(sideload) or []
        if sideload == "content":
            grouped: dict[int, list[Any]] = {}
            for datapoint in objects:
                try:
                    owner = parse_annotation_id_from_datapoint_url(datapoint["url"])
                except (KeyError, TypeError, ValueError):
                    continue
                grouped.setdefault(owner, []).append(datapoint)
            for result in results:
                if result.get("id") is not None:
                    result["content"] = grouped.get(result["id"], [])
            continue
        by_id = {o["id"]: o for o in objects if isinstance(o, dict) and "id" in o}
        for result in results:
            url = result.get(field)
            if not isinstance(url, str):
                continue
            try:
                found = by_id.get(parse_resource_id_from_url(url))
            except ValueError:
                continue
            if found is not None:
                result[field] = found


class ClientBase(AsyncClosing):
    """Shared state and helpers of :class:`~rossum_trio.AsyncRossumAPIClient`."""

    def __init__(
        self,
        base_url: str,
        credentials: UserCredentials | Token,
        *,
        deserializer: Deserializer | None = None,
        timeout: float | None = None,
        n_retries: int = 3,
        retry_backoff_factor: float = 1.0,
        retry_max_jitter: float = 1.0,
        max_in_flight_requests: int = 4,
        response_post_processor: ResponsePostProcessor | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_limit_per_second: RateLimit = "auto",
        rate_limit_max_wait_s: float | None = DEFAULT_RATE_LIMIT_MAX_WAIT_S,
    ) -> None:
        validate_positive_int("n_retries", n_retries, minimum=0)
        validate_non_negative("retry_backoff_factor", retry_backoff_factor)
        validate_non_negative("retry_max_jitter", retry_max_jitter)
        validate_positive_int("max_in_flight_requests", max_in_flight_requests)
        if (
            timeout is not None
            and not isinstance(timeout, httpx.Timeout)
            and validate_non_negative("timeout", timeout) == 0
        ):
            raise ValueError("timeout must be > 0 seconds (None means the 60 s default)")
        if rate_limit_per_second not in (None, "auto") and (
            validate_non_negative("rate_limit_per_second", rate_limit_per_second) == 0  # type: ignore[arg-type]
        ):
            raise ValueError(
                "rate_limit_per_second must be > 0 ('auto': the API's budget; None: no limit)"
            )
        if rate_limit_max_wait_s is not None:
            validate_non_negative("rate_limit_max_wait_s", rate_limit_max_wait_s)
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise TypeError(
                "transport= must be an async httpx transport (httpx.AsyncBaseTransport), "
                f"got {type(transport).__name__}"
            )
        if deserializer is not None and not callable(deserializer):
            raise ValueError("deserializer must be a callable (resource, dict) -> object")
        self._deserializer = deserializer
        self._http = HTTPCore(
            base_url,
            credentials,
            timeout=timeout,
            n_retries=n_retries,
            retry_backoff_factor=retry_backoff_factor,
            retry_max_jitter=retry_max_jitter,
            max_in_flight_requests=max_in_flight_requests,
            response_post_processor=response_post_processor,
            transport=transport,
            rate_limit_per_second=rate_limit_per_second,
            rate_limit_max_wait_s=rate_limit_max_wait_s,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self._http.base_url!r}>"

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root this client talks to, e.g. ``https://acme.rossum.app/api/v1``."""
        return self._http.base_url

    @property
    def limiter(self) -> trio.CapacityLimiter:
        """The client's in-flight cap; ``limiter.statistics()`` shows what is in flight."""
        return self._http.limiter

    @property
    def request_stats(self) -> RequestStats:
        """Requests this client has sent so far, and the 429s among them (live counters)."""
        return self._http.stats

    @property
    def rate_limit(self) -> float | None:
        """The pace the client keeps now, in requests per second (None: not limited).

        Starts at ``rate_limit_per_second``; lowered by 429 answers, recovering as requests
        succeed.
        """
        return self._http.pacer.rate

    async def aclose(self) -> None:
        """Close the connection pool. The client cannot be used afterwards."""
        await self._http.aclose()

    # -- decoding --------------------------------------------------------------------------------

    def _problem(self, response: httpx.Response, exc: Exception | str) -> UnexpectedResponseError:
        """An error for a 2xx answer whose body is not what the API documents."""
        request = response.request
        return UnexpectedResponseError(
            request.method, str(request.url), response.status_code, str(exc)
        )

    def _decode(self, model: type[T], response: httpx.Response) -> T:
        """One object from a response: straight from bytes, or via the custom deserializer."""
        try:
            if self._deserializer is None:
                return cast(T, decoder_for(model).decode(response.content))
            data = _DICT.decode(response.content)
            return cast(T, self._deserializer(resource_of(model), data))
        except DECODE_ERRORS as exc:
            raise self._problem(response, exc) from None

    def _from_answer(self, model: type[T], data: JsonDict, response: httpx.Response) -> T:
        """:meth:`_from_dict` for data built from ``response`` (and sideloads): what does not
        fit the model is an :class:`UnexpectedResponseError` about that answer."""
        try:
            return self._from_dict(model, data)
        except DECODE_ERRORS as exc:
            raise self._problem(response, exc) from None
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise self._problem(response, f"{type(exc).__name__}: {exc}") from None

    def _from_dict(self, model: type[T], data: JsonDict) -> T:
        if self._deserializer is None:
            return msgspec.convert(data, model)
        return cast(T, self._deserializer(resource_of(model), data))

    def _decode_page(
        self,
        model: type[T],
        response: httpx.Response,
        sideloads: Sequence[str] = (),
        prepare: Callable[[JsonDict], JsonDict] | None = None,
    ) -> Page[T]:
        """One page of a list answer; ``prepare`` reshapes each raw item before decoding."""
        try:
            if model is dict and not sideloads and prepare is None:
                # Raw items (generic listings, exports): never through a custom deserializer.
                raw_page = decoder_for(_Envelope[Any]).decode(response.content)
                return cast(Page[T], raw_page.to_page())
            if self._deserializer is None and not sideloads and prepare is None:
                envelope = decoder_for(_Envelope[model]).decode(response.content)  # type: ignore[valid-type]
                return cast(Page[T], envelope.to_page())
            data = _DICT.decode(response.content)
            if sideloads:
                embed_sideloads(data, sideloads)
            raw = msgspec.convert(data, _Envelope[dict[str, Any]])
            page = raw.to_page()
            raw_items = page.items if prepare is None else [prepare(i) for i in page.items]
            if model is dict:
                return cast(Page[T], Page(raw_items, page.total_pages, page.next_url, page.total))
            items = [self._from_dict(model, item) for item in raw_items]
            return Page(items, page.total_pages, page.next_url, page.total)
        except DECODE_ERRORS as exc:
            raise self._problem(response, exc) from None
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            # A custom deserializer or a sideload that does not fit what the API documents.
            raise self._problem(response, f"{type(exc).__name__}: {exc}") from None

    # -- requests at one height ------------------------------------------------------------------

    @staticmethod
    def _at(template: str, **ids: object) -> str:
        """A path with validated ids: ``_at("annotations/{}/start", annotation_id=7)``.

        Each id must be a positive integer (or a string of digits); anything else raises a
        :class:`ValueError` naming the argument, before any request is sent.
        """
        return template.format(*(validate_id(value, name) for name, value in ids.items()))

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request (auth, pace, cap, retries, errors); the response, body read."""
        return await self._http.send(method, path, **kwargs)

    async def _answer(self, method: str, path: str, **kwargs: Any) -> _Answer:
        """Send a request and decode its JSON object, keeping the response for errors."""
        response = await self._http.send(method, path, **kwargs)
        if response.status_code == 204 or not response.content:
            return _Answer({}, response, self)
        try:
            data = _DICT.decode(response.content)
        except DECODE_ERRORS as exc:
            raise self._problem(response, exc) from None
        return _Answer(data, response, self)

    async def _get(self, model: type[T], path: str, params: Mapping[str, Any] | None = None) -> T:
        response = await self._http.send("GET", path, params=params)
        return self._decode(model, response)

    async def _retrieve(self, model: type[T], /, **ident: object) -> T:
        """``GET /<resource>/{id}``; ``ident`` is the one id argument, e.g. ``queue_id=7``."""
        return await self._get(model, self._object_path(model, ident))

    async def _create(self, model: type[T], data: JsonDict) -> T:
        response = await self._http.send("POST", resource_of(model).value, json=data)
        return self._decode(model, response)

    async def _replace(self, model: type[T], data: JsonDict, /, **ident: object) -> T:
        response = await self._http.send("PUT", self._object_path(model, ident), json=data)
        return self._decode(model, response)

    async def _update(self, model: type[T], data: JsonDict, /, **ident: object) -> T:
        response = await self._http.send("PATCH", self._object_path(model, ident), json=data)
        return self._decode(model, response)

    async def _delete(self, model: type[Any], /, **ident: object) -> None:
        await self._http.send("DELETE", self._object_path(model, ident))

    def _object_path(self, model: type[Any], ident: dict[str, object]) -> str:
        ((name, value),) = ident.items()
        return f"{resource_of(model).value}/{validate_id(value, name)}"

    def _window(self) -> int:
        tokens = self._http.limiter.total_tokens
        return int(tokens) if math.isfinite(tokens) else 32

    def _list(
        self,
        model: type[T],
        ordering: Sequence[str] = (),
        *,
        url: str | None = None,
        sideloads: Sequence[str] = (),
        content_schema_ids: Sequence[str] = (),
        method: str = "GET",
        json: Any = None,
        retry_safe: bool | None = None,
        cursor: bool = False,
        max_page_size: int = MAX_PAGE_SIZE,
        prepare: Callable[[JsonDict], JsonDict] | None = None,
        **filters: Any,
    ) -> PageIterator[T]:
        """A page iterator over a list endpoint (page-number paging unless ``cursor``).

        ``max_pages`` in ``filters`` limits the pages read (0 or None: all), as in the official
        client; a ``page`` filter is where reading starts.
        """
        max_pages = filters.pop("max_pages", None)
        if max_pages is not None:
            validate_positive_int("max_pages", max_pages, minimum=0)
        if "page_size" in filters:
            validate_positive_int("page_size", filters["page_size"])
            if filters["page_size"] > max_page_size:
                raise ValueError(
                    f"page_size must be at most {max_page_size} here, got {filters['page_size']}"
                )
        if model is not dict and resource_of(model) in NON_PAGINATED_RESOURCES and url is None:
            # One request with the plain list query (no include_total, no page), no ``next``.
            cursor, max_pages = True, 1
        first_page = filters.pop("page", None)
        if first_page is not None:
            try:
                first_page = int(first_page)
            except (TypeError, ValueError):
                raise ValueError(f"page must be an integer >= 1, got {first_page!r}") from None
            validate_positive_int("page", first_page)
        sideloads = filters.pop("sideloads", sideloads)
        content_schema_ids = filters.pop("content_schema_ids", content_schema_ids)
        path = url if url is not None else resource_of(model).value
        query = list_query(ordering, sideloads, content_schema_ids, filters)
        if first_page is not None:
            query["page"] = first_page
        http = self._http
        upper = method.upper()

        async def send(
            target: str, params: Mapping[str, Any] | None, *, link: bool = False
        ) -> httpx.Response:
            return await http.send(
                upper, target, params=params, json=json, retry_safe=retry_safe, link=link
            )

        async def fetch_page(number: int) -> Page[T]:
            params = dict(query)
            if not cursor:
                params["include_total"] = "true"
                if number != 1 or first_page is not None:
                    params["page"] = number
            response = await send(path, params)
            return self._decode_page(model, response, sideloads, prepare)

        async def fetch_url(next_url: str) -> Page[T]:
            # ``next`` links are absolute and carry the whole query already.
            response = await send(next_url, None, link=True)
            return self._decode_page(model, response, sideloads, prepare)

        return PageIterator(
            fetch_page,
            fetch_url,
            window=self._window,
            first_page=first_page or 1,
            max_pages=max_pages,
            cursor=cursor,
        )


@dataclass(slots=True)
class _Answer:
    """A decoded JSON object and the response it came from (for error reports)."""

    data: JsonDict
    response: httpx.Response
    client: ClientBase

    def problem(self, text: str) -> UnexpectedResponseError:
        """An error saying this answer is not what the API documents."""
        return self.client._problem(self.response, text)
