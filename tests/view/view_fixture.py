"""A hand-built run directory for the viewer tests: samples with implicit dependencies (one of
them carrying markup in every text field), rejected candidates, a manifest with a validity report,
and a small API graph with a pruned edge and a failure tool."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hardgen.schema import (
    ArgumentSource,
    EnvironmentSpec,
    GoldTurn,
    Message,
    Observation,
    Sample,
    SampleMetadata,
    Step,
    ToolCall,
    ToolSpec,
    VerificationRecord,
)

HOSTILE = "<script>alert('x')</script> & </script><img src=x onerror=alert(1)>"
"""Markup a sample's text may hold: the page must show it as text."""


def make_sample(i: int, *, domain: str = "shop", query: str | None = None) -> Sample:
    """Sample `i`: find an order, then cancel it with the order id taken from the search result."""
    find = ToolCall(id=f"c{i}a", name="find_orders", arguments={"customer": f"C-{i}"})
    found = Observation.success({"orders": [{"order_id": f"O-{i}", "total": 10 + i}]})
    cancel = ToolCall(id=f"c{i}b", name="cancel_order", arguments={"order_id": f"O-{i}"})
    done = Observation.success({"order_id": f"O-{i}", "cancelled": True})
    text = query or f"Please cancel the order of customer C-{i} and tell me its id."
    return Sample(
        id=f"s-{i:05d}",
        tools=[ToolSpec(name=n, description=f"{n} tool", parameters={"type": "object", "properties": {}},
                        environment=domain) for n in ("find_orders", "cancel_order", "refund_order")],
        messages=[
            Message.system("Use the tools."),
            Message.user(text),
            Message.assistant(tool_calls=[find], reasoning=f"I look the orders of C-{i} up first."),
            Message.tool(find, found.to_text()),
            Message.assistant(tool_calls=[cancel], reasoning="Now the cancellation."),
            Message.tool(cancel, done.to_text()),
            Message.assistant(content=f"Cancelled O-{i}."),
        ],
        environments=[EnvironmentSpec(name=domain, target="hardgen.world.domains.shop:Shop",
                                      initial_state={"orders": [{"order_id": f"O-{i}"}] * 50})],
        gold=[GoldTurn(query=text, steps=[
            Step(call=find, observation=found),
            Step(call=cancel, observation=done,
                 sources=[ArgumentSource(parameter="order_id", step=0, path=["orders", 0, "order_id"])]),
        ], required_observations=[1], answer_values=[f"O-{i}"])],
        verification=VerificationRecord(verdict="passed", attempts=1 + i % 2),
        metadata=SampleMetadata(domains=[domain], chain_length=2, implicit_dependencies=1, turns=1,
                                failure_tools=["cancel_order"], target_tools=["cancel_order"],
                                sampling_mode="legality" if i % 2 else "uniform"),
    )


def graph_document() -> dict[str, Any]:
    def node(name: str, domain: str, failures: int) -> dict[str, Any]:
        return {"id": name, "spec": {"name": name, "description": f"{name} tool", "environment": domain},
                "failures": {"attempts": 2, "failures": failures, "taxonomy": {"missing_dependency": failures}}}

    return {
        "format": "hardgen.api_graph/1",
        "nodes": [node("find_orders", "shop", 0), node("cancel_order", "shop", 2), node("refund_order", "shop", 0),
                  node("get_weather", "weather", 0)],
        "edges": [
            {"source": "find_orders", "target": "cancel_order", "key": "a", "kind": "data_flow", "status": "confirmed"},
            {"source": "find_orders", "target": "cancel_order", "key": "b", "kind": "data_flow", "status": "candidate"},
            {"source": "find_orders", "target": "refund_order", "key": "c", "kind": "data_flow", "status": "pruned"},
            {"source": "get_weather", "target": "find_orders", "key": "d", "kind": "state_prerequisite",
             "status": "candidate"},
        ],
    }


def write_run(path: Path, samples: list[Sample], *, rejected: int = 3) -> Path:
    """A run directory holding `samples`, `rejected` rejected candidates (and one broken line),
    a manifest with a validity report and graph.json."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "samples.jsonl").write_text("".join(s.model_dump_json() + "\n" for s in samples), encoding="utf-8")
    lines = [json.dumps({"unit_id": f"u-{k}", "stage": "query" if k % 2 else "reason",
                         "reason": f"reason {k}: {HOSTILE}", "advanced_tool": "cancel_then_refund",
                         "attempts": k, "hints": ["look it up"], "details": [f"detail {k}"]})
             for k in range(rejected)]
    (path / "rejected.jsonl").write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    (path / "manifest.json").write_text(json.dumps({
        "samples": len(samples), "rejected": rejected, "rejections_by_stage": {"query": 2, "reason": 1},
        "validity": {"samples": len(samples), "implicit_writes": 1, "unused_calls": 0,
                     "examples": {"implicit_writes": [samples[0].id] if samples else []},
                     "mean_calls_per_turn": 2.0, "share_turns_ge_3_calls": 0.0},
    }), encoding="utf-8")
    (path / "graph.json").write_text(json.dumps(graph_document()), encoding="utf-8")
    return path


_CHUNK = re.compile(r'^\(window\.HARDGEN_VIEW_DATA = window\.HARDGEN_VIEW_DATA \|\| \{\}\)\["([^"]+)"\] = (.*);\n\Z',
                    re.S)


def read_chunk(path: Path) -> tuple[str, Any]:
    """The name and value a data script registers (it is JSON with \\u escapes, so json reads it)."""
    match = _CHUNK.match(path.read_text(encoding="utf-8"))
    assert match, f"{path} is not a data chunk"
    return match.group(1), json.loads(match.group(2))
