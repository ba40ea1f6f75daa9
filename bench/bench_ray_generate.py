"""The same `hardgen generate` run with the local executor and on a local two-worker Ray (issue 16):
every role on the loopback model server at a fixed latency; are the run directories the same, byte
for byte, and what does each take?

The model server is bench_executor_busy.py's (the model-free roles behind HTTP, in a process of its
own). Ray's start (`ray.init`) is timed apart from the run; its workers' first job also pays for
starting their processes and importing HardGen.

    .venv/bin/python bench/bench_ray_generate.py [--samples 20] [--latency 0.2] [--concurrency 16] [--workers 2]

Prints a Markdown table; exits 1 if the runs differ.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_executor_busy import SETUP, ModelServer  # noqa: E402
from hardgen.pipeline import Executor, LocalExecutor, Manifest, RayExecutor, generate, load_config  # noqa: E402

ROLES = ("target", "reference", "tool_maker", "query_writer", "reasoner", "critic")
FILES = ("failures.json", "graph.probed.json", "graph.json", "traces.jsonl", "advanced_tools.jsonl",
         "library_dropped.json", "units.jsonl", "samples.jsonl", "rejected.jsonl")


def config(out: Path, url: str, samples: int, concurrency: int) -> Any:
    overrides: dict[str, Any] = {**SETUP, "out": str(out), "synthesis.samples": samples, "concurrency": concurrency,
                                 "sampling.traces": 40}
    for role in ROLES:
        overrides[f"roles.{role}"] = {"kind": "openai", "base_url": url, "model": "family", "max_retries": 1,
                                      "timeout_s": 120, "max_concurrency": 4 * concurrency}
    overrides["roles.reference"] = {**overrides["roles.reference"], "model": "family-reference"}
    return load_config(overrides=overrides)


def run(out: Path, url: str, args: argparse.Namespace, executor: Executor) -> tuple[Manifest, float]:
    started = time.perf_counter()
    try:
        manifest = asyncio.run(generate(config(out, url, args.samples, args.concurrency), executor=executor))
    finally:
        executor.close()
    return manifest, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import ray

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        local_dir, ray_dir = root / "local" / "run", root / "ray" / "run"  # one name: it is the run id
        # The model server reads the run's graph.json for its reasoner: each run gets its own server.
        server = ModelServer(local_dir, args.latency, 0.0, False)
        try:
            local, local_s = run(local_dir, server.url, args, LocalExecutor())
        finally:
            server.close()
        clock = time.perf_counter()
        ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
        init_s = time.perf_counter() - clock
        server = ModelServer(ray_dir, args.latency, 0.0, False)
        try:
            on_ray, ray_s = run(ray_dir, server.url, args, RayExecutor(workers=args.workers))
        finally:
            server.close()
            ray.shutdown()
        differ = [n for n in FILES if (local_dir / n).read_bytes() != (ray_dir / n).read_bytes()]
        for name, manifest, seconds in (("local", local, local_s), (f"ray, {args.workers} workers", on_ray, ray_s)):
            phases = ", ".join(f"{k} {v:.1f}" for k, v in manifest.phase_seconds.items())
            requests = sum(b.get("requests", 0) for b in manifest.backends.values())
            rows.append(f"| {name} | {manifest.samples} | {manifest.rejected} | {requests} | {seconds:.1f} | {phases} |")
    print(f"hardgen generate, every role on the loopback server at {args.latency:g} s, {args.samples} samples, "
          f"concurrency {args.concurrency}; ray.init took {init_s:.1f} s (not in the run's time)\n")
    print("| executor | samples | rejected | model requests | wall s | seconds by phase |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nrun directories ({', '.join(FILES)}): " + ("identical" if not differ else f"DIFFER: {', '.join(differ)}"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
