"""Client-wide flow control: keep every request of a client within the API's rate budget.

The Rossum API allows about 10 requests per second and answers ``429`` with ``Retry-After``
beyond that. A :class:`Pacer` spaces the requests of one client (whatever task sends them) at
its current rate, and adapts, in the manner of the adaptive retry modes of the big cloud SDKs:

* a ``429`` pauses the whole client until ``Retry-After`` has passed, and lowers the rate
  (multiplicatively, once per throttling episode);
* each answered request raises the rate again a little (additively), up to the ceiling.

With no ceiling (``rate_limit_per_second=None``, or an in-process transport) requests are not
spaced at all until the first ``429``; from then on the pacer works from the rate it measured.

Times are kept on trio's clock (so tests can use ``autojump_clock``). trio's clock is per
``trio.run``; when a new run starts (the blocking client runs each call in its own), the
pacer carries its state over by the real time that passed, so pacing holds across calls.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Final

import trio

#: The rate a throttled client never goes below (requests per second).
MIN_RATE: Final = 0.5
#: Multiplier applied to the rate on a 429 (once per throttling episode).
DECREASE: Final = 0.7
#: Share of the ceiling given back per answered request (no ceiling: share of the rate).
RECOVERY: Final = 0.01
#: Pause when a 429 carries no usable ``Retry-After``.
DEFAULT_PAUSE_S: Final = 1.0
#: Window over which the sending rate is measured (seconds).
_MEASURE_S: Final = 1.0


class Pacer:
    """Spaces requests at a rate that adapts to ``429`` answers (see the module docstring).

    ``ceiling`` is the most requests per second ever sent (None: no ceiling).
    """

    def __init__(self, ceiling: float | None) -> None:
        self.ceiling = ceiling
        #: Current rate in requests per second (None: not limited).
        self.rate: float | None = ceiling
        self._next_slot = -math.inf
        self._pause_until = -math.inf
        self._sent: deque[float] = deque()
        self._run: object = None
        self._offset = 0.0  # trio clock minus time.monotonic(), in the run last seen

    # -- clock -----------------------------------------------------------------------------------

    def _now(self) -> float:
        run = trio.lowlevel.current_trio_token()
        now = trio.current_time()
        if run is not self._run:
            offset = now - time.monotonic()
            if self._run is not None:
                shift = offset - self._offset
                self._next_slot += shift
                self._pause_until += shift
                self._sent = deque(t + shift for t in self._sent)
            self._run, self._offset = run, offset
        return now

    # -- sending ---------------------------------------------------------------------------------

    @property
    def paused_for(self) -> float:
        """Seconds left of the current 429 pause (0 when not paused)."""
        return max(0.0, self._pause_until - self._now())

    async def wait_turn(self) -> None:
        """Wait until this client may send its next request, and claim that moment."""
        while True:
            now = self._now()
            slot = max(now, self._pause_until)
            if self.rate is not None:
                slot = max(slot, self._next_slot)
                self._next_slot = slot + 1.0 / self.rate
            if slot <= now:
                break
            await trio.sleep_until(slot)
            if self._pause_until <= self._now():
                break
            # A 429 paused the client while this task slept: queue up again behind the pause.
        self._record(self._now())

    def _record(self, now: float) -> None:
        self._sent.append(now)
        while self._sent and self._sent[0] < now - _MEASURE_S:
            self._sent.popleft()

    def _measured_rate(self, now: float) -> float:
        recent = [t for t in self._sent if t >= now - _MEASURE_S]
        return len(recent) / _MEASURE_S

    # -- feedback --------------------------------------------------------------------------------

    def on_answer(self) -> None:
        """A request was answered without throttling: recover a little of the rate."""
        if self.rate is None:
            return
        step = RECOVERY * (self.ceiling if self.ceiling is not None else self.rate)
        self.rate += step
        if self.ceiling is not None:
            self.rate = min(self.rate, self.ceiling)

    def on_throttled(self, retry_after: float | None) -> float:
        """A 429 arrived: pause the client and, on a new episode, lower the rate.

        Returns the pause in seconds. Concurrent 429s of one episode (those arriving while the
        client is already paused) lower the rate only once.
        """
        now = self._now()
        pause = DEFAULT_PAUSE_S if retry_after is None else retry_after
        if now >= self._pause_until:
            current = self.rate if self.rate is not None else self._measured_rate(now)
            self.rate = max(MIN_RATE, DECREASE * max(current, MIN_RATE))
        until = now + pause
        if until > self._pause_until:
            self._pause_until = until
            # Slots claimed before the pause are void: requests queue up again behind it.
            self._next_slot = until
        return pause
