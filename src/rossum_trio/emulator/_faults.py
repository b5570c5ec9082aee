"""Fault knobs: latency, errors, 429 storms, a rate limit, dropped connections, slow bodies."""

from __future__ import annotations

import math
import random
import re
from collections import deque
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["ConnectionDropped", "Decision", "FaultInjector", "Faults"]


@dataclass
class Faults:
    """Runtime-settable fault knobs. Change attributes at any time; they apply to the next request.

    Random choices use the emulator's seeded generator, so a given seed and request sequence always
    produce the same faults. Requests to ``/auth/login`` are exempt from injected errors and drops
    unless ``affect_login`` is set (the rate limit and latency apply to every request).
    """

    latency_s: float = 0.0
    """Delay before each request is handled (``trio.sleep``)."""
    latency_jitter_s: float = 0.0
    """Extra uniformly random delay in ``[0, latency_jitter_s)``."""
    error_rate: float = 0.0
    """Probability that a request is answered with one of ``error_statuses`` instead."""
    error_statuses: tuple[int, ...] = (500, 502, 503)
    fail_next: int = 0
    """Answer the next N requests with ``fail_status`` (counts down)."""
    fail_status: int = 503
    storm_429: int = 0
    """Answer the next N requests with 429 + ``Retry-After: retry_after_s`` (counts down)."""
    retry_after_s: int = 1
    rate_limit_per_s: float | None = None
    """Requests allowed per second overall (the real API: 10); None disables the limit."""
    drop_rate: float = 0.0
    """Probability that the connection is dropped instead of answered."""
    drop_next: int = 0
    """Drop the next N requests (counts down)."""
    drop_after_processing: bool = False
    """Drop *after* the request took effect (a lost response) instead of before."""
    slow_body_chunk: int = 0
    """If > 0, send response bodies in chunks of this many bytes ..."""
    slow_body_delay_s: float = 0.0
    """... sleeping this long between chunks."""
    token_lifetime_s: float | None = None
    """Lifetime of tokens issued from now on (None: what login asks for, default 162 h)."""
    path_pattern: str | None = None
    """If set, injected errors/drops/latency only hit request paths matching this regex."""
    affect_login: bool = False

    def update(self, **changes: Any) -> None:
        """Set several knobs at once (unknown names raise TypeError)."""
        names = {f.name for f in fields(self)}
        for key, value in changes.items():
            if key not in names:
                raise TypeError(f"unknown fault knob {key!r}")
            if key == "error_statuses" and isinstance(value, list):
                value = tuple(value)
            setattr(self, key, value)

    def reset(self) -> None:
        """Turn every knob back to its default (no faults)."""
        for f in fields(self):
            setattr(self, f.name, f.default)

    def to_dict(self) -> dict[str, Any]:
        """The knobs as a JSON-ready dict."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["error_statuses"] = list(self.error_statuses)
        return out


class ConnectionDropped(Exception):
    """Raised inside the app to make the connection drop (the transport turns it into an error)."""


@dataclass(slots=True)
class Decision:
    """What the injector decided for one request."""

    delay_s: float = 0.0
    status: int | None = None
    retry_after: int | None = None
    drop: bool = False
    drop_after: bool = False


@dataclass
class FaultInjector:
    """Applies :class:`Faults` deterministically (seeded RNG, injectable clock)."""

    faults: Faults
    seed: int = 0
    rng: random.Random = field(init=False)
    _window: deque[float] = field(default_factory=deque, init=False)
    _pattern_src: str | None = field(default=None, init=False)
    _pattern: re.Pattern[str] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _matches(self, path: str) -> bool:
        src = self.faults.path_pattern
        if not src:
            return True
        if src != self._pattern_src:
            self._pattern_src, self._pattern = src, re.compile(src)
        assert self._pattern is not None
        return self._pattern.search(path) is not None

    def decide(self, path: str, now: float, *, is_login: bool) -> Decision:
        """Decide the fate of one request (call once per request, in arrival order)."""
        f = self.faults
        d = Decision()
        # Draw the same amount of randomness for every request so one knob does not shift
        # another knob's sequence.
        r_jitter, r_error, r_status, r_drop = (
            self.rng.random(),
            self.rng.random(),
            self.rng.random(),
            self.rng.random(),
        )
        if f.rate_limit_per_s is not None and f.rate_limit_per_s > 0:
            limited = self._rate_limited(now, f.rate_limit_per_s)
            if limited is not None:
                d.status, d.retry_after = 429, limited
                return d
        if not self._matches(path):
            return d
        d.delay_s = max(0.0, f.latency_s) + max(0.0, f.latency_jitter_s) * r_jitter
        if is_login and not f.affect_login:
            return d
        if f.storm_429 > 0:
            f.storm_429 -= 1
            d.status, d.retry_after = 429, max(0, int(f.retry_after_s))
            return d
        if f.fail_next > 0:
            f.fail_next -= 1
            d.status = f.fail_status
            return d
        if f.drop_next > 0 or (f.drop_rate > 0 and r_drop < f.drop_rate):
            if f.drop_next > 0:
                f.drop_next -= 1
            d.drop, d.drop_after = True, f.drop_after_processing
            return d
        if f.error_rate > 0 and r_error < f.error_rate and f.error_statuses:
            statuses = f.error_statuses
            d.status = statuses[min(int(r_status * len(statuses)), len(statuses) - 1)]
            if d.status == 429:
                d.retry_after = max(0, int(f.retry_after_s))
        return d

    def _rate_limited(self, now: float, per_s: float) -> int | None:
        """Sliding one-second window; returns Retry-After seconds when over the limit."""
        window = self._window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= per_s:
            wait = window[0] + 1.0 - now
            return max(1, math.ceil(wait))
        window.append(now)
        return None
