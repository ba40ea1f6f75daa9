"""Kill `hardgen generate` at seeded random points, resume it, and compare with the uninterrupted run.

Each kill is a real SIGKILL of a real `hardgen generate` process, delivered right after its N-th
write (`HARDGEN_FAULT_KILL_AFTER_WRITE`, see `hardgen.pipeline._rundir`). One point is drawn in each
phase (config, probe commit, library commit, unit plan, first-round samples, top-up commits, later
samples and rejections, picture and manifest), the others at random among the remaining writes, all
distinct; every other point runs with `--turns 2`. Each killed run
is resumed with `hardgen generate --resume` and its run directory compared, file by file, with the
uninterrupted run of the same config (the manifest without its timings).

    python bench/bench_kill_resume.py [--points 20] [--seed 0] [--work DIR]

Prints a Markdown table; exits 1 if any resumed run differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CONFIG = {
    "sources": [{"kind": "world", "domains": ["messaging"]}],
    "synthesis": {"samples": 24, "max_rounds": 2},
    "probe": {"tasks_per_tool": 1, "max_tools": 4},
    "sampling": {"traces": 12},
    "concurrency": 1,
}
COMPARED = ("failures.json", "graph.probed.json", "graph.json", "traces.jsonl", "advanced_tools.jsonl",
            "library_dropped.json", "units.jsonl", "samples.jsonl", "rejected.jsonl", "graph.png")
PHASES = ("config", "probe commit", "library commit", "unit plan", "round-0 samples", "top-up commit",
          "later samples", "picture and manifest")


def _hardgen() -> list[str]:
    script = Path(sys.executable).with_name("hardgen")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from hardgen.cli import main; main()"]


def _run(args: list[str], env: dict[str, str] | None = None) -> int:
    done = subprocess.run([*_hardgen(), *args], env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=900, check=False)
    return done.returncode


def _phases(writes: list[str]) -> list[str]:
    """The phase each write belongs to (by file and position: the commits come in a known order)."""
    out, commits, seen_units = [], 0, False
    for name in writes:
        if name == "commit.pending":
            commits += 1
        if name == "config.yaml":
            out.append("config")
        elif commits == 1 and not name.endswith(".jsonl"):
            out.append("probe commit")
        elif commits == 2 and name != "units.jsonl" and not seen_units:
            out.append("library commit")
        elif name == "units.jsonl" and not seen_units:
            seen_units = True
            out.append("unit plan")
        elif name in ("samples.jsonl", "rejected.jsonl"):
            out.append("round-0 samples" if commits == 2 else "later samples")
        elif name in ("graph.png", "manifest.json"):
            out.append("picture and manifest")
        else:
            out.append("top-up commit")
    return out


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _manifest(run: Path) -> dict[str, object]:
    data = json.loads((run / "manifest.json").read_text())
    data.pop("phase_seconds", None)
    return data


def _reference(work: Path, turns: int) -> tuple[Path, Path, list[str]]:
    base = work / f"reference-turns{turns}"
    base.mkdir(parents=True)
    config = base / "config.yaml"
    config.write_text(yaml.safe_dump({**CONFIG, "synthesis": {**CONFIG["synthesis"], "turns": turns}}))
    log = base / "writes.log"
    code = _run(["generate", "--config", str(config), "--out", str(base / "run"), "--json"],
                {"HARDGEN_FAULT_WRITE_LOG": str(log)})
    if code != 0:
        raise SystemExit(f"the uninterrupted run (turns {turns}) failed with exit status {code}")
    writes = [line.split("\t")[1].split("/")[-1] for line in log.read_text().splitlines()]
    return config, base / "run", writes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="Where the runs go (default: a temporary folder).")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="hardgen-kill-"))
    shutil.rmtree(work, ignore_errors=True)
    rng = random.Random(args.seed)
    references = {turns: _reference(work, turns) for turns in (1, 2)}

    plan: list[tuple[int, int]] = []  # (turns, write to kill after)
    for i in range(args.points):
        turns = 1 if i % 2 == 0 else 2
        phases = _phases(references[turns][2])
        free = [n + 1 for n in range(len(phases)) if (turns, n + 1) not in plan]
        in_phase = [n for n in free if phases[n - 1] == PHASES[i]] if i < len(PHASES) else []
        plan.append((turns, rng.choice(in_phase or free)))

    rows, bad = [], 0
    for i, (turns, point) in enumerate(plan):
        config, ref, writes = references[turns]
        phase = _phases(writes)[point - 1]
        run = work / f"kill-{i:02d}" / "run"  # the same directory name as the reference: it is the run id
        clock = time.perf_counter()
        turn_option = ["--turns", "2"] if turns == 2 else []
        killed = _run(["generate", "--config", str(config), "--out", str(run), "--json", *turn_option],
                      {"HARDGEN_FAULT_KILL_AFTER_WRITE": str(point)})
        on_disk = _lines(run / "samples.jsonl")
        resumed = _run(["generate", "--resume", "--out", str(run), "--json"])
        seconds = time.perf_counter() - clock
        differ = [n for n in COMPARED if not (run / n).exists() or (run / n).read_bytes() != (ref / n).read_bytes()]
        if resumed == 0 and _manifest(run) != _manifest(ref):
            differ.append("manifest.json")
        left = [p.name for p in run.iterdir() if p.name.startswith("commit.") or p.name.endswith(".tmp")]
        total, after = _lines(ref / "samples.jsonl"), _lines(run / "samples.jsonl")
        ok = killed == -9 and resumed == 0 and not differ and not left
        bad += not ok
        rows.append(f"| {i + 1} | {turns} | {point}/{len(writes)} | {phase} | {writes[point - 1]} | "
                    f"{'SIGKILL' if killed == -9 else killed} | {on_disk} | {resumed} | {after}/{total} | "
                    f"{'identical' if not differ else 'DIFFERS: ' + ', '.join(differ)}"
                    f"{' LEFT: ' + ', '.join(left) if left else ''} | {seconds:.1f} |")
    print(f"Kill and resume, seed {args.seed}: {args.points - bad} of {args.points} resumed runs equal the "
          "uninterrupted run (all files byte for byte, manifest without timings)\n")
    print("| # | turns | killed after write | phase | file written last | kill | samples on disk | "
          "resume exit | samples after resume | run directory vs uninterrupted | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
