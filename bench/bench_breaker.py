"""Failures with the circuit breaker on and off, against a loopback server with a seeded fault mix.

Each run sends `--requests` distinct requests through one `OpenAICompatibleBackend` at
`--concurrency`, against a fresh loopback server that answers `--errors` of the requests with HTTP
500 and lets `--hangs` of them hang (the client gives up after `--timeout` seconds). The faults are a
`FaultMix`: a hash of the seed, the request body and how often the server has seen it, so every run
meets exactly the same faults on each request's tries, and the breaker is the only difference. The
breaker may delay requests; it must not fail more of them than no breaker does. On a loaded machine
answers that come late also time out (and connects too), in both runs: the `timeout` and
`connection` columns count those together with the scripted hangs.

A last row points the backend at a port nobody listens on: every request must end, with
`ServerUnusableError`, once the server has been unreachable for `--unreachable-after` seconds.

    python bench/bench_breaker.py                      # table (about two minutes)
    python bench/bench_breaker.py --requests 1000 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hardgen.llm import BackendError, ChatRequest, OpenAICompatibleBackend, ServerUnusableError
from hardgen.llm.loopback import FaultMix, LoopbackServer
from hardgen.schema import Message

BREAKER_OFF = 10**9  # a threshold no run reaches


@contextmanager
def faulty_server(errors: float, hangs: float, seed: int, mode: str) -> Iterator[str]:
    if mode == "thread":
        with LoopbackServer(faults=FaultMix({500: errors, "hang": hangs}, seed=seed)) as server:
            yield server.url
        return
    # Its own process by default, so the server does not share a GIL (and a core) with the client.
    command = [sys.executable, "-m", "hardgen.llm.loopback", "--fault-seed", str(seed)]
    command += ["--fault", f"500={errors}", "--fault", f"hang={hangs}"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"the loopback server process did not start (said {url!r})")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def dead_url() -> str:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


async def measure(label: str, url: str, args: argparse.Namespace, *, breaker: bool) -> dict[str, Any]:
    backend = OpenAICompatibleBackend(
        url,
        "loopback",
        max_concurrency=args.concurrency,
        timeout_s=args.timeout,
        max_retries=args.max_retries,
        breaker_threshold=args.threshold if breaker else BREAKER_OFF,
        breaker_cooldown_s=args.cooldown,
        unreachable_after_s=args.unreachable_after,
    )
    batch = [ChatRequest(messages=[Message.user(f"request {i}")]) for i in range(args.requests)]
    started = time.perf_counter()
    try:
        results = await asyncio.gather(*(backend.complete(r) for r in batch), return_exceptions=True)
    finally:
        await backend.aclose()
    wall = time.perf_counter() - started
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, BackendError)]
    if unexpected:
        raise unexpected[0]
    errors = [r for r in results if isinstance(r, BackendError)]
    kinds = Counter(r.kind for r in errors)
    stats = backend.stats
    return {
        "run": label,
        "breaker": "on" if breaker else "off",
        "requests": args.requests,
        "failed": len(errors),
        "timeout": kinds["timeout"],
        "status": kinds["status"],
        "connection": kinds["connection"],
        "circuit_open": kinds["circuit_open"],
        "unusable": sum(isinstance(r, ServerUnusableError) for r in errors),
        "http_requests": stats.http_requests,
        "breaker_opens": stats.breaker_opens,
        "seconds": round(wall, 1),
    }


async def run_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    mix = f"{args.errors:.0%} 500s, {args.hangs:.0%} hangs"
    for breaker in (False, True):
        with faulty_server(args.errors, args.hangs, args.seed, args.server) as url:
            rows.append(await measure(mix, url, args, breaker=breaker))
    if not args.skip_dead:
        rows.append(await measure("dead port", dead_url(), args, breaker=True))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--errors", type=float, default=0.10, help="share of answers that are HTTP 500")
    parser.add_argument("--hangs", type=float, default=0.05, help="share of answers that never come")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault mix")
    parser.add_argument("--timeout", type=float, default=1.0, help="client timeout_s (what a hang costs)")
    parser.add_argument("--max-retries", type=int, default=4)
    parser.add_argument("--threshold", type=int, default=8, help="breaker threshold (the backend's default)")
    parser.add_argument("--cooldown", type=float, default=10.0, help="breaker cool-down (the backend's default)")
    parser.add_argument("--unreachable-after", type=float, default=60.0, help="seconds a dead server gets")
    parser.add_argument("--skip-dead", action="store_true", help="leave out the dead-port row")
    parser.add_argument("--server", choices=["process", "thread"], default="process")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    rows = asyncio.run(run_all(args))
    if args.json:
        print(json.dumps({"settings": vars(args), "cpus": os.cpu_count(), "rows": rows}, indent=2))
        return
    print(
        f"Circuit breaker, {args.requests} requests at concurrency {args.concurrency}, timeout_s {args.timeout:g}, "
        f"max_retries {args.max_retries}, threshold {args.threshold}, cool-down {args.cooldown:g} s, "
        f"seed {args.seed}, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'run':<22} {'breaker':>7} {'requests':>8} {'failed':>6} {'timeout':>7} {'status':>6} {'connection':>10} "
        f"{'circuit_open':>12} {'unusable':>8} {'http reqs':>9} {'opens':>5} {'seconds':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['run']:<22} {r['breaker']:>7} {r['requests']:>8} {r['failed']:>6} {r['timeout']:>7} "
            f"{r['status']:>6} {r['connection']:>10} {r['circuit_open']:>12} {r['unusable']:>8} {r['http_requests']:>9} "
            f"{r['breaker_opens']:>5} {r['seconds']:>7.1f}"
        )
    off, on = rows[0], rows[1]
    verdict = "ok" if on["failed"] <= off["failed"] else "WORSE"
    print(f"\nbreaker on failed {on['failed']}, off {off['failed']}: {verdict}")


if __name__ == "__main__":
    main()
