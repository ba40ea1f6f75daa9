"""Benchmark of `generate` with the model-free roles on the built-in world: verified samples per
second of the synthesis phase on one core, and peak memory for runs of different sizes.

How it measures:
1. Phase I (graph, probe, traces, advanced tool library) runs once into a prepared run directory;
   its phase times are reported apart.
2. A large pool of units is planned from that library with `plan_units`, exactly as `generate`
   does, and copied into one run directory per size with `synthesis.samples` set to that size.
3. Each size runs in a fresh subprocess pinned to one CPU core: `generate(resume=True)` finds
   Phase I on disk and runs only synthesis (reason, verify, write). The subprocess reports the
   synthesis seconds from the manifest and its peak RSS (`ru_maxrss`). A size-0 run gives the
   baseline RSS (interpreter, world, graph, library and unit pool loaded, nothing synthesised).

Peak memory that does not grow from the smallest to the largest size shows that samples are
streamed to disk, not kept.

    python bench/bench_generate.py                      # sizes 1000 and 10000
    python bench/bench_generate.py --sizes 200,1000     # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hardgen.graph import ApiGraph
from hardgen.pipeline import dump_config, generate, iter_jsonl, load_config, plan_units, unit_seed
from hardgen.synth import AdvancedTool

_CHILD = r"""
import asyncio, json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from hardgen.pipeline import generate, load_config
run = sys.argv[1]
start = time.perf_counter()
manifest = asyncio.run(generate(load_config(run + "/config.yaml", overrides={"out": run}), resume=True))
print(json.dumps({"samples": manifest.samples, "rejected": manifest.rejected,
                  "synthesis_s": manifest.phase_seconds.get("synthesis", 0.0),
                  "wall_s": time.perf_counter() - start,
                  "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PHASE_ONE_FILES = ("graph.json", "failures.json", "traces.jsonl", "advanced_tools.jsonl")


def prepare(root: Path, traces: int, domains: list[str] | None, seed: int) -> tuple[Path, dict[str, float]]:
    """Phase I once, into root/prepared (graph, probe, traces, library)."""
    out = root / "prepared"
    sources = [{"kind": "world", "domains": domains}] if domains else [{"kind": "world"}]
    config = load_config(overrides={"out": str(out), "seed": seed, "sources": sources, "sampling.traces": traces,
                                    "probe.tasks_per_tool": 1, "synthesis.samples": 1})
    manifest = asyncio.run(generate(config))
    return out, manifest.phase_seconds


def make_run(prepared: Path, root: Path, size: int, units_pool: list[str]) -> Path:
    """A run directory whose Phase I is done and whose unit pool is the shared one."""
    run = root / f"size-{size}" / "run"
    run.mkdir(parents=True)
    for name in PHASE_ONE_FILES:
        shutil.copy(prepared / name, run / name)
    config = load_config(prepared / "config.yaml", overrides={"out": str(run), "synthesis.samples": size})
    (run / "config.yaml").write_text(dump_config(config), encoding="utf-8")
    (run / "units.jsonl").write_text("".join(units_pool), encoding="utf-8")
    return run


def measure(run: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, str(run)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="samples per run, comma-separated")
    parser.add_argument("--traces", type=int, default=1200, help="Phase I traces (bounds the library)")
    parser.add_argument("--variants", type=int, default=40, help="units per advanced tool in the pool")
    parser.add_argument("--domains", default="", help="built-in domains (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", default="", help="keep the run directories under this path")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    domains = [d.strip() for d in args.domains.split(",") if d.strip()] or None
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hardgen-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        clock = time.perf_counter()
        prepared, phase_one = prepare(root, args.traces, domains, args.seed)
        library = [AdvancedTool.model_validate(r) for r in iter_jsonl(prepared / "advanced_tools.jsonl")]
        graph = ApiGraph.load(prepared / "graph.json")
        limit = 3 * max(sizes)  # what generate plans for its largest size
        units = plan_units(library, graph, seed=args.seed, variants=args.variants, turns=1, limit=limit)
        distinct = len(units)
        # The value pools of the world bound the distinct (tool, values) units; past them, further
        # rounds planned with other seeds repeat some (tool, values) pairs under new unit seeds (a
        # new query, new distractors), so that the largest size can be reached at all.
        round_seed = args.seed
        while len(units) < limit:
            round_seed += 1
            more = plan_units(library, graph, seed=round_seed, variants=args.variants, turns=1, limit=limit)
            for unit in more[: limit - len(units)]:
                index = len(units)
                units.append(unit.model_copy(update={"unit_id": f"s{args.seed}-{index:06d}",
                                                     "seed": unit_seed(args.seed, index)}))
        pool = [u.model_dump_json() + "\n" for u in units]
        print(f"Phase I ({'all domains' if not domains else ','.join(domains)}, {args.traces} traces): "
              + ", ".join(f"{k} {v:.1f}s" for k, v in phase_one.items())
              + f"; library {len(library)} advanced tools; unit pool {len(units)} ({distinct} distinct) "
              f"(prepared in {time.perf_counter() - clock:.0f}s)")
        rows = []
        for size in [0, *sizes]:
            result = measure(make_run(prepared, root, size, pool))
            rows.append((size, result))
        print()
        print(f"{'asked':>7} {'written':>8} {'rejected':>9} {'synthesis s':>12} {'samples/s':>10} "
              f"{'candidates/s':>13} {'peak RSS MiB':>13}")
        for size, r in rows:
            rate = r["samples"] / r["synthesis_s"] if r["synthesis_s"] else 0.0
            cand = (r["samples"] + r["rejected"]) / r["synthesis_s"] if r["synthesis_s"] else 0.0
            print(f"{size:>7} {r['samples']:>8} {r['rejected']:>9} {r['synthesis_s']:>12.1f} {rate:>10.1f} "
                  f"{cand:>13.1f} {r['max_rss_mib']:>13.1f}")
        print("\nOne core per run (sched_setaffinity); size 0 = baseline RSS before any synthesis.")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
