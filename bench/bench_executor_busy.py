"""How busy the executor keeps the model (issue 16): synthesis with every LLM role (query writer,
reasoner, critic) on the loopback OpenAI-compatible server, for the former window loop and the
sliding pool side by side, at a fixed latency and a lognormal one, at several concurrencies.

Three shares, 1.0 when every slot always holds a unit:
- *slots busy while units wait*: the share of the `concurrency` slots holding a unit from the start
  until the last unit starts (the final drain, when nothing is left to start, is the same for any
  executor and left out); also from the moment every slot first held a unit: filling the slots
  takes the units' own CPU before their first request, one unit after the other on the client's
  event loop (at concurrency 128, seconds on two busy cores), which no executor can shorten;
- *slots busy overall*: the time units spent in flight, summed, over concurrency x the batch's wall
  time (drain included: it weighs less the more units per slot);
- *model busy*: the model time of the units (the backends' summed request wall time), over
  concurrency x wall time: the issue's "achieved vs concurrency x model time per unit". It falls
  below the slot share when the client's own CPU (verification, sessions) is the bottleneck. Only synthesis is measured: the run's
graph, library and units are made once beforehand (model-free, through the pipeline's own stages),
and each measurement runs `units-per-slot x concurrency` units (the planned units, taken again with
new ids and seeds when there are fewer).

The "model" is the model-free roles behind HTTP (`FamilyModel` of
tests/integration/test_integration_model_families.py, native tool calls), in a process of its own
so that its CPU does not slow the client; a unit takes one to three reasoner attempts of several
requests each, as with a real model. Each answer waits its latency first: fixed, or drawn from a
lognormal distribution with the same mean (sigma `--sigma`).

    .venv/bin/python bench/bench_executor_busy.py [--latency 1.0] [--concurrency 8 32 128] [--units-per-slot 3]
        [--ahead 4] [--latencies fixed lognormal] [--pool-only]

Prints a Markdown table (about 19 minutes with the defaults on two shared cores). The samples and
rejections of a row depend on what the server answered before (the model-free "model" behind it
keeps state between requests), so compare them only within a row.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from hardgen.pipeline import SilentProgress, dump_config, load_config, resolve_sources  # noqa: E402
from hardgen.pipeline._executor import LocalExecutor, ordered_pool, windowed  # noqa: E402
from hardgen.pipeline._generate import GENERATE_STAGES, GenerateState, Manifest  # noqa: E402
from hardgen.pipeline._roles import build_roles  # noqa: E402
from hardgen.pipeline._rundir import RunDirectory, write_text_atomic  # noqa: E402
from hardgen.pipeline._synthesis import make_synthesizer  # noqa: E402
from hardgen.pipeline._units import unit_seed  # noqa: E402
from hardgen.synth import Rejection, SynthesisUnit  # noqa: E402
from hardgen.tools import Session  # noqa: E402

SETUP = {"sources": [{"kind": "world", "domains": ["banking", "messaging"]}], "synthesis.samples": 150,
         "probe.tasks_per_tool": 1, "probe.max_tools": 6, "sampling.traces": 120}
ROLES = ("query_writer", "reasoner", "critic")


# -- the model server (run as a process of its own with --serve) -----------------------------------

def serve(run_dir: Path, latency: float, sigma: float, lognormal: bool) -> None:
    from test_integration_model_families import FamilyModel, _in_thread

    from hardgen.llm.loopback import LoopbackServer, Reply
    from hardgen.schema import Message
    from hardgen.synth import ReasonerTask

    class PlannedOnce(FamilyModel):
        """The family model, planning each reasoner turn once and answering its later steps from
        that plan (the family model plans the whole turn again for every step): the server's CPU
        per request stays small beside its latency."""

        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self._plans: dict[str, list[Message]] = {}

        def _reason(self, chat: Any, system: str) -> Message:
            messages = chat.messages
            last_user = max(i for i, m in enumerate(messages) if m.role == "user")
            key = json.dumps([system, [m.model_dump(mode="json") for m in messages[:last_user + 1]],
                              [t.name for t in chat.tools or []]], sort_keys=True, default=str)
            planned = self._plans.get(key)
            if planned is None:
                if len(self._plans) > 20_000:
                    self._plans.clear()
                planned = self._plans[key] = self._plan(chat, system, last_user)
            done = sum(1 for m in messages[last_user + 1:] if m.role == "assistant")
            return planned[done] if done < len(planned) else Message.assistant("Done.")

        def _plan(self, chat: Any, system: str, last_user: int) -> list[Message]:
            messages = chat.messages
            hint = system.split("About the task:", 1)[1].splitlines()[0].strip()
            session = Session.from_specs(self.specs)
            try:
                for m in messages[:last_user]:
                    for call in m.tool_calls or []:
                        session.call(call.name, call.arguments)
                task = ReasonerTask(query=messages[last_user].content or "", tools=list(chat.tools or []), hint=hint,
                                    history=[Message.system(system), *messages[1:last_user + 1]], turn=0)
                attempt = _in_thread(lambda: asyncio.run(self.reasoner().solve(task, session, [])))
            finally:
                session.close()
            return [m for m in attempt.messages if m.role == "assistant"]

    class Latent(LoopbackServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._rng = random.Random(0)

        def _next_reply(self, request: dict[str, Any]) -> Reply:
            reply = super()._next_reply(request)
            mu = math.log(latency) - sigma * sigma / 2  # mean `latency`
            seconds = self._rng.lognormvariate(mu, sigma) if lognormal else latency
            return Reply(status=reply.status, kind=reply.kind, latency_s=seconds)

    # The world the runs use (SETUP's sources); the reasoner reads the run's graph.json when first asked.
    model = PlannedOnce("native", run_dir, load_config(overrides={**SETUP, "out": str(run_dir)}))
    with Latent(responder=model, backlog=8192) as server:
        print(server.url, flush=True)
        sys.stdin.read()  # until the bench closes our stdin


class ModelServer:
    def __init__(self, run_dir: Path, latency: float, sigma: float, lognormal: bool) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(run_dir), "--latency", str(latency), "--sigma", str(sigma),
             *(["--lognormal"] if lognormal else [])], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise SystemExit(f"the model server did not start: {self.url!r}")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


# -- the measurement -------------------------------------------------------------------------------

async def prepare(run_dir: Path) -> GenerateState:
    """Graph, probe, library and units through the pipeline's own stages (model-free)."""
    config = load_config(overrides={**SETUP, "out": str(run_dir)})
    run = RunDirectory(run_dir).create()
    write_text_atomic(run.config, dump_config(config))
    specs = resolve_sources(config)
    state = GenerateState(config=config, run=run, specs=list(specs), session=Session.from_specs(specs),
                          executor=LocalExecutor(), progress=SilentProgress(), say=lambda _m: None,
                          manifest=Manifest())
    try:
        for stage in GENERATE_STAGES[:3]:  # probe, library, units
            await stage.run(state)
            assert stage.load is not None
            stage.load(state)
    finally:
        state.session.close()
    return state


def units_for(state: GenerateState, n: int) -> list[SynthesisUnit]:
    planned = state.units
    return [planned[i % len(planned)].model_copy(update={"unit_id": f"bench-{i:06d}",
                                                         "seed": unit_seed(7, i)}) for i in range(n)]


async def measure(state: GenerateState, url: str, loop: str, concurrency: int, n: int,
                  ahead: int | None = None) -> dict[str, Any]:
    overrides: dict[str, Any] = {f"roles.{r}": {"kind": "openai", "base_url": url, "model": "family",
                                                "max_concurrency": 4 * concurrency, "max_retries": 1,
                                                "timeout_s": 120} for r in ROLES}
    config = state.config.model_copy(update={"roles": load_config(overrides=overrides).roles, "cache": False})
    assert state.graph is not None
    roles = build_roles(config, state.graph, None)
    synthesizer = make_synthesizer(config, state.specs, state.graph, state.library, roles,
                                   state.report.failure_set if state.report else (), "bench")
    busy = 0.0
    in_flight = 0
    changes: list[tuple[float, int]] = []  # (time, units in flight from then on)
    starts: list[float] = []
    last_start = 0.0

    async def timed(unit: SynthesisUnit) -> Any:
        nonlocal busy, in_flight, last_start
        start = last_start = time.perf_counter()
        in_flight += 1
        changes.append((start, in_flight))
        starts.append(start)
        try:
            return await synthesizer.synthesize(unit)
        finally:
            end = time.perf_counter()
            in_flight -= 1
            changes.append((end, in_flight))
            busy += end - start

    units = units_for(state, n)
    results = (ordered_pool(timed, units, concurrency=concurrency, ahead=ahead) if loop == "pool"
               else windowed(timed, units, concurrency=concurrency))
    started = time.perf_counter()
    samples = rejected = 0
    async for result in results:
        rejected += isinstance(result, Rejection)
        samples += not isinstance(result, Rejection)
    wall = time.perf_counter() - started
    # While units are still waiting to start: the share of slots in use (the last one's drain, when
    # no unit is left to start, is the same for every executor and is left out of this figure).
    held = sum((min(t1, last_start) - t0) * k for (t0, k), (t1, _) in itertools.pairwise(changes)
               if t0 < last_start)
    # The time until every slot held its first unit: the units' own CPU before their first request,
    # run one after the other on the client's one event loop (the same for any executor). From then
    # until the last unit starts, the slots' share is the executor's own doing.
    filled = sorted(starts)[min(concurrency, n) - 1]
    fill = filled - started
    after_fill = sum((min(t1, last_start) - max(t0, filled)) * k for (t0, k), (t1, _) in itertools.pairwise(changes)
                     if t0 < last_start and t1 > filled)
    stats = [b.stats for b in roles.backends.values() if hasattr(b, "stats")]
    model = sum(s.latency_s_total for s in stats)
    return {"wall": wall, "busy": busy / (concurrency * wall), "steady": held / (concurrency * (last_start - started)),
            "model": model / (concurrency * wall), "unit_s": busy / n, "model_s": model / n, "samples": samples,
            "rejected": rejected, "requests": sum(s.requests for s in stats), "fill": fill,
            "filled": after_fill / (concurrency * (last_start - filled)) if last_start > filled else math.nan}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=1.0, help="Mean seconds per model answer.")
    parser.add_argument("--sigma", type=float, default=0.5, help="Sigma of the lognormal latency.")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 128])
    parser.add_argument("--units-per-slot", type=int, default=3)
    parser.add_argument("--ahead", type=int, default=4,
                        help="The pool's reorder bound, in multiples of the concurrency (default 4, the executor's).")
    parser.add_argument("--latencies", choices=["fixed", "lognormal"], nargs="+", default=["fixed", "lognormal"])
    parser.add_argument("--pool-only", action="store_true", help="Leave the window loop out (its columns show -).")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lognormal", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.latency, args.sigma, args.lognormal)
        return
    clock = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp) / "run"
        state = asyncio.run(prepare(run_dir))
        print(f"setup: {len(state.library)} advanced tools, {len(state.units)} units planned "
              f"({time.perf_counter() - clock:.0f} s)\n", flush=True)
        rows = []
        for lognormal in (kind == "lognormal" for kind in args.latencies):
            server = ModelServer(run_dir, args.latency, args.sigma, lognormal)
            try:
                for concurrency in args.concurrency:
                    n = args.units_per_slot * concurrency
                    got = {loop: asyncio.run(measure(state, server.url, loop, concurrency, n, args.ahead * concurrency))
                           for loop in (("pool",) if args.pool_only else ("window", "pool"))}
                    p = got["pool"]
                    w = got.get("window", {k: math.nan for k in p})
                    latency = f"lognormal, mean {args.latency:g} s" if lognormal else f"fixed {args.latency:g} s"
                    rows.append(f"| {latency} | {concurrency} | {n} | {p['model_s']:.2f} | {p['unit_s']:.2f} | "
                                f"{w['steady']:.3f} | **{p['steady']:.3f}** | {w['filled']:.3f} | {p['filled']:.3f} | {w['busy']:.3f} | {p['busy']:.3f} | "
                                f"{w['model']:.3f} | {p['model']:.3f} | {w['wall']:.1f} | {p['wall']:.1f} | "
                                f"{p['fill']:.1f} | {p['samples']}/{p['rejected']} | {p['requests'] / n:.1f} |")
                    print(rows[-1], flush=True)
            finally:
                server.close()
    print(f"\nBusy share of the slots, window loop (W) vs sliding pool (P); lognormal sigma {args.sigma:g} "
          f"({time.perf_counter() - clock:.0f} s in all)\n")
    print("| latency | concurrency | units | model s / unit | s / unit | slots busy while units wait: W | P | "
          "the same once every slot held a unit: W | P | "
          "slots busy overall: W | P | model busy (model s / (concurrency x wall)): W | P | wall s: W | P | "
          "s until every slot held a unit: P | samples/rejected | requests / unit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
