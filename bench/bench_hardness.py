"""How hard are HardGen's samples for the target agent, next to random-walk and uniform-target ones?

Generates the same number of samples (same seed) on the built-in world with each sampler, evaluates
the model-free target agent on each set the same way (re-execution, DESIGN.md §4) and prints the
comparison: target success rate (lower: harder), gold calls and implicit dependencies per sample,
and yield. Probing is limited (`--max-tools`) so the run takes a few minutes; failure mining runs
once and is shared by the three samplers.

    python bench/bench_hardness.py                      # 40 samples each, all domains
    python bench/bench_hardness.py --samples 20 --domains banking,messaging,travel
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from typing import Any

from hardgen.evaluate import compare_baselines
from hardgen.pipeline import load_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--domains", default=None, help="comma-separated built-in domains (default: all)")
    parser.add_argument("--max-tools", type=int, default=80, help="tools probed in failure mining")
    parser.add_argument("--traces", type=int, default=150, help="traces sampled per sampler")
    parser.add_argument("--out", default=None, help="keep the runs here (default: a temporary directory)")
    args = parser.parse_args()

    source: dict[str, Any] = {"kind": "world"}
    if args.domains:
        source["domains"] = [d.strip() for d in args.domains.split(",") if d.strip()]
    with tempfile.TemporaryDirectory() as scratch:
        config = load_config(None, {
            "out": args.out or scratch, "seed": args.seed, "sources": [source],
            "synthesis.samples": args.samples, "probe.tasks_per_tool": 1, "probe.max_tools": args.max_tools,
            "sampling.traces": args.traces,
        })
        clock = time.perf_counter()
        table = asyncio.run(compare_baselines(config))
        seconds = time.perf_counter() - clock

    print(f"target agent: {table.agent}; {args.samples} samples asked per sampler; seed {args.seed}; "
          f"domains: {args.domains or 'all'}; {seconds:.0f} s")
    header = f"{'sampler':38} {'samples':>7} {'success':>8} {'turns ok':>8} {'calls':>6} {'impl.deps':>9} " \
             f"{'>=1 dep':>8} {'yield':>7}"
    print(header)
    print("-" * len(header))
    for r in table.rows:
        print(f"{r.label:38} {r.samples:>7} {r.success_rate:>8.1%} {r.turn_success_rate:>8.1%} {r.mean_calls:>6.2f} "
              f"{r.mean_implicit_dependencies:>9.2f} {r.share_implicit_ge_1:>8.1%} {r.yield_rate:>7.1%}")


if __name__ == "__main__":
    main()
