"""A circuit breaker shared by every request of one backend, so an ailing server gets a pause, not a storm.

Closed: requests go. After `threshold` consecutive failures (429, 5xx, timeouts, connection errors) it
opens: requests that want to send wait for the cool-down. Then it is half-open: exactly one request
goes as a probe while the others keep waiting. The probe's success (or any other answer that shows
the server is alive, from a request that was already in flight) closes the breaker; the probe's
failure opens it again, for a cool-down twice as long as the last one (up to `cooldown_max_s`, by
default three times `cooldown_s`).

Waiting is free: a request that waits while the breaker is open spends none of its retries, because
it sent nothing; only attempts that were actually sent count against a request's `max_retries`. That
is what keeps a burst of timeouts on a healthy server from failing the requests queued behind it.
What bounds the wait on a server that stays down is the breaker itself: when the breaker has stayed
open for `give_up_after_s` since it first opened and a probe fails after that, it gives up on the
server for good (`dead`); every waiting and every later request then gets a `go=False` ticket and
the backend raises `ServerUnusableError`. The backend can also give up on the server itself
(`give_up`), e.g. when it has been unreachable too long, which releases the waiters the same way.

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

BreakerState = Literal["closed", "open", "half_open", "dead"]


@dataclass(frozen=True)
class BreakerTicket:
    """The breaker's answer to a request that wants to go."""

    go: bool
    """True: send now. False: the breaker gave up on the server (`dead`); send nothing, fail the request."""
    probe: bool = False
    """This request is the half-open probe; its outcome decides the breaker's state."""
    opens: int = 0
    """The breaker's `opens` when the ticket was issued (a ticket from before an opening is stale)."""


class CircuitBreaker:
    """Consecutive-failure circuit breaker: cool-downs that double, one half-open probe, a bounded give-up."""

    def __init__(
        self,
        threshold: int = 8,
        cooldown_s: float = 10.0,
        *,
        cooldown_max_s: float | None = None,
        give_up_after_s: float | None = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if threshold < 1:
            raise ValueError(f"circuit breaker threshold must be at least 1, got {threshold}")
        if cooldown_s < 0:
            raise ValueError(f"circuit breaker cool-down must not be negative, got {cooldown_s}")
        if give_up_after_s is not None and give_up_after_s < 0:
            raise ValueError(f"circuit breaker give-up time must not be negative, got {give_up_after_s}")
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        # Three cool-downs at most by default: with 10 s, probes 10, 30, 60, 90, 120 s after the trip.
        self.cooldown_max_s = max(cooldown_s * 3 if cooldown_max_s is None else cooldown_max_s, cooldown_s)
        self.give_up_after_s = give_up_after_s
        """Seconds open (since the first opening, no success since) after which a failed probe gives up."""
        self._clock = clock
        self._lock = threading.Lock()
        self.state: BreakerState = "closed"
        self.consecutive_failures = 0
        self.opens = 0
        """How many times the breaker has opened (first trip and every failed probe)."""
        self.failed_probes = 0
        """Probes that failed since the breaker last closed."""
        self.last_failure: str | None = None
        """What the failure that last counted against the server was."""
        self.gave_up_reason: str | None = None
        """Why the breaker gave up on the server (set when `state` is `dead`)."""
        self.opened_at: float | None = None
        """When the breaker first opened since it was last closed (None while closed)."""
        self._open_until = 0.0
        self._cooldown = cooldown_s
        # Waiters poll while a probe is out; the interval is short relative to the cool-down.
        self._poll_s = max(0.002, min(0.05, cooldown_s / 4))

    @property
    def current_cooldown_s(self) -> float:
        """The cool-down of the current (or next) opening."""
        return self._cooldown

    async def acquire(self) -> BreakerTicket:
        """Wait (for free) until a request may be sent; a `go=False` ticket means the breaker gave up."""
        while True:
            with self._lock:
                if self.state == "dead":
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

    def admits(self, ticket: BreakerTicket) -> bool:
        """Whether `ticket` still lets its request go (it did not open in between, unless this is the probe)."""
        with self._lock:
            if self.state == "dead":
                return False
            return ticket.probe or (self.state == "closed" and self.opens == ticket.opens)

    def record_success(self, ticket: BreakerTicket) -> None:
        """The server answered (any answer that shows it is alive, a 400 included)."""
        with self._lock:
            if self.state == "dead":
                return
            self.consecutive_failures = 0
            self.failed_probes = 0
            self.state = "closed"
            self.opened_at = None
            self._cooldown = self.cooldown_s

    def record_failure(self, ticket: BreakerTicket, description: str) -> bool:
        """A retryable failure; returns True when this failure (re)opened the breaker."""
        with self._lock:
            if self.state == "dead":
                return False
            self.consecutive_failures += 1
            self.last_failure = description
            now = self._clock()
            # A probe's verdict counts only while the breaker waits for it: a request already in flight
            # may have closed the breaker meanwhile, and then this is an ordinary failure.
            if ticket.probe and self.state == "half_open" and self.opened_at is not None:
                self.failed_probes += 1
                open_for = now - self.opened_at
                if self.give_up_after_s is not None and open_for >= self.give_up_after_s:
                    self.state = "dead"
                    self.gave_up_reason = (
                        f"it failed every request for {open_for:.1f} s ({self.failed_probes} probes after "
                        f"{self.threshold} consecutive failures), last: {description}"
                    )
                    return False
                self._cooldown = min(self.cooldown_max_s, max(self._cooldown, self.cooldown_s) * 2)
                self._open(now)
                return True
            if self.state == "closed" and self.consecutive_failures >= self.threshold:
                self.opened_at = now
                self._open(now)
                return True
            return False

    def release(self, ticket: BreakerTicket) -> None:
        """The request ended with no verdict (cancelled, or not sent): let the next waiter probe at once."""
        with self._lock:
            if ticket.probe and self.state == "half_open":
                self.state = "open"
                self._open_until = self._clock()

    def probe_by(self, when: float) -> None:
        """Let the next probe go no later than `when` (on the breaker's clock), cutting a cool-down short.

        For a caller with its own deadline on the server (the backend's bound on how long it may be
        unreachable): a probe right at the deadline tells it whether to give up, instead of waiting out
        a longer cool-down first.
        """
        with self._lock:
            if self.state == "open":
                self._open_until = min(self._open_until, when)

    def give_up(self, reason: str) -> None:
        """Stop sending to this server for good (the backend found it unusable); waiters are released."""
        with self._lock:
            if self.state != "dead":
                self.state = "dead"
                self.gave_up_reason = reason

    def _open(self, now: float) -> None:
        self.state = "open"
        self._open_until = now + self._cooldown
        self.opens += 1
