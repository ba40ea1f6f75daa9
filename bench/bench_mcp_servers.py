"""`hardgen generate` on two real MCP servers from PyPI, then `hardgen verify` in a fresh process.

Each server runs on a store this script seeds in the output folder: `mcp-server-sqlite` on a shop
database (customers, orders), `mcp-server-git` on a small repository (two commits, two branches).
For each: the tools found (and which are writes), the graph's edges, traces, samples written and
whether every sample re-verifies with `hardgen verify --config` (a fresh process, a fresh copy of
the store). With `--min-calls 1` single-call samples are kept too (the default keeps only chains of
two calls or more, which tools without data flow between them rarely make).

    python bench/bench_mcp_servers.py [--out /tmp/hardgen-mcp-bench] [--samples 10] [--min-calls 2] [--traces 150]

Measured (2 shared cores, busy with other work; seed 0, 150 traces per round, 10 samples asked; mcp
2.3.0 client, mcp-server-sqlite 2025.4.25, mcp-server-git 2026.10.19). `edges` are data-flow edges
of the sampled graph, `flow` the samples whose gold takes an argument from an earlier call's output:

    server  tools (writes)  min_calls  edges  traces  samples  mean calls  flow  verify (fresh process)
    sqlite  6 (3)           2          1      148     0        -           -     -
    sqlite  6 (3)           1          1      148     3        1.0         0     3/3
    git     12 (5)          2          2      300     8        2.0         8     8/8
    git     12 (5)          1          2      150     10       1.4         4     10/10

Before text results were read (and reads tried with returned identifiers) both servers had 0
edges and 0 samples at min_calls 2. Now `git_log`'s `Commit: ...` blocks are records, so a sha
feeds `git_show(revision)` (4 of the 8) and `git_checkout(branch_name)` (4; that edge the probe's
agents found by passing a sha, which git accepts), each picked by its commit message: "... I mean
the 'Add a todo list' commit history" -> `git_log{}`, `git_show{"revision": "dba6f8ae..."}`. The git
library is small (8 distinct tools: two commits, two consumers, `max_count` given or not), so 8 of
the 10 asked are written; 202 traces were ambiguous (two different commits picked from one log).

sqlite stays at one call: its only parameter that is not SQL, `describe_table(table_name)`, is fed
by `list_tables` (the edge), but a user who names the table needs no listing, so the Tool Maker
rightly drops it; every other parameter (`read_query(query)`, `write_query`, `create_table`,
`append_insight(insight)`) is SQL or prose that would embed looked-up values inside a string, which
an argument binding (a whole argument from a path of an earlier result) cannot express ("no value
fits a parameter": 468 attempts). git's `git_add(files)` is an array of plain strings, which neither
pools nor earlier outputs fill, so `git_commit` (which needs staged changes) never succeeds either.

Reproduce: `python bench/bench_mcp_servers.py --out /tmp/mcpF2` (min_calls 2) and
`python bench/bench_mcp_servers.py --out /tmp/mcpF1 --min-calls 1`; git takes 5-11 minutes here.

Needs `pip install 'hardgen[mcp]' mcp-server-git` and mcp-server-sqlite, which is written against
the SDK's 1.x server API, in a virtualenv of its own at `<venv>/mcp-servers/sqlite` (see `.ci/run`)
or named by `HARDGEN_TEST_MCP_SQLITE`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "tools"))
from test_tools_mcp import SQLITE, make_git_store, make_sqlite_store  # noqa: E402  (the tests' own stores)

HARDGEN = [sys.executable, "-m", "hardgen"] if shutil.which("hardgen") is None else ["hardgen"]


def _source(name: str, root: Path) -> dict[str, Any]:
    if name == "sqlite":
        if SQLITE is None:
            raise SystemExit("mcp-server-sqlite is not installed (see .ci/run)")
        return {"kind": "mcp", "name": "shop", "command": [SQLITE, "--db-path", "{store}/db.sqlite"],
                "store": str(make_sqlite_store(root)), "reads": ["read_query", "list_tables", "describe_table"]}
    git = shutil.which("mcp-server-git", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    if git is None:
        raise SystemExit("mcp-server-git is not installed: pip install mcp-server-git")
    return {"kind": "mcp", "name": "notes", "command": [git, "--repository", "{store}"],
            "store": str(make_git_store(root)), "bind": {"repo_path": "{store}"}}


def run(name: str, out: Path, samples: int, min_calls: int, traces: int) -> dict[str, Any]:
    root = out / name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    config = {"out": str(root / "run"), "seed": 0, "concurrency": 2, "sources": [_source(name, root)],
              "sampling": {"traces": traces}, "synthesis": {"samples": samples, "min_calls": min_calls}}
    config_path = root / "config.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    start = time.monotonic()
    generated = subprocess.run([*HARDGEN, "generate", "-c", str(config_path)], capture_output=True, text=True)
    seconds = time.monotonic() - start
    if generated.returncode != 0:
        raise SystemExit(f"generate failed on {name}:\n{generated.stdout[-3000:]}\n{generated.stderr[-3000:]}")
    manifest = json.loads((root / "run" / "manifest.json").read_text())
    written = [json.loads(line) for line in (root / "run" / "samples.jsonl").read_text().splitlines() if line]
    graph = json.loads((root / "run" / "graph.json").read_text())
    edges = [(e["source"], e["target"], e.get("kind")) for e in graph["edges"]]
    from hardgen.pipeline import load_config
    from hardgen.pipeline._sources import resolve_sources
    from hardgen.tools import Session

    session = Session.from_specs(resolve_sources(load_config(config_path)))
    tools = {t.name: t.mutates for t in session.tools()}
    session.close()
    verified: dict[str, Any] = {"samples": 0}
    if written:
        check = subprocess.run([*HARDGEN, "verify", str(root / "run"), "-c", str(config_path), "--json"],
                               capture_output=True, text=True)
        try:
            verified = json.loads(check.stdout)
        except json.JSONDecodeError:
            verified = {"exit": check.returncode, "output": (check.stdout + check.stderr)[-2000:]}
        verified["exit"] = check.returncode
    return {"server": name, "tools": tools, "edges": edges, "traces": manifest["traces"],
            "advanced_tools": manifest["advanced_tools"], "library_dropped": manifest.get("library_dropped"),
            "samples": len(written), "mean_calls": manifest["mean_calls"],
            "with_data_flow": sum(1 for w in written if w.get("metadata", {}).get("implicit_dependencies", 0) >= 1),
            "generate_s": round(seconds, 1), "verify": verified,
            # Drawn at random (seeded), not picked: what a reader of the data set would meet.
            "examples": [_example(w) for w in random.Random(0).sample(written, min(3, len(written)))]}


def _example(sample: dict[str, Any]) -> dict[str, Any]:
    user = next(m["content"] for m in sample["messages"] if m["role"] == "user")
    calls = [c["name"] + json.dumps(c["arguments"]) for m in sample["messages"] for c in (m.get("tool_calls") or [])]
    return {"query": user, "calls": calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/hardgen-mcp-bench"))
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--min-calls", type=int, default=2)
    parser.add_argument("--traces", type=int, default=150, help="traces sampled (each restarts servers: keep it small)")
    parser.add_argument("--servers", default="sqlite,git")
    args = parser.parse_args()
    for name in args.servers.split(","):
        print(json.dumps(run(name, args.out, args.samples, args.min_calls, args.traces), indent=1))


if __name__ == "__main__":
    main()
