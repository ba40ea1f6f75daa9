"""Units of work: (advanced tool, values) pairs with deterministic per-unit seeds.

Each advanced tool first gets its own source values (which replay its trace), then other values
from the graph's value pools: executing those makes new traces, verified like any other. Units go
round-robin over the tools so that a run capped at N samples still covers many tools.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from typing import Any

from hardgen.graph import fresh_value, wants_fresh_value
from hardgen.synth import AdvancedTool, SynthesisUnit

# Values that come in pairs with a secret or identify the user's own account: changing one alone
# only makes a failing call.
_KEEP = re.compile(r"pass|pin|secret|token|username|login|account_holder|customer_name", re.I)


def unit_seed(run_seed: int, index: int) -> int:
    digest = hashlib.sha256(f"{run_seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def variant_arguments(tool: AdvancedTool, graph: Any, rng: random.Random) -> dict[str, Any] | None:
    """Other values for one or two lifted parameters, from the value pools; None when there are none."""
    bound: dict[str, tuple[str, str]] = {}
    for step in tool.steps:
        for pname, binding in step.arguments.items():
            if binding.kind == "param" and binding.param and binding.param not in bound:
                bound[binding.param] = (step.tool, pname)
    changeable = [p for p in sorted(bound) if not _KEEP.search(p)]
    if not changeable:
        return None
    arguments = dict(tool.example_arguments)
    changed = False
    for name in rng.sample(changeable, min(len(changeable), rng.choice((1, 2)))):
        prim_tool, prim_param = bound[name]
        if prim_tool not in graph:
            continue
        param = next((p for p in graph.parameters(prim_tool) if p.name == prim_param), None)
        if param is None:
            continue
        current = arguments.get(name)
        pool = [v for v in graph.pool_values(prim_tool, param) if v != current and not isinstance(v, (dict, list))]
        if wants_fresh_value(prim_tool, prim_param, graph.spec(prim_tool).mutates):
            # New content (a new list's name, a message) is fresh, never an existing value.
            value = fresh_value(prim_tool, prim_param, rng, [*(str(v) for v in pool), str(current)])
            if value is not None:
                arguments[name] = value
                changed = True
            continue
        if pool:
            arguments[name] = rng.choice(sorted(pool, key=repr)[:200])
            changed = True
    return arguments if changed else None


def _across_domains(tools: Sequence[AdvancedTool]) -> list[AdvancedTool]:
    """`tools` (longest first) taken in turn from each set of environments, longest first within
    each: ordered by length alone, a run capped at N samples took every one from the domain with the
    longest chains (40 of 40 BFCL samples were TwitterAPI tasks)."""
    groups: dict[tuple[str, ...], list[AdvancedTool]] = {}
    for tool in tools:
        groups.setdefault(tuple(sorted(tool.environments)), []).append(tool)
    queues = list(groups.values())  # in order of each group's longest tool
    out: list[AdvancedTool] = []
    while queues:
        out.extend(queue.pop(0) for queue in queues)
        queues = [queue for queue in queues if queue]
    return out


def plan_units(library: Sequence[AdvancedTool], graph: Any, *, seed: int, variants: int, turns: int,
               limit: int, start: int = 0, round_no: int = 0) -> list[SynthesisUnit]:
    """Up to `limit` units over the advanced tools, variant 0 = the source values, longer bodies first.
    Units are numbered from `start` (later rounds continue the numbering of earlier ones)."""
    rng = random.Random(f"{seed}:{round_no}")
    units: list[SynthesisUnit] = []
    seen: set[tuple[str, str]] = set()
    # Long chains first, so that a run capped at N samples keeps its chains long without padding
    # them: the tools of three or more calls with their own values, longest first, then once with
    # other values; then the two-call tools with their own values; then the other variants.
    by_length = sorted(library, key=lambda t: -len(t.steps))
    long = _across_domains([t for t in by_length if len(t.steps) >= 3])
    short = _across_domains([t for t in by_length if len(t.steps) < 3])
    order = [(0, t) for t in long] + [(1, t) for t in long if variants > 1] + [(0, t) for t in short]
    order += [(v, t) for v in range(2, max(1, variants)) for t in long]
    order += [(v, t) for v in range(1, max(1, variants)) for t in short]
    for variant, tool in order:
        if len(units) >= limit:
            return units
        arguments = tool.example_arguments if variant == 0 else variant_arguments(tool, graph, rng)
        if arguments is None:
            continue
        key = (tool.name, repr(sorted(arguments.items(), key=lambda kv: kv[0])))
        if key in seen:
            continue
        seen.add(key)
        index = start + len(units)
        units.append(SynthesisUnit(unit_id=f"s{seed}-{index:06d}", seed=unit_seed(seed, index),
                                   advanced_tool=tool.name, arguments=dict(arguments), turns=turns,
                                   round=round_no))
    return units
