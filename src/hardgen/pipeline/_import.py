"""Gold from outside: recorded call sequences (BFCL's ground truth, or a JSONL of calls per turn)
turned into samples that verify by re-execution like generated ones.

Each turn's calls are executed in order on a fresh environment built from the recorded initial
state; the gold keeps what they returned and the state they left. A call that fails (raises, is
refused, or returns an error result such as BFCL's `{"error": ...}`) makes the whole record an
`ImportFailure` naming the turn, the call and the error: a gold built on a failed call teaches the
failure. Every sample is then verified by `verify_sample` before it is returned.
"""

from __future__ import annotations

import inspect
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

from hardgen._version import __version__
from hardgen.pipeline._bfcl import CallSyntaxError, parse_bfcl_call
from hardgen.schema import (
    ArgumentSource,
    EnvironmentSpec,
    GoldTurn,
    Message,
    Provenance,
    Sample,
    SampleMetadata,
    Step,
    ToolCall,
    VerificationRecord,
)
from hardgen.synth._answering import summarise
from hardgen.synth._text import value_atoms
from hardgen.tools import Session
from hardgen.verify import verify_sample

IMPORT_SYSTEM_PROMPT = ("You are a helpful assistant that completes the user's requests by calling the tools provided. "
                        "Find values you are not given with the tools instead of guessing.")


class ImportFailure(Exception):
    """A recorded call sequence that cannot become a verified sample; the message says where and why."""


def error_in_result(result: Any) -> str | None:
    """The error a tool returned as its result instead of raising (`{"error": "..."}`, as BFCL's
    classes do), or None."""
    if isinstance(result, dict) and isinstance(result.get("error"), str) and len(result) <= 2:
        return result["error"]
    return None


def parameter_order(session: Session) -> dict[str, list[str]]:
    """Each tool's parameter names in signature order (positional arguments of a recorded call are
    named by position), from the Python signature where there is one, else from the schema."""
    order: dict[str, list[str]] = {}
    for spec in session.tools():
        names = list(spec.parameters.get("properties", {}))
        instance = getattr(session.environment_of(spec.name), "instance", None)
        method = getattr(instance, spec.name, None) if instance is not None else None
        if callable(method):
            try:
                names = [p for p in inspect.signature(method).parameters if p not in ("self", "args", "kwargs")]
            except (TypeError, ValueError):
                pass
        order[spec.name] = names
    return order


def _sources(step_arguments: Mapping[str, Any], earlier: Sequence[Step], stated: str) -> list[ArgumentSource]:
    """Arguments whose value an earlier result held and the user did not say: the implicit
    dependencies of a recorded call (found by value, as nothing recorded them)."""
    found = []
    for name, value in step_arguments.items():
        atoms = [a for a in value_atoms(value) if (isinstance(a, str) and len(a) >= 3) or
                 (isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a) >= 100)]
        if not atoms or any(str(a).lower() in stated for a in atoms):
            continue
        for index in range(len(earlier) - 1, -1, -1):
            path = _path_to(earlier[index].observation.result, atoms[0])
            if path is not None:
                found.append(ArgumentSource(parameter=name, step=index, path=path))
                break
    return found


def _path_to(node: Any, value: Any, depth: int = 0) -> list[str | int] | None:
    if depth > 6:
        return None
    if node == value and type(node) is type(value):
        return []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        sub = _path_to(child, value, depth + 1)
        if sub is not None:
            return [key, *sub]
    return None


def gold_sample(sample_id: str, specs: Sequence[EnvironmentSpec], turns: Sequence[tuple[str, Sequence[str | ToolCall]]],
                *, system_prompt: str = IMPORT_SYSTEM_PROMPT, timeout: float | None = 10.0,
                source: str = "import") -> Sample:
    """A verified sample from recorded turns: each (query, calls), calls as ToolCalls or in BFCL's
    `name(arg=value)` text. Raises `ImportFailure` for a call that fails or a sample that does not
    re-verify."""
    session = Session.from_specs(specs, timeout=timeout)
    messages = [Message.system(system_prompt)]
    gold: list[GoldTurn] = []
    used: set[str] = set()
    rng = random.Random(sample_id)
    try:
        order = parameter_order(session)
        offered = {s.name: s for s in session.tools()}
        for t, (query, calls) in enumerate(turns):
            messages.append(Message.user(query))
            steps: list[Step] = []
            for c, recorded in enumerate(calls):
                where = f"turn {t + 1}, call {c + 1}"
                try:
                    call = recorded if isinstance(recorded, ToolCall) else parse_bfcl_call(recorded, order)
                except CallSyntaxError as exc:
                    raise ImportFailure(f"{where}: {exc}") from None
                if call.name not in offered:
                    raise ImportFailure(f"{where}: no tool {call.name!r} in the sources")
                call = call.model_copy(update={"id": f"call_{t}_{c}"})
                observation = session.call(call.name, call.arguments)
                failure = (f"{observation.error.type}: {observation.error.message}" if observation.error
                           else error_in_result(observation.result))
                if failure:
                    raise ImportFailure(f"{where} {call.name}({json.dumps(call.arguments, default=str)}) failed: "
                                        f"{failure}")
                stated = " ".join(m.content or "" for m in messages if m.role == "user").lower()
                steps.append(Step(call=call, observation=observation, turn=t,
                                  sources=_sources(call.arguments, steps, stated)))
                used.add(call.name)
                messages.append(Message.assistant(None, tool_calls=[call]))
                messages.append(Message.tool(call, observation.to_text()))  # a read text as the tool said it
            last = next((s.observation.result for s in reversed(steps) if s.observation.result not in (None, "", {})), None)
            messages.append(Message.assistant(summarise(last, rng) if last is not None else "Done."))
            reads = [i for i, s in enumerate(steps) if not offered[s.call.name].mutates]
            gold.append(GoldTurn(query=query, steps=steps, required_observations=reads,
                                 final_state_hash=session.state_hash()))
    finally:
        session.close()
    tools = [offered[name] for name in sorted(used)] + sorted(
        (s for n, s in offered.items() if n not in used), key=lambda s: s.name)
    all_steps = [s for turn in gold for s in turn.steps]
    sample = Sample(
        id=sample_id, tools=tools, messages=messages, environments=list(specs), gold=gold,
        verification=VerificationRecord(verdict="passed", expected_state_hash=gold[-1].final_state_hash if gold else None,
                                        actual_state_hash=gold[-1].final_state_hash if gold else None),
        metadata=SampleMetadata(
            domains=sorted({s.environment or "" for s in tools if s.name in used} - {""}),
            chain_length=len(all_steps), implicit_dependencies=sum(len(s.sources) for s in all_steps),
            turns=len(gold), sampling_mode=source,
            provenance=Provenance(backend="import", seed=0, hardgen_version=__version__)),
    )
    verdict = verify_sample(sample, timeout=timeout)
    if not verdict.passed:
        raise ImportFailure(f"does not re-verify: {'; '.join(verdict.reasons)[:300]}")
    return sample
