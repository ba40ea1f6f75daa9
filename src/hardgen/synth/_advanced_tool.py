"""AdvancedTool: an executable composite of primitive (or other advanced) tool calls.

Unlike the paper's text-only specification, an advanced tool's body is declarative data: steps
whose arguments are a lifted parameter, a constant, or a reference into an earlier step's result.
No model output is ever executed as code. Calling the tool with the lifted values of its source
trace replays that trace; calling it with other values makes a new trace, itself executed and
verified downstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from hardgen.schema import ArgumentSource, Record, Step, ToolCall, ToolSpec


class ElementSelector(Record):
    """Pick the element of a list whose `field` equals the value of parameter `param` (strings
    compared case-insensitively): how a user's words ("the Brass Desk Lamp") select a search hit."""

    field: str
    param: str


PathItem = str | int | ElementSelector


class ArgBinding(Record):
    """Where one argument of a step comes from."""

    kind: Literal["param", "const", "ref"]
    param: str | None = None
    """For `param`: the advanced tool's parameter."""
    value: Any = None
    """For `const`: the value."""
    step: int | None = None
    """For `ref`: index of the earlier step (in this body) whose result supplies the value."""
    path: list[PathItem] = Field(default_factory=list)
    """For `ref`: path inside that result."""
    wrap_list: bool = False
    """For `ref`: the parameter takes a list and the path leads to one element of it."""


class StepTemplate(Record):
    tool: str
    """A primitive tool, or an advanced tool of the library (nesting)."""
    arguments: dict[str, ArgBinding] = Field(default_factory=dict)


class AdvancedTool(Record):
    """A composite tool made by the Tool Maker from an executed trace."""

    name: str
    description: str
    parameters: dict[str, Any]
    """JSON Schema (object) of the lifted parameters."""
    steps: list[StepTemplate]
    example_arguments: dict[str, Any] = Field(default_factory=dict)
    """The lifted values of the source trace: calling with them reproduces it."""
    goal_steps: list[int] = Field(default_factory=list)
    """Steps whose effect or result is what the user wants (the others are implicit means)."""
    source_trace_id: str | None = None
    """Which trace of the run it was made from (`trace-<line>` of traces.jsonl), when known."""
    target_tool: str | None = None
    environments: list[str] = Field(default_factory=list)
    """Names of the environments the body needs."""
    ambiguous: bool = False
    """A step takes the n-th element of a list that nothing the user could say singles out: no
    query can pin it down, so such tools are kept out of the library."""
    problem: str | None = None
    """Why no sensible task can be made of this body (it creates an entity and then destroys it,
    a list element nothing singles out, ...); such tools are kept out of the library, counted by
    this reason."""

    def to_tool_spec(self) -> ToolSpec:
        return ToolSpec(name=self.name, description=self.description, parameters=self.parameters,
                        kind="advanced", mutates=True)

    @property
    def primitive_tools(self) -> list[str]:
        return [s.tool for s in self.steps]


class AdvancedExecutionError(Exception):
    """A step of an advanced tool could not be bound or failed."""

    def __init__(self, message: str, steps: list[Step]) -> None:
        super().__init__(message)
        self.steps = steps


def _get(node: Any, path: list[PathItem], arguments: Mapping[str, Any]) -> Any:
    for item in path:
        if isinstance(item, ElementSelector):
            if not isinstance(node, list):
                raise KeyError(f"expected a list to select {item.field}={arguments.get(item.param)!r} from")
            want = arguments.get(item.param)
            matches = [e for e in node if isinstance(e, dict) and _equal_loose(e.get(item.field), want)]
            if not matches:
                raise KeyError(f"no element with {item.field} = {want!r}")
            node = matches[0]
        elif isinstance(node, list):
            if not isinstance(item, int) or item >= len(node):
                raise KeyError(f"index {item!r} out of range")
            node = node[item]
        elif isinstance(node, dict):
            if item not in node:
                raise KeyError(f"no field {item!r}")
            node = node[item]
        else:
            raise KeyError(f"cannot take {item!r} of a {type(node).__name__}")
    return node


def _equal_loose(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().lower() == b.strip().lower()
    return bool(a == b)


def _plain_path(path: list[PathItem], result: Any, arguments: Mapping[str, Any]) -> list[str | int]:
    """The path with selectors resolved to indices, for ArgumentSource records."""
    out: list[str | int] = []
    node = result
    for item in path:
        if isinstance(item, ElementSelector):
            want = arguments.get(item.param)
            index = next(i for i, e in enumerate(node) if isinstance(e, dict) and _equal_loose(e.get(item.field), want))
            out.append(index)
            node = node[index]
        else:
            out.append(item)
            node = node[item]
    return out


def execute_advanced(
    tool: AdvancedTool,
    arguments: Mapping[str, Any],
    session: Any,
    library: Mapping[str, AdvancedTool] | None = None,
    *,
    turn: int = 0,
    _offset: int = 0,
) -> list[Step]:
    """Execute an advanced tool on a live session; return the executed primitive steps.

    Raises AdvancedExecutionError (carrying the steps done so far) when an argument cannot be
    bound or a step fails, so the caller can drop the candidate with a reason.
    """
    missing = [p for p in tool.parameters.get("required", []) if p not in arguments]
    if missing:
        raise AdvancedExecutionError(f"{tool.name}: missing argument(s) {missing}", [])
    executed: list[Step] = []
    results: list[Any] = []  # result per body step
    last_index: list[int] = []  # index into `executed` of each body step's final primitive step
    for index, template in enumerate(tool.steps):
        args: dict[str, Any] = {}
        sources: list[ArgumentSource] = []
        for pname, binding in template.arguments.items():
            try:
                if binding.kind == "param":
                    if binding.param is None or binding.param not in arguments:
                        continue  # optional parameter left out (or, malformed, none named)
                    args[pname] = arguments[binding.param]
                elif binding.kind == "const":
                    args[pname] = binding.value
                else:
                    assert binding.step is not None
                    args[pname] = _get(results[binding.step], binding.path, arguments)
                    if binding.wrap_list and not isinstance(args[pname], list):
                        args[pname] = [args[pname]]
                    sources.append(ArgumentSource(
                        parameter=pname,
                        step=_offset + last_index[binding.step],
                        path=_plain_path(binding.path, results[binding.step], arguments),
                    ))
            except (KeyError, IndexError, StopIteration, TypeError) as exc:
                raise AdvancedExecutionError(
                    f"{tool.name} step {index + 1} ({template.tool}): cannot bind {pname!r}: {exc}", executed
                ) from None
        nested = library.get(template.tool) if library else None
        if nested is not None:
            sub = execute_advanced(nested, args, session, library, turn=turn, _offset=_offset + len(executed))
            executed.extend(sub)
            results.append(sub[-1].observation.result if sub else None)
        else:
            obs = session.call(template.tool, args)
            executed.append(Step(call=ToolCall(name=template.tool, arguments=args), observation=obs, turn=turn,
                                 sources=sources))
            if not obs.ok:
                assert obs.error is not None
                raise AdvancedExecutionError(
                    f"{tool.name} step {index + 1} ({template.tool}) failed: {obs.error.type}: {obs.error.message}",
                    executed,
                )
            results.append(obs.result)
        last_index.append(len(executed) - 1)
    return executed


def without_steps(tool: AdvancedTool, drop: set[int]) -> AdvancedTool | None:
    """The tool with body steps `drop` left out (references and goals renumbered, parameters no
    step uses any more removed), or None when a kept step takes its value from a dropped one or
    no goal would be left. Used for a later turn whose log-in already happened earlier in the
    conversation: the user does not log in twice."""
    keep = [i for i in range(len(tool.steps)) if i not in drop]
    refs = {b.step for t in tool.steps for b in t.arguments.values() if b.kind == "ref"}
    if not drop or refs & drop or not keep:
        return None
    renumber = {old: new for new, old in enumerate(keep)}
    steps = [tool.steps[i].model_copy(update={"arguments": {
        k: (b.model_copy(update={"step": renumber[b.step]}) if b.kind == "ref" and b.step is not None else b)
        for k, b in tool.steps[i].arguments.items()}}) for i in keep]
    goals = [renumber[g] for g in tool.goal_steps if g in renumber]
    if not goals:
        return None
    used = {b.param for t in steps for b in t.arguments.values() if b.kind == "param"}
    used |= {p.param for t in steps for b in t.arguments.values() for p in b.path if isinstance(p, ElementSelector)}
    properties = {k: v for k, v in tool.parameters.get("properties", {}).items() if k in used}
    return tool.model_copy(update={
        "steps": steps,
        "goal_steps": goals,
        "parameters": {**tool.parameters, "properties": properties,
                       "required": [p for p in tool.parameters.get("required", []) if p in used]},
        "example_arguments": {k: v for k, v in tool.example_arguments.items() if k in used},
    })
