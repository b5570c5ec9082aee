"""The pagination engine.

Page-number lists (the API's ``page``/``page_size`` envelope) are read in *windows*: the first
page alone (it tells how many pages there are), then up to N pages at a time, fetched
concurrently in a nursery that is closed before any of their items is handed out. So:

* items come out in server order, each exactly once;
* nothing runs between two ``__anext__`` calls: a consumer that breaks, raises or is cancelled
  leaves no task and no request behind, and the iterator needs no cleanup (no async generator,
  no finaliser, no ResourceWarning);
* memory holds one window of pages at most;
* every request goes through the client's in-flight cap, so N is the cap.

Cursor lists follow ``next`` one page at a time. Lists whose first page gives no
``total_pages`` fall back to following ``next`` too.

Every listing ends, whatever the server sends: a ``next`` link seen before, or an empty page
that still names a ``next``, is an :class:`~rossum_trio.errors.UnexpectedResponseError`; a
``total_pages`` larger than the first page's ``total`` allows is cut down to what it allows;
an empty page ends a page-number list.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar, runtime_checkable

from rossum_trio._concurrency import open_nursery
from rossum_trio.errors import NotFoundError, UnexpectedResponseError

T = TypeVar("T")

#: Most pages fetched in one window, whatever the in-flight cap.
MAX_WINDOW = 32


@runtime_checkable
class Listing(Protocol[T]):
    """What every ``list_*`` method (and search, JSON export, ``request_paginated``) returns.

    An async iterator of items that fetches its pages in windows, plus:

    * ``next_batch()``: the items of the next window at once (``[]`` at the end), for callers
      that drive the listing window by window (the blocking client, ``prefetch``);
    * ``aclose()``: stop the listing (idempotent), as for an async generator, so
      ``contextlib.aclosing(client.list_queues())`` works. Nothing runs between two calls, so
      there is never anything to cancel.
    """

    def __aiter__(self) -> Listing[T]:
        """The listing itself."""
        ...

    async def __anext__(self) -> T:
        """The next item (fetching the next window of pages when needed)."""
        ...

    async def next_batch(self) -> list[T]:
        """The items of the next window of pages; ``[]`` when the listing is exhausted."""
        ...

    async def aclose(self) -> None:
        """Stop the listing: later iteration ends at once."""
        ...


@dataclass(slots=True)
class Page(Generic[T]):
    """One decoded page: its items, the page count and item total if the server said, and
    the next URL."""

    items: list[T]
    total_pages: int | None = None
    next_url: str | None = None
    total: int | None = None


@dataclass(slots=True)
class _State:
    next_page: int
    last_page: int | None = None  # known after the first page (page-number mode)
    next_url: str | None = None  # cursor mode: where to go next
    seen_urls: set[str] = field(default_factory=set)
    pages_fetched: int = 0
    started: bool = False
    done: bool = False
    buffer: deque[object] = field(default_factory=deque)


class PageIterator(Generic[T]):
    """Async iterator over the items of a paginated list (see the module docstring).

    ``fetch_page(n)`` fetches page number ``n``; ``fetch_url(url)`` fetches a page by URL
    (cursor ``next`` links). ``window`` returns how many pages to fetch at once (read at each
    window, so it follows the client's cap). ``cursor=True`` follows ``next`` links only.
    """

    def __init__(
        self,
        fetch_page: Callable[[int], Awaitable[Page[T]]],
        fetch_url: Callable[[str], Awaitable[Page[T]]],
        *,
        window: Callable[[], int],
        first_page: int = 1,
        max_pages: int | None = None,
        cursor: bool = False,
    ) -> None:
        self._fetch_page = fetch_page
        self._fetch_url = fetch_url
        self._window = window
        self._first_page = first_page
        self._max_pages = max_pages or None  # 0 means "all", as in the official client
        self._cursor = cursor
        self._state = _State(next_page=first_page)

    def __aiter__(self) -> PageIterator[T]:
        return self

    async def aclose(self) -> None:
        """Stop the listing (idempotent); later iteration ends at once."""
        self._state.done = True
        self._state.buffer.clear()

    async def __anext__(self) -> T:
        state = self._state
        while not state.buffer:
            if state.done:
                raise StopAsyncIteration
            await self._fill()
        return state.buffer.popleft()  # type: ignore[return-value]

    async def next_batch(self) -> list[T]:
        """Everything buffered, fetching the next window first if nothing is; [] at the end.

        For callers that drive the iterator one window at a time (the sync client).
        """
        state = self._state
        while not state.buffer and not state.done:
            await self._fill()
        items: list[T] = list(state.buffer)  # type: ignore[arg-type]
        state.buffer.clear()
        return items

    def _limit_reached(self) -> bool:
        return self._max_pages is not None and self._state.pages_fetched >= self._max_pages

    async def _fill(self) -> None:
        state = self._state
        if not state.started:
            state.started = True
            page = await self._fetch_page(state.next_page)
            self._take_first(page)
        elif state.last_page is None:
            # Cursor mode, or a server that gave no page count: follow ``next``.
            assert state.next_url is not None
            page = await self._fetch_url(state.next_url)
            state.pages_fetched += 1
            state.buffer.extend(page.items)
            self._follow(page)
        else:
            await self._fill_window()

    def _follow(self, page: Page[T]) -> None:
        """Take ``page``'s ``next`` link as where to go, refusing links that would loop."""
        state = self._state
        state.next_url = page.next_url
        state.done = not page.next_url or self._limit_reached()
        if state.done:
            return
        assert page.next_url is not None
        if page.next_url in state.seen_urls:
            raise UnexpectedResponseError(
                "GET", page.next_url, 200, "the list's next link repeats one already followed"
            )
        if not page.items:
            raise UnexpectedResponseError(
                "GET", page.next_url, 200, "an empty page of the list names a next page"
            )
        state.seen_urls.add(page.next_url)

    def _take_first(self, page: Page[T]) -> None:
        state = self._state
        state.pages_fetched = 1
        state.buffer.extend(page.items)
        if self._cursor or page.total_pages is None:
            self._follow(page)
            return
        last = max(1, page.total_pages)
        if page.total is not None:
            # No more pages than the total allows at this page size (a lying total_pages
            # must not send us reading forever).
            allowed = math.ceil(max(0, page.total) / len(page.items)) if page.items else 1
            last = min(last, max(allowed, self._first_page))
        if self._max_pages is not None:
            last = min(last, self._first_page - 1 + self._max_pages)
        state.last_page = last
        state.next_page += 1
        state.done = state.next_page > last

    async def _fill_window(self) -> None:
        state = self._state
        assert state.last_page is not None
        size = max(1, min(self._window(), MAX_WINDOW))
        numbers = list(range(state.next_page, min(state.next_page + size, state.last_page + 1)))
        pages: list[Page[T] | None] = [None] * len(numbers)

        async def fetch(index: int, number: int) -> None:
            try:
                pages[index] = await self._fetch_page(number)
            except NotFoundError:
                # The list shrank while we read it: this page no longer exists.
                pages[index] = None

        async with open_nursery() as nursery:
            for index, number in enumerate(numbers):
                nursery.start_soon(fetch, index, number)
        for page in pages:
            if page is None or not page.items:
                # Gone (404) or empty: the list ended before the count said.
                state.done = True
                return
            state.buffer.extend(page.items)
            state.pages_fetched += 1
        state.next_page = numbers[-1] + 1
        state.done = state.next_page > state.last_page
