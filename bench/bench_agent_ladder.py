"""Hardness measured offline: the model-free agent ladder on HardGen, uniform-target and random-walk
samples, and a three-round offline loop whose training step moves the target up the ladder.

    .venv/bin/python bench/bench_agent_ladder.py ladder --samples 100 --out runs/bench-ladder
    .venv/bin/python bench/bench_agent_ladder.py loop --samples 100 --rounds 3 --out runs/bench-ladder-loop
    .venv/bin/python bench/bench_agent_ladder.py show --out runs/bench-ladder   # tables from ladder.json

Prints markdown tables: per rung, success with 95% Wilson intervals on each sample set (and whether
HardGen's samples are harder than uniform-target ones: intervals apart or not, and the p-value of a
two-sided two-proportion z-test); per loop round, the
target rung, the failure set it was mined with, its success on the round's samples and where the
training step moved it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import time
from pathlib import Path
from typing import Any

from hardgen.evaluate import LadderComparison, LoopReport, compare_ladder, run_loop
from hardgen.pipeline import load_config


def _cell(c: Any) -> str:
    return f"{c.success_rate:.0%} [{c.low:.0%}, {c.high:.0%}] (n={c.samples})"


def two_proportion_p(a: Any, b: Any) -> float:
    """Two-sided p-value of a pooled two-proportion z-test between two cells (independent sets)."""
    n1, n2 = a.samples, b.samples
    if not n1 or not n2:
        return 1.0
    pooled = (a.passed + b.passed) / (n1 + n2)
    if pooled in (0.0, 1.0):
        return 1.0
    z = (a.passed / n1 - b.passed / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def verdict(legality: Any, uniform: Any) -> str:
    """Plainly: is HardGen harder than uniform for this rung? By the 95% intervals and a z-test."""
    p = two_proportion_p(legality, uniform)
    gap = f"{legality.success_rate - uniform.success_rate:+.0%}, p={p:.2g}"
    if legality.high < uniform.low:
        return f"harder, intervals apart ({gap})"
    if legality.success_rate < uniform.success_rate:
        return (f"harder at p < 0.05, intervals overlap ({gap})" if p < 0.05
                else f"lower, not significant ({gap})")
    if legality.success_rate == uniform.success_rate:
        return "no difference"
    return f"not harder: HardGen higher ({gap})"


def ladder_table(table: LadderComparison) -> str:
    modes = [m for m in ("legality", "uniform", "random_walk") if m in table.modes]
    names = {"legality": "HardGen", "uniform": "uniform target", "random_walk": "random walk"}
    head = ["rung", "failure set", *[names[m] for m in modes]]
    if {"legality", "uniform"} <= set(modes):
        head.append("HardGen vs uniform")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in table.rows:
        cells = [f"`{row.agent}`" + (" (stochastic)" if row.stochastic else ""),
                 "-" if row.failure_set is None else str(row.failure_set),
                 *[_cell(row.cells[m]) for m in modes]]
        if {"legality", "uniform"} <= set(modes):
            cells.append(verdict(row.cells["legality"], row.cells["uniform"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def loop_table(report: LoopReport) -> str:
    lines = ["| round | target | failure set | samples | target success | failing tools | training: moved to |",
             "|---|---|---|---|---|---|---|"]
    for r in report.rounds:
        moved = "-" if r.training is None else (
            f"`{r.training.after}`" + ("" if r.training.moved else " (stayed)")
            + " (" + ", ".join(f"{c.agent} fixes {c.fixed}/{r.training.failed_samples}" for c in r.training.candidates)
            + ")")
        success = "-" if r.success_rate is None else f"{r.success_rate:.0%}"
        lines.append(f"| {r.round} | `{r.agent}`{' (mined afresh)' if r.remined else ''} | {r.failure_set} | "
                     f"{r.samples} | {success} | {len(r.eval_failing_tools)} | {moved} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=("ladder", "loop", "show"))
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--agents", default=None, help="Rungs, comma-separated (default: the whole ladder).")
    parser.add_argument("--domains", default=None, help="Built-in domains, comma-separated (default: all).")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = args.out or ("runs/bench-ladder" if args.part != "loop" else "runs/bench-ladder-loop")
    if args.part == "show":
        path = Path(out) / "ladder.json"
        if path.exists():
            print(ladder_table(LadderComparison.model_validate_json(path.read_text())))
        loop = Path(out) / "loop.json"
        if loop.exists():
            print(loop_table(LoopReport.model_validate_json(loop.read_text())))
        return
    overrides: dict[str, Any] = {"out": out, "synthesis.samples": args.samples, "seed": args.seed}
    if args.domains:
        overrides["sources"] = [{"kind": "world", "domains": args.domains.split(",")}]
    config = load_config(None, overrides)
    clock = time.perf_counter()
    if args.part == "ladder":
        agents = args.agents.split(",") if args.agents else None
        table = asyncio.run(compare_ladder(config, agents, log=print))
        print(ladder_table(table))
    else:
        report = asyncio.run(run_loop(config, args.rounds, train="ladder", log=print))
        print(loop_table(report))
    print(json.dumps({"seconds": round(time.perf_counter() - clock, 1), "out": out}))


if __name__ == "__main__":
    main()
