"""How hard are sampled traces on the built-in world? Legality sampling against the baselines.

For each mode: the share of traces with >= 3 calls and with >= 1 implicit dependency (an argument
fed by an earlier call's output), the paper's measures of hardness (aims: >= 60% and >= 80% for
legality sampling). The graph is built, refined by discovery, then each mode samples from a copy.

    python bench/world_traces.py [--seed 0] [--traces 300] [--domains a,b] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import time

from hardgen.graph import ApiGraph, TraceSampler, discover_prerequisites, trace_share
from hardgen.world import default_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--traces", type=int, default=300)
    parser.add_argument("--domains", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    domains = args.domains.split(",") if args.domains else None
    session = default_world(args.seed, domains, timeout=None)
    graph = ApiGraph.from_session(session)
    discovery = discover_prerequisites(graph, session, seed=args.seed)
    rows = []
    for mode in ("legality", "uniform", "random_walk"):
        started = time.perf_counter()
        sampler = TraceSampler(copy.deepcopy(graph), session, seed=args.seed, mode=mode)  # type: ignore[arg-type]
        traces = sampler.sample_many(args.traces)
        seconds = time.perf_counter() - started
        share = trace_share(traces)
        rows.append({"mode": mode, **share.model_dump(), "seconds": round(seconds, 2),
                     "traces_per_s": round(len(traces) / seconds, 1), "attempts": sampler.stats.attempts,
                     "failed_calls": sampler.stats.failed_calls, "calls": sampler.stats.calls})
    if args.json:
        print(json.dumps({"tools": len(graph), "domains": len(session.environments),
                          "discovery_calls": discovery.calls, "rows": rows}, indent=2))
        return
    print(f"built-in world: {len(graph)} tools in {len(session.environments)} domains, seed {args.seed}, "
          f"{args.traces} traces per mode (discovery: {discovery.calls} calls)")
    print(f"{'mode':<12} {'traces':>6} {'mean len':>8} {'>=3 calls':>9} {'>=1 dep':>8} {'failed calls':>12} {'traces/s':>9}")
    for r in rows:
        print(f"{r['mode']:<12} {r['traces']:>6} {r['mean_length']:>8.2f} {100 * r['at_least_3_calls']:>8.1f}% "
              f"{100 * r['with_dependency']:>7.1f}% {r['failed_calls']:>5}/{r['calls']:<6} {r['traces_per_s']:>9.1f}")


if __name__ == "__main__":
    main()
