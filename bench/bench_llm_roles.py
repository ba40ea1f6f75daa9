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
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration"))

from test_integration_model_families import FAMILIES, FamilyModel, _config  # noqa: E402

from hardgen.llm.loopback import LoopbackServer  # noqa: E402
from hardgen.pipeline import generate  # noqa: E402


def run_family(family: str, samples: int, root: Path) -> dict[str, object]:
    out = root / family / "run"
    model = FamilyModel(family, out, _config(out, "http://127.0.0.1:1/v1"))
    with LoopbackServer(responder=model) as server:
        config = _config(out, server.url)
        config = config.model_copy(update={"synthesis": config.synthesis.model_copy(update={"samples": samples})})
        started = time.perf_counter()
        manifest = asyncio.run(generate(config))
        seconds = time.perf_counter() - started
        sent = len(server.chat_requests)
        again = root / family / "again" / "run"
        again.mkdir(parents=True)
        for path in [out / "config.yaml", *out.glob("cache.sqlite*")]:
            shutil.copy(path, again / path.name)
        server.reset_records()
        model.run_dir = again
        asyncio.run(generate(config.model_copy(update={"out": str(again)}), resume=True))
        resent = len(server.chat_requests)
    same = (again / "samples.jsonl").read_bytes() == (out / "samples.jsonl").read_bytes()
    fallbacks = sum(sum(v.values()) for v in manifest.role_fallbacks.values())
    return {"family": family, "samples": manifest.samples, "yield": f"{manifest.yield_rate:.2f}",
            "requests": sent, "req/sample": manifest.per_sample.get("requests", "-"),
            "tokens/sample": manifest.per_sample.get("tokens", "-"),
            "attempts/sample": manifest.per_sample.get("reasoner_attempts", "-"), "fallbacks": fallbacks,
            "re-sent": resent, "same bytes": "yes" if same else "NO", "seconds": f"{seconds:.0f}"}


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
