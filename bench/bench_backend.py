"""Throughput of OpenAICompatibleBackend against the loopback server at a fixed latency.

For each concurrency level it sends `max(32, 8 x concurrency)` requests through one backend with
`max_concurrency` = that level, against a server that answers every request after `--latency`
seconds. The ideal rate is concurrency / latency; the ratio says how much of it the client achieves
(1.0: the client adds nothing). Client CPU per request is what bounds the ratio at high concurrency:
`cpu-bound max/s` is the rate one dedicated core could sustain at that cost, and `cpu share` how much
of a core the process actually got (below 1 on a loaded machine).

    python bench/bench_backend.py                 # table
    python bench/bench_backend.py --json          # machine-readable
    python bench/bench_backend.py --transport httpx --server thread

By default the server runs in its own process, so that the client does not share a GIL with it and
the figures measure the backend.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hardgen.llm import ChatRequest, OpenAICompatibleBackend
from hardgen.llm.loopback import LoopbackServer
from hardgen.schema import Message


@contextmanager
def loopback_url(latency_s: float, mode: str) -> Iterator[str]:
    if mode == "thread":
        with LoopbackServer(latency_s=latency_s) as server:
            yield server.url
        return
    proc = subprocess.Popen(
        [sys.executable, "-m", "hardgen.llm.loopback", "--latency", str(latency_s)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"the loopback server process did not start (said {url!r})")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def measure(
    url: str, concurrency: int, requests: int, latency_s: float, lean_http: bool | None
) -> dict[str, Any]:
    backend = OpenAICompatibleBackend(
        url, "loopback", max_concurrency=concurrency, timeout_s=30, max_retries=2, lean_http=lean_http
    )
    try:
        # Warm up: open the connections, so the timed part measures steady state.
        await asyncio.gather(
            *(backend.complete(ChatRequest(messages=[Message.user("warm")])) for _ in range(concurrency))
        )
        batch = [ChatRequest(messages=[Message.user(f"request {i}")]) for i in range(requests)]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        responses = await asyncio.gather(*(backend.complete(r) for r in batch))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    finally:
        await backend.aclose()
    assert len(responses) == requests
    achieved = requests / wall
    ideal = concurrency / latency_s
    return {
        "concurrency": concurrency,
        "requests": requests,
        "seconds": round(wall, 3),
        "requests_per_s": round(achieved, 1),
        "ideal_per_s": round(ideal, 1),
        "ratio": round(achieved / ideal, 3),
        "client_cpu_ms_per_request": round(1000 * cpu / requests, 3),
        # What one dedicated core could sustain at this CPU cost: the ceiling on a machine with no
        # other load (a shared machine gives the process less than a core, and the ratio drops).
        "cpu_bound_max_per_s": round(requests / cpu, 1) if cpu > 0 else None,
        "cpu_share": round(cpu / wall, 2),
        "transport": "lean" if backend.lean_http else "httpx",
    }


async def run_all(
    url: str, levels: list[int], latency_s: float, per_level: int, lean_http: bool | None
) -> list[dict[str, Any]]:
    return [await measure(url, c, max(32, per_level * c), latency_s, lean_http) for c in levels]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="1,16,64,256", help="comma-separated concurrency levels")
    parser.add_argument("--latency", type=float, default=0.1, help="server latency per request, seconds")
    parser.add_argument("--per-level", type=int, default=8, help="requests per level = max(32, this x concurrency)")
    parser.add_argument("--transport", choices=["auto", "lean", "httpx"], default="auto")
    parser.add_argument("--server", choices=["process", "thread"], default="process")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    lean_http = {"auto": None, "lean": True, "httpx": False}[args.transport]
    with loopback_url(args.latency, args.server) as url:
        rows = asyncio.run(run_all(url, levels, args.latency, args.per_level, lean_http))
    if args.json:
        print(
            json.dumps(
                {"latency_s": args.latency, "server": args.server, "cpus": os.cpu_count(), "rows": rows}, indent=2
            )
        )
        return
    print(
        f"OpenAICompatibleBackend vs loopback server ({args.server}), latency {args.latency * 1000:g} ms, {os.cpu_count()} CPUs"
    )
    header = (
        f"{'concurrency':>11} {'requests':>8} {'req/s':>8} {'ideal':>8} {'ratio':>6} "
        f"{'cpu ms/req':>10} {'cpu-bound max/s':>15} {'cpu share':>9} transport"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['concurrency']:>11} {r['requests']:>8} {r['requests_per_s']:>8.1f} {r['ideal_per_s']:>8.1f} "
            f"{r['ratio']:>6.3f} {r['client_cpu_ms_per_request']:>10.3f} {r['cpu_bound_max_per_s'] or 0:>15.1f} "
            f"{r['cpu_share']:>9.2f} {r['transport']}"
        )


if __name__ == "__main__":
    main()
