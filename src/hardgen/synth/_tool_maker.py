"""Tool Maker: abstract an executed trace into an executable AdvancedTool.

The model-free maker lifts every user-supplied value (an argument that did not come from an
earlier output) into a parameter, keeps the references between steps, turns "element i of a search
result" into a selection by a human-level field the user can name, and derives a name and a
description from the sub-tools. The LLM maker (`LLMToolMaker`) only renames and redescribes the
same executable body; it never changes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from hardgen.graph import COMPUTED_RESULT_NAMES
from hardgen.schema import ToolSpec, Trace
from hardgen.synth._advanced_tool import AdvancedTool, ArgBinding, ElementSelector, PathItem, StepTemplate
from hardgen.synth._text import first_sentence, humanize, intent_phrase, is_id_like
from hardgen.tools import (
    declared_enabling,
    enabling_steps,
    is_creating,
    is_destroying,
    is_enabling_name,
    is_log_in,
    undoes,
)

# (earlier tool, later tool) -> True when the earlier one is a state prerequisite of the later one.
PrerequisiteTest = Callable[[str, str], bool]


class ToolMaker(Protocol):
    async def make(self, trace: Trace, tools: Mapping[str, ToolSpec], taken: set[str]) -> AdvancedTool: ...


def _selector_field(elements: list[Any], chosen: int, taken_values: set[str]) -> str | None:
    """A field that names the chosen element uniquely and that a person would say (not an id)."""
    element = elements[chosen]
    if not isinstance(element, dict):
        return None
    def rank(key: str) -> tuple[int, str]:
        value = element[key]
        human = 0 if re.search(r"name|title|label|subject", key) else 1
        return (human if isinstance(value, str) else 2 + human, key)

    for key in sorted(element, key=rank):
        value = element[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue
        if isinstance(value, str) and (not value.strip() or is_id_like(value) or len(value) > 60):
            continue
        same = [e for e in elements if isinstance(e, dict) and str(e.get(key, "")).lower() == str(value).lower()]
        if len(same) == 1 and str(value) not in taken_values:
            return key
    return None


def _entity(path: list[str | int]) -> str:
    """The noun for a selector parameter: ["products", 2, "product_id"] -> "product"."""
    for item in reversed(path):
        if isinstance(item, str) and not item.endswith("_id"):
            noun = item[:-1] if item.endswith("s") else item
            return noun
    return "item"


def focus_trace(trace: Trace, is_prerequisite: PrerequisiteTest | None = None,
                tools: Mapping[str, ToolSpec] | None = None) -> Trace:
    """The part of a trace that forms one task: the target call, the calls it depends on (through
    data flow or as a state prerequisite, transitively) and the later calls that use its output.
    Unrelated calls the sampler made along the way are left out (the body is re-executed, so the
    result is still a real, verifiable trace). A read is nobody's state prerequisite (it changes
    no state), whatever a guessed edge says, when `tools` tell which calls write."""
    steps = trace.steps
    if not steps:
        return trace
    names = [s.call.name for s in steps]
    target = max((i for i, n in enumerate(names) if n == trace.target_tool), default=len(steps) - 1)
    keep = {target}

    def close(frontier: list[int]) -> None:
        """Add what the steps in `frontier` need: their sources and state prerequisites."""
        while frontier:
            i = frontier.pop()
            parents = {src.step for src in steps[i].sources}
            if is_prerequisite:
                parents |= {j for j in range(i) if is_prerequisite(names[j], names[i])
                            and (tools is None or names[j] not in tools or tools[names[j]].mutates)}
            for j in parents - keep:
                keep.add(j)
                frontier.append(j)

    close([target])
    for i in range(target + 1, len(steps)):
        if any(src.step in keep for src in steps[i].sources):
            keep.add(i)
            close([i])  # a later user of the target's output brings its own prerequisites (log in)
    if len(keep) == len(steps):
        return trace
    order = sorted(keep)
    remap = {old: new for new, old in enumerate(order)}
    kept = [steps[i].model_copy(update={"sources": [s.model_copy(update={"step": remap[s.step]})
                                                    for s in steps[i].sources if s.step in remap]})
            for i in order]
    return trace.model_copy(update={"steps": kept})


def _find_path(node: Any, value: Any, key: str, depth: int = 0) -> list[str | int] | None:
    """The path of the first field named `key` that holds `value` in a result."""
    if depth > 6:
        return None
    if isinstance(node, dict):
        if key in node and node[key] == value:
            return [key]
        items: list[tuple[str | int, Any]] = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node[:200]))
    else:
        return None
    for k, child in items:
        found = _find_path(child, value, key, depth + 1)
        if found is not None:
            return [k, *found]
    return None


def shortcut_lookups(trace: Trace, tools: Mapping[str, ToolSpec] | None = None) -> Trace:
    """Take each looked-up value from the most direct lookup that already returned it: one made
    with the user's own values, else the earliest along its chain. Find a user by name, then by
    the email that gave, then use the id is one lookup too many when the first result carried
    the id. The skipped lookups then feed nothing and are dropped. Only lookups are skipped: a
    value taken from a write (the contact just added) stays, the write may be what makes the
    later call possible."""
    steps = [s.model_copy(deep=True) for s in trace.steps]
    changed = False
    for step in steps:
        for n, source in enumerate(step.sources):
            feeding = tools.get(steps[source.step].call.name) if tools is not None else None
            if feeding is None or feeding.mutates:
                continue
            key = next((p for p in reversed(source.path) if isinstance(p, str)), source.parameter)
            value = step.call.arguments.get(source.parameter)
            if value is None or isinstance(value, (dict, list, bool)):
                continue
            chain, frontier = set(), [source.step]
            while frontier:  # the lookups the source itself depended on
                i = frontier.pop()
                for parent in steps[i].sources:
                    if parent.step not in chain:
                        chain.add(parent.step)
                        frontier.append(parent.step)
            # A lookup made with the user's own values comes first (find the employee by the name
            # given), then the earliest lookup of the chain.
            direct = [k for k in range(source.step) if not steps[k].sources and steps[k].call.arguments
                      and k not in chain]
            for k in [*direct, *sorted(chain)]:
                if not steps[k].observation.ok:
                    continue
                path = _find_path(steps[k].observation.result, value, key)
                if path is not None:
                    step.sources[n] = source.model_copy(update={"step": k, "path": path})
                    changed = True
                    break
    return trace.model_copy(update={"steps": steps}) if changed else trace


def _round_trip(trace: Trace, tools: Mapping[str, ToolSpec]) -> str | None:
    """Why a lookup of the trace only finds again an identifier its own inputs were derived from
    (location id -> air quality -> city -> location id), or None."""
    steps = trace.steps
    for step in steps:
        spec = tools.get(step.call.name)
        if not step.sources or not step.observation.ok or spec is None or spec.mutates:
            continue
        ancestors, frontier = set(), [s.step for s in step.sources]
        while frontier:
            i = frontier.pop()
            if i not in ancestors:
                ancestors.add(i)
                frontier.extend(s.step for s in steps[i].sources)
        given = {str(v) for i in ancestors for v in steps[i].call.arguments.values() if is_id_like(v)}
        given |= {str(steps[i].call.arguments.get(s.parameter)) for i in ancestors for s in steps[i].sources}
        found = _id_values(step.observation.result)
        back = sorted(found & given - {str(v) for v in step.call.arguments.values()})
        if back:
            return f"round trip: {step.call.name} only finds {back[0]} again, which its inputs came from"
        # gallons -> litres -> gallons: a number the user gave, computed back (to rounding).
        numbers = [v for i in ancestors for k, v in steps[i].call.arguments.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)
                   and not any(src.parameter == k for src in steps[i].sources)]
        results = [v for v in _numbers(step.observation.result) if v not in step.call.arguments.values()]
        if any(math.isclose(a, b, rel_tol=1e-3) and a != 0 for a in numbers for b in results):
            return f"round trip: {step.call.name} only computes back a number its inputs came from"
    return None


def _numbers(node: Any, depth: int = 0) -> list[float]:
    """The numbers at the top levels of a result."""
    if isinstance(node, bool) or depth > 2:
        return []
    if isinstance(node, (int, float)):
        return [float(node)]
    if isinstance(node, dict):
        return [n for v in node.values() for n in _numbers(v, depth + 1)]
    return []


def _id_values(node: Any, depth: int = 0) -> set[str]:
    if depth > 3:
        return set()
    if isinstance(node, dict):
        return {str(v) for k, v in node.items() if k.endswith("_id") and is_id_like(v)} | {
            x for v in node.values() if isinstance(v, dict) for x in _id_values(v, depth + 1)}
    return set()


def _kept(templates: list[StepTemplate], trace: Trace, keep: list[int]
          ) -> tuple[list[StepTemplate], Trace, dict[int, int]]:
    """The templates and trace steps at `keep` (in order), references renumbered."""
    renumber = {old: new for new, old in enumerate(keep)}
    kept = [templates[i].model_copy(update={"arguments": {
        k: (b.model_copy(update={"step": renumber[b.step]}) if b.kind == "ref" and b.step is not None else b)
        for k, b in templates[i].arguments.items()}}) for i in keep]
    return kept, trace.model_copy(update={"steps": [trace.steps[i] for i in keep]}), renumber


def _idle_enablers(templates: list[StepTemplate], trace: Trace, tools: Mapping[str, ToolSpec],
                   is_prerequisite: PrerequisiteTest | None) -> set[int]:
    """Enabling steps (log in, cd) that no later step needs: none has them as a prerequisite and
    none reads their result. Only with a prerequisite test to tell."""
    if is_prerequisite is None:
        return set()
    names = [s.call.name for s in trace.steps]
    target = max((i for i, n in enumerate(names) if n == trace.target_tool), default=len(names) - 1)
    read = {b.step for t in templates for b in t.arguments.values() if b.kind == "ref" and b.step is not None}
    idle = {i for i in enabling_steps(trace.steps, tools, is_prerequisite) if i != target and i not in read
            and not any(is_prerequisite(names[i], names[j]) for j in range(i + 1, len(names)))}
    last = len(names) - 1
    earlier_writes = [i for i in range(last) if names[i] in tools and tools[names[i]].mutates and not is_log_in(names[i])]
    if earlier_writes and last not in read and is_log_in(names[last]) \
            and (names[last] not in tools or tools[names[last]].mutates):
        # Logging in as someone after the changes asked for (the receiver of the message just
        # sent) opens a session nothing uses: no user ends a task that way, target or not.
        idle.add(last)
    return idle



def _unconnected(templates: list[StepTemplate], trace: Trace, tools: Mapping[str, ToolSpec],
                 is_prerequisite: PrerequisiteTest | None) -> set[int]:
    """Steps tied to the target by no reference and no state prerequisite, however indirectly."""
    names = [s.call.name for s in trace.steps]
    if len(names) < 2:
        return set()
    target = max((i for i, n in enumerate(names) if n == trace.target_tool), default=len(names) - 1)
    links: dict[int, set[int]] = {i: set() for i in range(len(names))}
    for i, template in enumerate(templates):
        for b in template.arguments.values():
            if b.kind == "ref" and b.step is not None and b.step in links:
                links[i].add(b.step)
                links[b.step].add(i)
        if is_prerequisite is not None:
            for j in range(i):
                if is_prerequisite(names[j], names[i]) and (names[j] not in tools or tools[names[j]].mutates):
                    links[i].add(j)
                    links[j].add(i)
    seen, frontier = {target}, [target]
    while frontier:
        for j in links[frontier.pop()] - seen:
            seen.add(j)
            frontier.append(j)
    return set(links) - seen


def build_advanced_tool(
    trace: Trace,
    tools: Mapping[str, ToolSpec],
    taken: set[str] | None = None,
    is_prerequisite: PrerequisiteTest | None = None,
) -> AdvancedTool:
    """Abstract `trace` into an AdvancedTool (model-free), focused on its target (`focus_trace`)."""
    taken = taken or set()
    trace = focus_trace(shortcut_lookups(trace, tools), is_prerequisite, tools)
    round_trip = _round_trip(trace, tools)
    properties: dict[str, Any] = {}
    example: dict[str, Any] = {}
    templates: list[StepTemplate] = []
    referenced: set[int] = set()
    ambiguous = False
    selected: dict[tuple[int, tuple[Any, ...]], int] = {}

    def lift(base: str, value: Any, schema: dict[str, Any], tool_name: str = "") -> str:
        for name, existing in example.items():
            if (name == base or name.endswith(f"_{base}")) and existing == value:
                return name  # the same value for the same kind of parameter: the user says it once
        # A second, different value for the same kind of parameter is named after its tool
        # ("reschedule_calendar_event_start"), so the user's words can tell the two apart.
        name = base if base not in example else f"{tool_name}_{base}" if tool_name else base
        n = 2
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
                if value is None:
                    continue  # an optional parameter left at null: the call is the same without it
                bindings[pname] = ArgBinding(kind="param",
                                             param=lift(pname, value, param_schemas.get(pname, {}), step.call.name))
                continue
            referenced.add(source.step)
            result = trace.steps[source.step].observation.result
            path: list[PathItem] = []
            node = result
            named_directly: str | None = None
            for position, item in enumerate(source.path):
                if (isinstance(item, int) and isinstance(node, list) and len(node) > 1
                        and position == len(source.path) - 1 and item < len(node)
                        and isinstance(node[item], str) and 0 < len(node[item].strip()) <= 60
                        and not is_id_like(node[item]) and sum(1 for e in node if e == node[item]) == 1):
                    # One name out of a list of names (`ls` -> "reports"): the user says the name.
                    named_directly = lift(pname, value, param_schemas.get(pname, {}), step.call.name)
                    break
                if isinstance(item, int) and isinstance(node, list) and len(node) > 1:
                    taken_values = {str(v) for v in example.values()}
                    field = _selector_field(node, item, taken_values)
                    list_key = (source.step, tuple(p for p in path if not isinstance(p, ElementSelector)))
                    if list_key in selected and selected[list_key] != item:
                        ambiguous = True  # two different picks from one list: the words would not say which is which
                    selected[list_key] = item
                    if field is not None:
                        entity = _entity([p for p in source.path if isinstance(p, str)])
                        chosen = node[item][field]
                        kind = "string" if isinstance(chosen, str) else "number"
                        pname_sel = lift(f"{entity}_{field}" if field != entity else field, chosen,
                                         {"type": kind,
                                          "description": f"{humanize(field).capitalize()} of the {humanize(entity)}."})
                        path.append(ElementSelector(field=field, param=pname_sel))
                        node = node[item]
                        continue
                if isinstance(item, int) and isinstance(node, list) and len(node) > 1:
                    ambiguous = True  # "element 3 of the results" with nothing a user could name it by
                path.append(item)
                # A path recorded on this very result steps into lists by int; a malformed one
                # (a name into a list) fails here with Python's TypeError, unchecked on purpose.
                node = node[item] if isinstance(node, (list, dict)) else node  # type: ignore[index]
            if named_directly is not None:
                bindings[pname] = ArgBinding(kind="param", param=named_directly)
                continue
            selector = next((p for p in path if isinstance(p, ElementSelector)
                             and path and isinstance(path[-1], str) and p.field == path[-1]), None)
            if selector is not None:
                # "the register named tax_rate" -> its name: the user already said it, so the
                # lookup adds nothing and the value is bound to what the user says.
                bindings[pname] = ArgBinding(kind="param", param=selector.param)
                continue
            creates = is_creating(step.call.name) and spec is not None and spec.mutates
            if ((creates or (not any(isinstance(p, ElementSelector) for p in path)
                             and not templates[source.step].arguments))
                    and not is_id_like(value) and isinstance(value, (str, int, float)) and not isinstance(value, bool)):
                # A plain attribute copied out of an unrelated listing (a new account's currency
                # from the first payee), or into something new (a new address's street copied
                # from the Home address): nothing in the task says why that one, so the user says it.
                bindings[pname] = ArgBinding(kind="param",
                                             param=lift(pname, value, param_schemas.get(pname, {}), step.call.name))
                continue
            bindings[pname] = ArgBinding(kind="ref", step=source.step, path=path,
                                         wrap_list=isinstance(value, list) and not isinstance(node, list))
        templates.append(StepTemplate(tool=step.call.name, arguments=bindings))

    # Reads that only looked up what the user says anyway are dropped (their steps renumbered).
    # Dropping one can leave the lookup that fed it feeding nothing: repeat until none is left.
    def is_read(i: int) -> bool:
        return not (tools.get(trace.steps[i].call.name) and tools[trace.steps[i].call.name].mutates)

    redundant: set[int] = set()
    while True:
        live = {b.step for i, t in enumerate(templates) if i not in redundant
                for b in t.arguments.values() if b.kind == "ref" and b.step is not None}
        more = {i for i in referenced - live - redundant if is_read(i)}
        if not more:
            break
        redundant |= more
    if redundant:
        keep = [i for i in range(len(templates)) if i not in redundant]
        templates, trace, renumber = _kept(templates, trace, keep)
        referenced = {renumber[i] for i in live}
    # A log-in after everything it enables (the sampler logged in again late): it enables nothing.
    idle = _idle_enablers(templates, trace, tools, is_prerequisite)
    if idle:
        keep = [i for i in range(len(templates)) if i not in idle]
        templates, trace, renumber = _kept(templates, trace, keep)
        referenced = {renumber[i] for i in referenced if i in renumber}
    # A dropped lookup may have been all that tied two calls together (a listing both a move and
    # a sort read from): what no longer connects to the target is another task, and is left out.
    loose = _unconnected(templates, trace, tools, is_prerequisite)
    if loose:
        keep = [i for i in range(len(templates)) if i not in loose]
        templates, trace, renumber = _kept(templates, trace, keep)
        referenced = {renumber[i] for i in referenced if i in renumber}
    if redundant or idle or loose:
        used = {b.param for t in templates for b in t.arguments.values() if b.kind == "param"}
        used |= {p.param for t in templates for b in t.arguments.values() for p in b.path
                 if isinstance(p, ElementSelector)}
        example = {k: v for k, v in example.items() if k in used}
        properties = {k: v for k, v in properties.items() if k in used}

    names = [s.call.name for s in trace.steps]
    # Implicit steps may only be lookups and enabling writes (log in, cd); any other write is a
    # change the user asks for, so it is a goal, also when a later step uses its result (the list
    # an item goes into).
    enabling = enabling_steps(trace.steps, tools, is_prerequisite)
    # A read that computes (its output is a bare `result`: a sum, a conversion) finds nothing the
    # user could be expected to know is needed, unlike a lookup of an id by its name: which sum
    # to take is the user's to say, so it is a goal too.
    computed = {b.step for t in templates for b in t.arguments.values() if b.kind == "ref" and b.step is not None
                and (keys := [p for p in b.path if isinstance(p, str)]) and keys[-1].lower() in COMPUTED_RESULT_NAMES}
    goal_steps = []
    for i, name in enumerate(names):
        spec = tools.get(name)
        writes = spec.mutates if spec is not None else True
        if i in enabling and (is_enabling_name(name) or spec is None or declared_enabling(spec)):
            continue
        # A write that only the graph says enables the next (a deposit before a withdrawal that
        # lacked funds) changes the user's data: it is asked for, never done unasked.
        if not writes and i in referenced and i not in computed:
            continue
        goal_steps.append(i)
    if not goal_steps:
        goal_steps = [len(names) - 1]
    problem = round_trip
    for template in templates:
        if problem is not None:
            break
        made = [b.step for b in template.arguments.values() if b.kind == "ref" and b.step is not None
                and (tools.get(names[b.step]) is None or tools[names[b.step]].mutates)]
        if made and is_destroying(template.tool):
            problem = f"create-then-destroy: {template.tool} undoes what {names[made[0]]} just made"
            break
    for j, later in enumerate(trace.steps):
        if problem is not None:
            break
        for earlier in trace.steps[:j]:
            if undoes(earlier.call.name, later.call.name) and (
                    earlier.call.arguments == later.call.arguments
                    or set(map(str, earlier.call.arguments.values())) & set(map(str, later.call.arguments.values()))):
                # freeze a card, then unfreeze it: the user would not ask for both.
                problem = f"create-then-destroy: {later.call.name} undoes {earlier.call.name}"
                break

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
        target_tool=trace.target_tool,
        environments=sorted({e.name for e in trace.environments}),
        ambiguous=ambiguous,
        problem=problem or ("ambiguous: a list element nothing the user could say singles out" if ambiguous else None),
    )


class ModelFreeToolMaker:
    """The offline Tool Maker (see `build_advanced_tool`)."""

    name = "model-free"

    def __init__(self, is_prerequisite: PrerequisiteTest | None = None) -> None:
        self.is_prerequisite = is_prerequisite

    async def make(self, trace: Trace, tools: Mapping[str, ToolSpec], taken: set[str]) -> AdvancedTool:
        return build_advanced_tool(trace, tools, taken, self.is_prerequisite)
