"""What a run with every role on a model server costs, per model family's output format: requests,
tokens and reasoner attempts per verified sample (from the manifest), fallbacks, and how many
requests a second run from the same cache sends (it should send none).

The "model" is the model-free roles behind the loopback OpenAI-compatible server, answering in each
family's format (tests/integration/test_integration_model_families.py); its token counts are the
loopback server's estimates.

    .venv/bin/python bench/bench_llm_roles.py [--samples 6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from test_integration_model_families import FAMILIES, run_twice  # noqa: E402


def run_family(family: str, samples: int, root: Path) -> dict[str, object]:
    started = time.perf_counter()
    runs = run_twice(family, root / family, samples)
    seconds = time.perf_counter() - started
    manifest = runs.manifest
    same = (runs.again / "samples.jsonl").read_bytes() == (runs.out / "samples.jsonl").read_bytes()
    fallbacks = sum(sum(v.values()) for v in manifest.role_fallbacks.values())
    return {"family": family, "samples": manifest.samples, "yield": f"{manifest.yield_rate:.2f}",
            "requests": runs.requests, "req/sample": manifest.per_sample.get("requests", "-"),
            "tokens/sample": manifest.per_sample.get("tokens", "-"),
            "attempts/sample": manifest.per_sample.get("reasoner_attempts", "-"), "fallbacks": fallbacks,
            "re-sent": runs.resent, "same bytes": "yes" if same else "NO", "seconds (both runs)": f"{seconds:.0f}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--family", action="append", choices=FAMILIES)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run_family(f, args.samples, Path(tmp)) for f in args.family or FAMILIES]
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(f"{c:>{widths[c]}}" for c in columns))
    for row in rows:
        print("  ".join(f"{row[c]!s:>{widths[c]}}" for c in columns))


if __name__ == "__main__":
    main()
