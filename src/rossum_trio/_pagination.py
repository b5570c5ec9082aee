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
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rossum_trio._concurrency import open_nursery
from rossum_trio.errors import NotFoundError

T = TypeVar("T")

#: Most pages fetched in one window, whatever the in-flight cap.
MAX_WINDOW = 32


@dataclass(slots=True)
class Page(Generic[T]):
    """One decoded page: its items, the page count if the server said, and the next URL."""

    items: list[T]
    total_pages: int | None = None
    next_url: str | None = None


@dataclass(slots=True)
class _State:
    next_page: int
    last_page: int | None = None  # known after the first page (page-number mode)
    next_url: str | None = None  # cursor mode: where to go next
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
            state.next_url = page.next_url
            state.done = not page.next_url or self._limit_reached()
        else:
            await self._fill_window()

    def _take_first(self, page: Page[T]) -> None:
        state = self._state
        state.pages_fetched = 1
        state.buffer.extend(page.items)
        if self._cursor or page.total_pages is None:
            state.next_url = page.next_url
            state.done = not page.next_url or self._limit_reached()
            return
        last = page.total_pages
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
            if page is None:
                state.done = True
                return
            state.buffer.extend(page.items)
            state.pages_fetched += 1
        state.next_page = numbers[-1] + 1
        state.done = state.next_page > state.last_page
