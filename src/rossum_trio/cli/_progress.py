"""Progress on stderr, honest about waiting: rich bars on a terminal, plain lines otherwise.

A :class:`Display` has one stage per bar (``uploaded``, ``imported``, ``exported``), each
counted out of a known total. Retries and rate-limit pauses are shown as they happen ("retrying
in 2 s (503 from GET /api/v1/queues/8199)", "paused 1 s by the API's rate limit (429)"),
never as bare log lines. :func:`run_guarded` runs the work until it is done, Ctrl-C or the
``--timeout``, whichever comes first, and says which.
"""

from __future__ import annotations

import contextlib
import math
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TextIO

import stamina.instrumentation
import trio

from rossum_trio._client import AsyncRossumAPIClient
from rossum_trio._concurrency import open_nursery
from rossum_trio.cli._connect import describe

#: Seconds between two plain progress lines.
PLAIN_INTERVAL_S = 2.0
#: Seconds between two refreshes of the terminal display.
TICK_S = 0.2


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class Display:
    """Plain progress: a line every few seconds, and one per event (pipes, logs, no rich)."""

    def __init__(self, stream: TextIO, client: AsyncRossumAPIClient | None = None) -> None:
        self.stream = stream
        self.client = client
        self.started = time.monotonic()
        self.stages: dict[str, list[int]] = {}  # name -> [done, total, done at the start]
        self._stage_started: dict[str, float] = {}
        self._last_line = self.started
        self._printed: tuple[tuple[int, int], ...] = ()
        self._rate_limited = 0
        self._events: dict[str, float] = {}

    # -- what the work reports -------------------------------------------------------------------

    def add_stage(self, name: str, total: int, done: int = 0) -> None:
        """A new bar: ``done`` of ``total``."""
        self.stages[name] = [done, total, done]
        self._stage_started[name] = time.monotonic()

    def update(self, name: str, done: int) -> None:
        """Set a stage's count."""
        if name in self.stages:
            self.stages[name][0] = done

    def advance(self, name: str, count: int = 1) -> None:
        """Add to a stage's count."""
        if name in self.stages:
            self.stages[name][0] += count

    def event(self, text: str) -> None:
        """Something worth seeing now (a retry, a pause); repeats within 1 s are dropped."""
        now = time.monotonic()
        if now - self._events.get(text, -math.inf) < 1.0:
            return
        self._events[text] = now
        self.show_event(text)

    def note(self, text: str) -> None:
        """A line that stays (e.g. one file's failure)."""
        self.stream.write(text + "\n")
        self.stream.flush()

    # -- rendering -------------------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds since the display started."""
        return time.monotonic() - self.started

    def show_event(self, text: str) -> None:
        """Print an event (plain: its own line)."""
        self.note(f"[{_clock(self.elapsed()):>5}] {text}")

    def rate(self, name: str) -> tuple[float, float] | None:
        """A stage's pace in items per second since it began (done in this run only), and
        the seconds left at that pace; None until it has moved (or once it is complete)."""
        done, total, first = self.stages[name]
        spent = time.monotonic() - self._stage_started[name]
        if not first < done < total or spent <= 0:
            return None
        pace = (done - first) / spent
        return pace, (total - done) / pace

    def status(self) -> str:
        """The stages as one line: ``uploaded 16/200 (3.8/s, ETA 48 s) · imported 3/200``."""
        parts = []
        for name, (done, total, _) in self.stages.items():
            part = f"{name} {done}/{total}"
            pace = self.rate(name)
            if pace is not None:
                part += f" ({pace[0]:.1f}/s, ETA {_clock(pace[1])})"
            parts.append(part)
        return " · ".join(parts)

    def tick(self) -> None:
        """Called every :data:`TICK_S`: notice 429 pauses; print a line when due."""
        self._watch_rate_limit()
        counts = tuple((d, t) for d, t, _ in self.stages.values())
        if counts != self._printed and time.monotonic() - self._last_line >= PLAIN_INTERVAL_S:
            self._print_status(counts)

    def _print_status(self, counts: tuple[tuple[int, int], ...]) -> None:
        self._last_line = time.monotonic()
        self._printed = counts
        if counts:
            self.note(f"[{_clock(self.elapsed()):>5}] {self.status()}")

    def _watch_rate_limit(self) -> None:
        if self.client is None:
            return
        count = self.client.request_stats.rate_limited
        if count > self._rate_limited:
            pause = self.paused_for()
            self.event(f"paused {max(1, math.ceil(pause))} s by the API's rate limit (429)")
        self._rate_limited = count

    def paused_for(self) -> float:
        """Seconds left of the client's current 429 pause."""
        if self.client is None or not trio.lowlevel.in_trio_run():
            return 0.0
        return self.client._http.pacer.paused_for

    async def run_ticker(self) -> None:
        """Refresh until cancelled."""
        while True:
            self.tick()
            await trio.sleep(TICK_S)

    def start(self) -> None:
        """Begin showing progress."""

    def close(self) -> None:
        """Stop showing progress; plain: a last line if anything changed."""
        counts = tuple((d, t) for d, t, _ in self.stages.values())
        if counts != self._printed:
            self._print_status(counts)


class RichDisplay(Display):
    """Live bars on a terminal (rich): count, rate, elapsed time and ETA per stage, and a status
    line with the request count, the pace, and any pause or retry."""

    def __init__(
        self,
        stream: TextIO,
        client: AsyncRossumAPIClient | None = None,
        *,
        console: Any = None,
    ) -> None:
        super().__init__(stream, client)
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        display = self
        self._tasks: dict[str, Any] = {}
        self._last_event: tuple[str, float] | None = None

        class _Progress(Progress):
            def get_renderables(self) -> Iterator[Any]:
                yield from super().get_renderables()
                line = display.status_line()
                if line:
                    yield line

        self.console = console if console is not None else Console(file=stream)
        self.progress = _Progress(
            TextColumn("{task.description:>9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]:>8}"),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            TextColumn("ETA {task.fields[eta]}"),
            console=self.console,
            auto_refresh=False,
            redirect_stdout=False,
        )

    def add_stage(self, name: str, total: int, done: int = 0) -> None:
        super().add_stage(name, total, done)
        self._tasks[name] = self.progress.add_task(
            name, total=total, completed=done, rate="", eta="-:--"
        )

    def _sync(self, name: str) -> None:
        task_id = self._tasks.get(name)
        if task_id is None:
            return
        done, total, _ = self.stages[name]
        pace = self.rate(name)
        rate = f"{pace[0]:.1f}/s" if pace else ""
        eta = _clock(pace[1]) if pace else ("0 s" if done >= total else "-:--")
        self.progress.update(task_id, completed=done, rate=rate, eta=eta)

    def update(self, name: str, done: int) -> None:
        super().update(name, done)
        self._sync(name)

    def advance(self, name: str, count: int = 1) -> None:
        super().advance(name, count)
        self._sync(name)

    def note(self, text: str) -> None:
        self.progress.console.print(text, markup=False, highlight=False)

    def show_event(self, text: str) -> None:
        self._last_event = (text, time.monotonic())
        self.progress.refresh()

    def status_line(self) -> str:
        """Requests, pace and the latest pause or retry."""
        parts = []
        if self.client is not None:
            stats = self.client.request_stats
            parts.append(f"{stats.requests} requests")
            if self.client.rate_limit is not None:
                parts.append(f"pace {self.client.rate_limit:.1f} req/s")
            if stats.rate_limited:
                parts.append(f"429 answers: {stats.rate_limited}")
            paused = self.paused_for()
            if paused > 0:
                parts.append(f"paused {paused:.1f} s more by the API's rate limit (429)")
        if self._last_event is not None and time.monotonic() - self._last_event[1] < 5:
            parts.append(self._last_event[0])
        return " · ".join(parts)

    def tick(self) -> None:
        # 429 pauses show live on the status line ("paused 0.8 s more ..."): no event.
        for name in self._tasks:
            self._sync(name)  # the pace and ETA move with time, not only with counts
        self.progress.refresh()

    def start(self) -> None:
        self.progress.start()

    def close(self) -> None:
        self.progress.refresh()
        self.progress.stop()


def make_display(
    stream: TextIO, client: AsyncRossumAPIClient | None, *, plain: bool = False
) -> Display:
    """Rich bars when ``stream`` is a terminal and rich is installed; plain lines otherwise."""
    if not plain and stream.isatty():
        try:
            return RichDisplay(stream, client)
        except ImportError:
            pass
    return Display(stream, client)


@contextlib.contextmanager
def retries_shown_on(display: Display, *, verbose: bool = False) -> Iterator[None]:
    """Within the block, stamina's retries are events of ``display`` (with ``verbose``, also
    stamina's log lines)."""
    before = stamina.instrumentation.get_on_retry_hooks()

    def on_retry(details: stamina.instrumentation.RetryDetails) -> None:
        display.event(f"retrying in {details.wait_for:.1f} s ({describe(details.caused_by)})")

    hooks: list[Any] = [on_retry]
    if verbose:
        hooks.append(stamina.instrumentation.LoggingOnRetryHook)
    stamina.instrumentation.set_on_retry_hooks(hooks)
    try:
        yield
    finally:
        stamina.instrumentation.set_on_retry_hooks(before)


async def run_guarded(
    work: Callable[[], Awaitable[None]],
    *,
    timeout: float | None,
    display: Display | None = None,
    finish: Callable[[str | None], None] | None = None,
) -> str | None:
    """Run ``work`` until it ends, Ctrl-C (SIGINT) or ``timeout`` seconds.

    Returns None when it ended by itself, ``"interrupt"`` or ``"timeout"`` when it was
    stopped (cancelled cleanly: what it did stays where it recorded it). ``finish(reason)``
    runs afterwards while a further Ctrl-C is still held back (for the summary and report).
    Exceptions of ``work`` propagate (one error, never a group).
    """
    reason: str | None = None

    async def watch(signals: Any, scope: trio.CancelScope) -> None:
        nonlocal reason
        async for _ in signals:
            reason = "interrupt"
            scope.cancel()
            return

    with contextlib.ExitStack() as stack:
        try:
            signals = stack.enter_context(trio.open_signal_receiver(signal.SIGINT))
        except (RuntimeError, ValueError):  # not the main thread: Ctrl-C stays trio's
            signals = None
        with trio.CancelScope() as scope:
            if timeout is not None:
                scope.deadline = trio.current_time() + timeout
            async with open_nursery() as nursery:
                if signals is not None:
                    nursery.start_soon(watch, signals, scope)
                if display is not None:
                    nursery.start_soon(display.run_ticker)
                try:
                    await work()
                finally:
                    nursery.cancel_scope.cancel()
        if scope.cancelled_caught and reason is None:
            reason = "timeout"
        if display is not None:
            display.close()
        if finish is not None:
            finish(reason)
    return reason
