"""Fault knobs (validated), the rate limit, and the injector that applies them per request."""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["REAL_RATE_LIMIT_PER_S", "ConnectionDropped", "Decision", "FaultInjector", "Faults"]

REAL_RATE_LIMIT_PER_S = 10.0
"""The real API's overall budget ("10 reqs / second"); the loopback server's default."""


def _number(low: float, high: float = math.inf, *, null: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"must be a number, got {value!r}")
        if not (math.isfinite(value) and low <= value <= high):
            bound = f"between {low:g} and {high:g}" if math.isfinite(high) else f">= {low:g}"
            raise ValueError(f"must be {bound}, got {value!r}")
        return value

    return check


def _count(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a whole number >= 0, got {value!r}")
    return value


def _status(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise ValueError(f"must be an HTTP error status (400-599), got {value!r}")
    return value


def _statuses(value: Any) -> Any:
    if not isinstance(value, list | tuple):
        raise ValueError(f"must be a list of HTTP error statuses, got {value!r}")
    return tuple(_status(v) for v in value)


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r}")
    return value


def _pattern(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"must be a regular expression, got {value!r}")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression: {exc}") from None
    return value


_KNOBS: dict[str, Callable[[Any], Any]] = {
    "latency_s": _number(0, 3600),
    "latency_jitter_s": _number(0, 3600),
    "error_rate": _number(0, 1),
    "error_statuses": _statuses,
    "fail_next": _count,
    "fail_status": _status,
    "storm_429": _count,
    "retry_after_s": _count,
    "rate_limit_per_s": _number(0, null=True),
    "drop_rate": _number(0, 1),
    "drop_next": _count,
    "drop_after_processing": _flag,
    "slow_body_chunk": _count,
    "slow_body_delay_s": _number(0, 3600),
    "token_lifetime_s": _number(0, null=True),
    "path_pattern": _pattern,
    "affect_login": _flag,
}


class FaultError(ValueError):
    """A fault knob was given an invalid value; ``knob`` names it."""

    def __init__(self, knob: str, message: str) -> None:
        super().__init__(f"{knob} {message}")
        self.knob = knob


@dataclass
class Faults:
    """Runtime-settable fault knobs. Change attributes at any time; they apply to the next request.

    Every assignment is validated (a bad value raises :class:`ValueError` naming the knob and
    changes nothing). Random choices use the emulator's seeded generator, so a given seed and
    request sequence always produce the same faults. Requests to ``/auth/login`` are exempt from
    injected errors and drops unless ``affect_login`` is set (the rate limit and latency apply to
    every request).
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
    """Requests allowed per second overall; beyond it 429 + ``Retry-After``. ``None``: the
    default of the way in (the loopback server: the real API's 10/s; in-process: unlimited);
    ``0``: unlimited."""
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

    def __setattr__(self, name: str, value: Any) -> None:
        check = _KNOBS.get(name)
        if check is not None:
            try:
                value = check(value)
            except ValueError as exc:
                raise FaultError(name, str(exc)) from None
        object.__setattr__(self, name, value)

    def update(self, **changes: Any) -> None:
        """Set several knobs at once: all or nothing (unknown names raise TypeError, invalid
        values :class:`ValueError` naming the knob)."""
        checked = {}
        for key, value in changes.items():
            if key not in _KNOBS:
                raise TypeError(f"unknown fault knob {key!r}")
            try:
                checked[key] = _KNOBS[key](value)
            except ValueError as exc:
                raise FaultError(key, str(exc)) from None
        for key, value in checked.items():
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

    def decide(
        self, path: str, now: float, *, is_login: bool, default_rate: float | None = None
    ) -> Decision:
        """Decide the fate of one request (call once per request, in arrival order).

        ``default_rate`` is the rate limit of the way in, used while ``rate_limit_per_s`` is None.
        """
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
        rate = f.rate_limit_per_s if f.rate_limit_per_s is not None else default_rate
        if rate is not None and rate > 0:
            limited = self._rate_limited(now, rate)
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
