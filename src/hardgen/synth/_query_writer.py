"""Query Writer: a hard query at the level of the advanced tool.

Every lifted value must be in the query (answerable) and no intermediate value may be (implicit):
both are checked mechanically by `check_query`, whoever wrote the query. The model-free writer
composes the query from the goal steps' intent phrases, the lifted values and the fields the user
wants back, with seeded variation and optional noise.
"""

from __future__ import annotations

import random
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from pydantic import Field

from hardgen.schema import Record, Step, ToolSpec
from hardgen.synth._advanced_tool import AdvancedTool
from hardgen.synth._text import humanize, intent_phrase, is_id_like, render_value, value_atoms
from hardgen.verify import value_in_text

_ANSWER_KEY_PRIORITY = re.compile(
    r"(status|total|balance|price|amount|cost|count|temperature|distance|duration|result|value|"
    r"id$|_id$|number|code|name|title|date|time|level|score|rate|quantity)"
)

_OPENERS = ("", "Hi! ", "Hello, ", "Quick request: ", "Could you help me with something? ", "Hey, ")
_CONNECTORS = (" and then ", ", and after that ", " and ")
_DETAIL_LEADS = ("Details: ", "Here is what you need: ", "Use these details - ", "For reference: ")
_ASK_BACK = ("When you're done, tell me the {fields}.", "Please report the {fields} at the end.",
             "Let me know the {fields}.")
_NOISE = (
    "I'm trying to get my week organised.",
    "This has been on my list for a while.",
    "My manager asked me to sort this out today.",
    "I'm on my phone, so keep it short.",
    "Thanks in advance, I appreciate it.",
)


REFERENCE_PHRASE = "the same one as before"
"""How a query names a value the conversation already produced (a later turn referring to an
earlier result): the agent must find it in the earlier turns."""


class HardQuery(Record):
    text: str
    lifted_values: dict[str, Any] = Field(default_factory=dict)
    answer_fields: list[str] = Field(default_factory=list)
    answer_values: list[Any] = Field(default_factory=list)
    noise: list[str] = Field(default_factory=list)


class QueryWriter(Protocol):
    async def write(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                    tools: Mapping[str, ToolSpec], rng: random.Random,
                    references: Collection[str] = ()) -> HardQuery: ...


def intermediate_values(steps: Sequence[Step], lifted: Mapping[str, Any]) -> list[Any]:
    """Values that flowed from one call's output into another's input and are not also stated by
    the user: the implicit steps' values a hard query must not reveal."""
    stated = {str(a).lower() for v in lifted.values() for a in value_atoms(v)}
    found: list[Any] = []
    for step in steps:
        for source in step.sources:
            for atom in value_atoms(step.call.arguments.get(source.parameter)):
                if str(atom).lower() in stated:
                    continue
                if isinstance(atom, (int, float)) and abs(atom) < 100:
                    continue  # small numbers (counts, indices) appear in ordinary prose by chance
                if isinstance(atom, str) and len(atom) < 3:
                    continue
                found.append(atom)
    return found


def check_query(text: str, lifted: Mapping[str, Any], steps: Sequence[Step],
                references: Collection[str] = ()) -> list[str]:
    """Problems that make a query unusable: a lifted value missing, or an intermediate value shown.
    `references` are lifted values the conversation already holds (an earlier turn's result); the
    query may name them instead of repeating them."""
    problems = []
    for name, value in lifted.items():
        if name in references:
            continue
        for atom in value_atoms(value):
            if not value_in_text(atom, text):
                problems.append(f"unanswerable: the value of {name!r} is not in the query")
                break
    for atom in intermediate_values(steps, lifted):
        if value_in_text(atom, text):
            problems.append("leaks an intermediate value that the agent must look up itself")
            break
    return problems


def answer_fields(steps: Sequence[Step], goal_steps: Sequence[int], lifted: Mapping[str, Any],
                  limit: int = 2) -> list[tuple[str, Any]]:
    """Fields of the goal steps' results that the user asks to be told, most informative first."""
    stated = {str(a).lower() for v in lifted.values() for a in value_atoms(v)}
    picked: list[tuple[str, Any]] = []
    for i in goal_steps:
        result = steps[i].observation.result if i < len(steps) else None
        if not isinstance(result, dict):
            continue
        scalars = [(k, v) for k, v in result.items()
                   if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).lower() not in stated
                   and (not isinstance(v, str) or 0 < len(v) <= 60)]
        scalars.sort(key=lambda kv: (0 if _ANSWER_KEY_PRIORITY.search(kv[0]) else 1, kv[0]))
        for key, value in scalars[:limit]:
            if isinstance(value, str) and len(value.split()) > 6:
                continue
            picked.append((key, value))
    return picked


class ModelFreeQueryWriter:
    """Template query writer over tool descriptions and lifted values; never states intermediate values."""

    name = "model-free"

    def __init__(self, noise: bool = True, ask_back: bool = True) -> None:
        self.noise = noise
        self.ask_back = ask_back

    async def write(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                    tools: Mapping[str, ToolSpec], rng: random.Random,
                    references: Collection[str] = ()) -> HardQuery:
        return self.compose(tool, arguments, steps, tools, rng, references)

    def compose(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                tools: Mapping[str, ToolSpec], rng: random.Random, references: Collection[str] = ()) -> HardQuery:
        intents = []
        for i in tool.goal_steps:
            name = tool.steps[i].tool
            intents.append(intent_phrase(tools[name]) if name in tools else humanize(name))
        intents = list(dict.fromkeys(intents))
        connector = rng.choice(_CONNECTORS)
        request = connector.join(intents)
        parts = [f"{rng.choice(_OPENERS)}I need you to {request}."]
        details = [f"{humanize(p)}: {REFERENCE_PHRASE if p in references else render_value(v)}"
                   for p, v in arguments.items()]
        if details:
            rng.shuffle(details)
            parts.append(rng.choice(_DETAIL_LEADS) + "; ".join(details) + ".")
        noise: list[str] = []
        if self.noise and rng.random() < 0.5:
            sentence = rng.choice(_NOISE)
            noise.append(sentence)
            parts.insert(rng.randrange(len(parts) + 1), sentence)
        fields = answer_fields(steps, tool.goal_steps, arguments) if self.ask_back else []
        fields = [(k, v) for k, v in fields if not is_id_like(v) or k.endswith("id")]
        if fields:
            names = " and ".join(dict.fromkeys(humanize(k) for k, _ in fields))
            parts.append(rng.choice(_ASK_BACK).format(fields=names))
        text = " ".join(p.strip() for p in parts if p.strip())
        return HardQuery(
            text=text,
            lifted_values=dict(arguments),
            answer_fields=[k for k, _ in fields],
            answer_values=[v for _, v in fields],
            noise=noise,
        )
