"""What tool isolation costs: calls per second on the built-in world with calls run inline, on a
worker thread (the default) and in a worker process, plus the cost of building an environment and
of recovering from a timed-out call.

The built-in world makes thousands of calls per run, and the verifier hashes the state after every
replayed call, so both "call" and "call + state_hash" are measured. Each figure is the best of
`--repeat` rounds over every built-in domain's example calls (which succeed from the seed-0 state).

    python bench/bench_tool_isolation.py            # table
    python bench/bench_tool_isolation.py --json     # figures for scripts
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from hardgen.tools import PythonEnvironment
from hardgen.world import all_domains
from hardgen.world._domain import resolve_reference


def _calls(domain: Any) -> list[tuple[str, dict[str, Any]]]:
    return [call for calls in domain.examples.values() for call in calls]


def _run(env: PythonEnvironment, calls: list[tuple[str, dict[str, Any]]], hash_each: bool) -> float:
    """Seconds the calls take from a fresh state (the reset is not timed)."""
    env.reset()
    results: list[Any] = []
    started = time.perf_counter()
    for name, arguments in calls:
        try:
            resolved = resolve_reference(arguments, results)
        except (IndexError, KeyError, TypeError, ValueError):
            resolved = arguments
        obs = env.call(name, resolved)
        results.append(obs.result)
        if hash_each:
            env.state_hash()
    return time.perf_counter() - started


def _environment(domain: Any, isolation: str) -> PythonEnvironment:
    timeout = None if isolation == "inline" else 10.0
    # `isolation` only when asked, so that the same script measures versions without it.
    extra: dict[str, Any] = {} if isolation != "process" else {"isolation": "process"}
    return PythonEnvironment(domain.spec(0), timeout=timeout, **extra)


def measure(isolation: str, hash_each: bool, repeat: int) -> float:
    """Calls per second over every domain's examples."""
    domains = all_domains()
    envs = [(_environment(d, isolation), _calls(d)) for d in domains]
    rates = []
    n = sum(len(calls) for _, calls in envs)
    for _ in range(repeat):
        rates.append(n / sum(_run(env, calls, hash_each) for env, calls in envs))
    for env, _ in envs:
        env.close()
    return max(rates)  # the best round: the least disturbed by other work on the machine


def build_seconds(isolation: str, repeat: int) -> tuple[float, float]:
    """Seconds to build an environment the first time for a source and later (for process
    isolation: a new worker process, then one reused from the pool)."""
    domain = all_domains()[-1]  # not measured before, so its first build is cold
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        _environment(domain, isolation).close()
        times.append(time.perf_counter() - started)
    return times[0], min(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    rows = []
    parser.add_argument("--isolations", default="inline,thread,process")
    args = parser.parse_args()
    for isolation in args.isolations.split(","):
        first, later = build_seconds(isolation, max(1, args.repeat // 2))
        rows.append({
            "isolation": isolation,
            "calls_per_s": round(measure(isolation, False, args.repeat)),
            "calls_with_hash_per_s": round(measure(isolation, True, args.repeat)),
            "first_build_ms": round(1000 * first, 1),
            "build_ms": round(1000 * later, 1),
        })
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'isolation':<10} {'calls/s':>10} {'calls+hash/s':>14} {'first build ms':>16} {'build ms':>10}")
    for r in rows:
        print(f"{r['isolation']:<10} {r['calls_per_s']:>10} {r['calls_with_hash_per_s']:>14} "
              f"{r['first_build_ms']:>16} {r['build_ms']:>10}")


if __name__ == "__main__":
    main()
