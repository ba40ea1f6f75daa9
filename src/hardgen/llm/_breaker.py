"""A circuit breaker shared by every request of one backend, so an ailing server gets a pause, not a storm.

Closed: requests go. After `threshold` consecutive failures (429, 5xx, timeouts, connection errors) it
opens: every request waits for `cooldown_s`. Then it is half-open: exactly one request goes as a
probe while the others keep waiting. The probe's success closes the breaker; its failure opens it
again for another cool-down. Every opening counts as a failed attempt for each request that was
waiting to send at the time, so that when a server stays down all waiting requests run out of
retries together after a few probes, instead of each needing its own series of cool-downs.

The breaker is plain state behind a thread lock (waiting is `asyncio.sleep`), so it does not belong to
one event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

BreakerState = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class BreakerTicket:
    """The breaker's answer to a request that wants to go."""

    go: bool
    """True: send now. False: the breaker (re)opened since the request last looked; count it as a failed attempt."""
    probe: bool = False
    """This request is the half-open probe; its outcome decides the breaker's state."""
    opens: int = 0
    """The breaker's `opens` when the ticket was issued."""


class CircuitBreaker:
    """Consecutive-failure circuit breaker with a cool-down and a single half-open probe."""

    def __init__(
        self,
        threshold: int = 8,
        cooldown_s: float = 10.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError(f"circuit breaker threshold must be at least 1, got {threshold}")
        if cooldown_s < 0:
            raise ValueError(f"circuit breaker cool-down must not be negative, got {cooldown_s}")
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self.state: BreakerState = "closed"
        self.consecutive_failures = 0
        self.opens = 0
        """How many times the breaker has opened (first trip and every failed probe)."""
        self.last_failure: str | None = None
        """What the failure that last counted against the server was."""
        self._open_until = 0.0
        # Waiters poll while a probe is out; the interval is short relative to the cool-down.
        self._poll_s = max(0.002, min(0.05, cooldown_s / 4))

    async def acquire(self, seen_opens: int) -> BreakerTicket:
        """Wait until a request may be sent, or until the breaker has opened more often than `seen_opens`.

        A request passes the `opens` it has already accounted for; when the breaker opened again (a
        probe, or other requests, failed while it waited) it gets a `go=False` ticket and counts that
        as one of its failed attempts.
        """
        while True:
            with self._lock:
                if self.opens != seen_opens:
                    return BreakerTicket(go=False, opens=self.opens)
                if self.state == "closed":
                    return BreakerTicket(go=True, opens=self.opens)
                now = self._clock()
                if self.state == "open" and now >= self._open_until:
                    self.state = "half_open"
                    return BreakerTicket(go=True, probe=True, opens=self.opens)
                # Poll rather than sleep the whole cool-down: an in-flight success may close it early.
                wait = min(self._open_until - now, self._poll_s) if self.state == "open" else self._poll_s
            await asyncio.sleep(max(wait, 0.0))

    def record_success(self, ticket: BreakerTicket) -> None:
        """The server answered (any answer that shows it is alive, a 400 included)."""
        with self._lock:
            self.consecutive_failures = 0
            self.state = "closed"

    def record_failure(self, ticket: BreakerTicket, description: str) -> bool:
        """A retryable failure; returns True when this failure opened the breaker."""
        with self._lock:
            self.consecutive_failures += 1
            self.last_failure = description
            if ticket.probe or (self.state == "closed" and self.consecutive_failures >= self.threshold):
                self.state = "open"
                self._open_until = self._clock() + self.cooldown_s
                self.opens += 1
                return True
            return False

    def release(self, ticket: BreakerTicket) -> None:
        """The request ended with no verdict (cancelled): let the next waiter probe at once."""
        with self._lock:
            if ticket.probe and self.state == "half_open":
                self.state = "open"
                self._open_until = self._clock()
