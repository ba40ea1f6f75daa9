"""CircuitBreaker semantics on a fake clock: free waiting, one half-open probe, doubling cool-downs, give-up."""

from __future__ import annotations

import asyncio

import pytest

from hardgen.llm import BreakerTicket, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, **kwargs: float | None) -> CircuitBreaker:
    options: dict[str, float | None] = {"cooldown_s": 10.0, "give_up_after_s": 120.0, **kwargs}
    return CircuitBreaker(3, clock=clock, **options)  # type: ignore[arg-type]


def trip(b: CircuitBreaker) -> None:
    ticket = BreakerTicket(go=True)
    for _ in range(b.threshold):
        b.record_failure(ticket, "HTTP 500: boom")
    assert b.state == "open"


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


def test_failures_below_the_threshold_and_a_success_keep_it_closed() -> None:
    b = breaker(Clock())
    ticket = BreakerTicket(go=True)
    b.record_failure(ticket, "x")
    b.record_failure(ticket, "x")
    b.record_success(ticket)
    b.record_failure(ticket, "x")
    b.record_failure(ticket, "x")
    assert b.state == "closed" and b.opens == 0


def test_waiting_while_open_is_free_and_one_probe_goes_after_the_cooldown() -> None:
    async def scenario() -> None:
        clock = Clock()
        b = breaker(clock)
        stale = await b.acquire()
        trip(b)
        assert not b.admits(stale)  # taken before the opening: it must not be sent
        waiters = [asyncio.create_task(b.acquire()) for _ in range(5)]
        await settle()
        assert not any(w.done() for w in waiters)  # open: everyone waits
        clock.now = 10.0
        await settle()
        probes = [w for w in waiters if w.done()]
        assert len(probes) == 1 and probes[0].result().probe and probes[0].result().go
        assert b.state == "half_open" and b.admits(probes[0].result())
        b.record_success(probes[0].result())
        await settle()
        tickets = [await w for w in waiters]
        # Everyone goes once the probe succeeded; nobody was told to count a failed attempt.
        assert all(t.go for t in tickets) and sum(t.probe for t in tickets) == 1
        assert b.state == "closed" and b.opens == 1

    asyncio.run(scenario())


def test_a_failed_probe_reopens_with_a_doubled_cooldown_up_to_the_cap() -> None:
    async def scenario() -> None:
        clock = Clock()
        b = breaker(clock, cooldown_max_s=25.0)
        trip(b)
        reopen_times = []
        for _ in range(3):
            clock.now += b.current_cooldown_s
            probe = await asyncio.wait_for(b.acquire(), 1)
            assert probe.probe
            assert b.record_failure(probe, "timeout") is True
            reopen_times.append(b.current_cooldown_s)
        assert reopen_times == [20.0, 25.0, 25.0]
        assert b.opens == 4 and b.state == "open"
        waiter = asyncio.create_task(b.acquire())
        clock.now += 24.0
        await settle()
        assert not waiter.done()
        clock.now += 1.0
        assert (await asyncio.wait_for(waiter, 1)).probe

    asyncio.run(scenario())


def test_default_cap_is_three_cooldowns() -> None:
    assert CircuitBreaker(cooldown_s=10.0).cooldown_max_s == 30.0
    assert CircuitBreaker(cooldown_s=10.0, cooldown_max_s=5.0).cooldown_max_s == 10.0


def test_it_gives_up_on_a_server_whose_probes_fail_for_the_give_up_time() -> None:
    async def scenario() -> None:
        clock = Clock()
        b = breaker(clock, give_up_after_s=60.0)
        trip(b)
        waiters = [asyncio.create_task(b.acquire()) for _ in range(3)]
        probes = 0
        while b.state != "dead":
            clock.now += b.current_cooldown_s
            await settle()
            probe = next(w for w in waiters if w.done())
            waiters.remove(probe)
            b.record_failure(probe.result(), "HTTP 503: overloaded")
            probes += 1
            waiters.append(asyncio.create_task(b.acquire()))
        # Probes 10, 30 and 60 s after the trip: the one at 60 s gives up.
        assert probes == 3 and clock.now == 60.0
        tickets = [await asyncio.wait_for(w, 1) for w in waiters]
        assert not any(t.go for t in tickets)
        assert not (await b.acquire()).go  # and for good
        assert b.gave_up_reason is not None and "60.0 s" in b.gave_up_reason and "HTTP 503" in b.gave_up_reason
        b.record_success(BreakerTicket(go=True))
        assert b.state == "dead"

    asyncio.run(scenario())


def test_a_success_between_probes_resets_the_give_up_clock() -> None:
    async def scenario() -> None:
        clock = Clock()
        b = breaker(clock, give_up_after_s=30.0)
        trip(b)
        clock.now = 10.0
        b.record_failure(await b.acquire(), "x")  # probe fails at 10 s
        b.record_success(BreakerTicket(go=True))  # a request in flight came back fine
        assert b.state == "closed" and b.current_cooldown_s == 10.0
        clock.now = 100.0
        trip(b)
        clock.now = 110.0
        probe = await b.acquire()
        b.record_failure(probe, "x")  # 10 s after this opening: not yet the give-up time
        assert b.state == "open"

    asyncio.run(scenario())


def test_a_probe_failing_after_another_request_closed_the_breaker_is_an_ordinary_failure() -> None:
    async def scenario() -> None:
        clock = Clock()
        b = breaker(clock)
        trip(b)
        clock.now = 10.0
        probe = await b.acquire()
        b.record_success(BreakerTicket(go=True))  # a request sent before the trip came back fine
        assert b.record_failure(probe, "timeout") is False  # then the probe timed out
        assert b.state == "closed" and b.failed_probes == 0 and b.consecutive_failures == 1

    asyncio.run(scenario())


def test_release_of_a_cancelled_probe_lets_the_next_waiter_probe_at_once() -> None:
    async def scenario() -> None:
        clock = Clock()
        b = breaker(clock)
        trip(b)
        clock.now = 10.0
        probe = await b.acquire()
        waiter = asyncio.create_task(b.acquire())
        await settle()
        assert not waiter.done()
        b.release(probe)
        assert (await asyncio.wait_for(waiter, 1)).probe

    asyncio.run(scenario())


def test_give_up_releases_every_waiter() -> None:
    async def scenario() -> None:
        b = breaker(Clock())
        trip(b)
        waiters = [asyncio.create_task(b.acquire()) for _ in range(4)]
        await settle()
        b.give_up("unreachable for 60 s")
        tickets = [await asyncio.wait_for(w, 1) for w in waiters]
        assert not any(t.go for t in tickets) and b.gave_up_reason == "unreachable for 60 s"

    asyncio.run(scenario())


@pytest.mark.parametrize(("kwargs", "message"), [({"threshold": 0}, "threshold"), ({"give_up_after_s": -1}, "give-up")])
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CircuitBreaker(**kwargs)  # type: ignore[arg-type]
