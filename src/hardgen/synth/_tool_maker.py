"""Tool Maker: abstract an executed trace into an executable AdvancedTool.

The model-free maker lifts every user-supplied value (an argument that did not come from an
earlier output) into a parameter, keeps the references between steps, turns "element i of a search
result" into a selection by a human-level field the user can name, and derives a name and a
description from the sub-tools. The LLM maker (`LLMToolMaker`) only renames and redescribes the
same executable body; it never changes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from hardgen.schema import ToolSpec, Trace
from hardgen.synth._advanced_tool import AdvancedTool, ArgBinding, ElementSelector, PathItem, StepTemplate
from hardgen.synth._text import first_sentence, humanize, intent_phrase, is_id_like

# (earlier tool, later tool) -> True when the earlier one is a state prerequisite of the later one.
PrerequisiteTest = Callable[[str, str], bool]


class ToolMaker(Protocol):
    async def make(self, trace: Trace, tools: Mapping[str, ToolSpec], taken: set[str]) -> AdvancedTool: ...


def _selector_field(elements: list[Any], chosen: int, taken_values: set[str]) -> str | None:
    """A field that names the chosen element uniquely and that a person would say (not an id)."""
    element = elements[chosen]
    if not isinstance(element, dict):
        return None
    preferred = sorted(element, key=lambda k: (0 if re.search(r"name|title|label|subject", k) else 1, k))
    for key in preferred:
        value = element[key]
        if not isinstance(value, str) or not value.strip() or is_id_like(value) or len(value) > 60:
            continue
        same = [e for e in elements if isinstance(e, dict) and str(e.get(key, "")).lower() == value.lower()]
        if len(same) == 1 and value not in taken_values:
            return key
    return None


def _entity(path: list[str | int]) -> str:
    """The noun for a selector parameter: ["products", 2, "product_id"] -> "product"."""
    for item in reversed(path):
        if isinstance(item, str) and not item.endswith("_id"):
            noun = item[:-1] if item.endswith("s") else item
            return noun
    return "item"


def build_advanced_tool(
    trace: Trace,
    tools: Mapping[str, ToolSpec],
    taken: set[str] | None = None,
    is_prerequisite: PrerequisiteTest | None = None,
) -> AdvancedTool:
    """Abstract `trace` into an AdvancedTool (model-free)."""
    taken = taken or set()
    properties: dict[str, Any] = {}
    example: dict[str, Any] = {}
    templates: list[StepTemplate] = []
    referenced: set[int] = set()

    def lift(base: str, value: Any, schema: dict[str, Any]) -> str:
        for name, existing in example.items():
            if (name == base or re.fullmatch(rf"{re.escape(base)}_\d+", name)) and existing == value:
                return name  # the same value for the same kind of parameter: the user says it once
        name, n = base, 2
        while name in example:
            name, n = f"{base}_{n}", n + 1
        example[name] = value
        properties[name] = {k: v for k, v in schema.items() if k != "default"}
        return name

    for step in trace.steps:
        spec = tools.get(step.call.name)
        param_schemas = spec.parameters.get("properties", {}) if spec else {}
        by_param = {s.parameter: s for s in step.sources}
        bindings: dict[str, ArgBinding] = {}
        for pname, value in step.call.arguments.items():
            source = by_param.get(pname)
            if source is None:
                bindings[pname] = ArgBinding(kind="param", param=lift(pname, value, param_schemas.get(pname, {})))
                continue
            referenced.add(source.step)
            result = trace.steps[source.step].observation.result
            path: list[PathItem] = []
            node = result
            for item in source.path:
                if isinstance(item, int) and isinstance(node, list) and len(node) > 1:
                    taken_values = {str(v) for v in example.values()}
                    field = _selector_field(node, item, taken_values)
                    if field is not None:
                        entity = _entity([p for p in source.path if isinstance(p, str)])
                        pname_sel = lift(f"{entity}_{field}" if field != entity else field, node[item][field],
                                         {"type": "string",
                                          "description": f"{humanize(field).capitalize()} of the {humanize(entity)}."})
                        path.append(ElementSelector(field=field, param=pname_sel))
                        node = node[item]
                        continue
                path.append(item)
                node = node[item] if isinstance(node, (list, dict)) else node
            bindings[pname] = ArgBinding(kind="ref", step=source.step, path=path)
        templates.append(StepTemplate(tool=step.call.name, arguments=bindings))

    names = [s.call.name for s in trace.steps]
    goal_steps = []
    for i, name in enumerate(names):
        if i in referenced:
            continue
        if is_prerequisite and any(is_prerequisite(name, later) for later in names[i + 1:]):
            continue
        goal_steps.append(i)
    if not goal_steps:
        goal_steps = [len(names) - 1]

    goal_names = list(dict.fromkeys(names[i] for i in goal_steps))
    base = "_and_".join(goal_names[:2]) + ("_more" if len(goal_names) > 2 else "")
    base = (base[:52] + "_adv") if len(trace.steps) > 1 else base[:52] + "_task"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1

    def phrase(tool_name: str) -> str:
        spec = tools.get(tool_name)
        return intent_phrase(spec) if spec else humanize(tool_name)

    goals_text = "; then ".join(f"{phrase(names[i])} ({names[i]})" for i in goal_steps)
    means = [i for i in range(len(names)) if i not in goal_steps]
    description = f"{goals_text[:1].upper()}{goals_text[1:]}."
    if means:
        description += " Internally it first " + ", then ".join(
            f"calls {names[i]} ({first_sentence(tools[names[i]].description).lower()})" if names[i] in tools
            else f"calls {names[i]}" for i in means) + "."
    if properties:
        description += " Inputs: " + ", ".join(humanize(p) for p in properties) + "."
    return AdvancedTool(
        name=name,
        description=description,
        parameters={"type": "object", "properties": properties, "required": list(properties)},
        steps=templates,
        example_arguments=example,
        goal_steps=goal_steps,
        source_trace_id=trace.target_tool,
        target_tool=trace.target_tool,
        environments=sorted({e.name for e in trace.environments}),
    )


class ModelFreeToolMaker:
    """The offline Tool Maker (see `build_advanced_tool`)."""

    name = "model-free"

    def __init__(self, is_prerequisite: PrerequisiteTest | None = None) -> None:
        self.is_prerequisite = is_prerequisite

    async def make(self, trace: Trace, tools: Mapping[str, ToolSpec], taken: set[str]) -> AdvancedTool:
        return build_advanced_tool(trace, tools, taken, self.is_prerequisite)
