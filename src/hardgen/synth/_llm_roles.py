"""The LLM implementations of the Phase II/III roles. Prompts are Jinja files in `prompts/`;
structured output is parsed and validated, and garbage falls back to the model-free result (for
naming) or becomes a recorded failure (for queries and reasoning), never an unchecked value."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from hardgen.agents import run_agent
from hardgen.llm import Backend, ChatRequest
from hardgen.schema import Message, Step, ToolSpec, Trace
from hardgen.synth._advanced_tool import AdvancedTool
from hardgen.synth._critic import CriticHint, model_free_hint, sanitize_hint
from hardgen.synth._query_writer import HardQuery, ModelFreeQueryWriter, answer_fields, check_query, intermediate_values
from hardgen.synth._reasoner import ReasonerAttempt, ReasonerTask
from hardgen.synth._text import first_sentence, humanize, intent_phrase, render_value
from hardgen.synth._tool_maker import PrerequisiteTest, build_advanced_tool
from hardgen.verify import TurnVerdict

_NAME = re.compile(r"^[a-z][a-z0-9_]{2,47}$")


@cache
def _template(name: str) -> jinja2.Template:
    text = resources.files("hardgen.synth").joinpath(f"prompts/{name}").read_text("utf-8")
    return jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined).from_string(text)


def prompt_version(name: str) -> str:
    """The `version:` tag written at the top of a prompt file (recorded in sample provenance)."""
    text = resources.files("hardgen.synth").joinpath(f"prompts/{name}").read_text("utf-8")
    match = re.search(r"version:\s*(\S+)", text)
    return match.group(1) if match else "unversioned"


def _json_object(text: str | None) -> dict[str, Any] | None:
    """The first JSON object in a model's answer (fenced or bare), or None."""
    if not text:
        return None
    text = re.sub(r"<think>.*?</think>", "", text, flags=re.S)
    for candidate in (text, *re.findall(r"\{.*\}", text, flags=re.S)):
        try:
            value = json.loads(candidate.strip().removeprefix("```json").removesuffix("```"))
        except (json.JSONDecodeError, ValueError):
            continue
        if isinstance(value, dict):
            return value
    return None


async def _ask_json(backend: Backend, prompt: str, schema: dict[str, Any], seed: int | None, role: str) -> dict[str, Any] | None:
    request = ChatRequest(messages=[Message.user(prompt)], response_schema=schema, seed=seed, temperature=0.7,
                          metadata={"role": role})
    response = await backend.complete(request)
    return _json_object(response.message.content)


class LLMToolMaker:
    """Names and describes the executable body the model-free maker lifted (the body is never
    taken from the model)."""

    def __init__(self, backend: Backend, is_prerequisite: PrerequisiteTest | None = None) -> None:
        self.backend = backend
        self.is_prerequisite = is_prerequisite
        self.name = f"llm:{backend.model}"

    async def make(self, trace: Trace, tools: Mapping[str, ToolSpec], taken: set[str]) -> AdvancedTool:
        body = build_advanced_tool(trace, tools, taken, self.is_prerequisite)
        prompt = _template("tool_maker.j2").render(
            steps=[{"tool": s.tool, "description": first_sentence(tools[s.tool].description) if s.tool in tools else ""}
                   for s in body.steps],
            inputs=[humanize(p) for p in body.parameters.get("properties", {})],
            goals="; ".join(intent_phrase(tools[body.steps[i].tool]) for i in body.goal_steps if body.steps[i].tool in tools),
        )
        schema = {"type": "object", "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
                  "required": ["name", "description"]}
        answer = await _ask_json(self.backend, prompt, schema, None, "tool_maker")
        if not answer:
            return body
        name = str(answer.get("name", "")).strip().lower()
        description = str(answer.get("description", "")).strip()
        update: dict[str, Any] = {}
        if _NAME.match(name) and name not in taken and name not in tools:
            update["name"] = name
        if 10 <= len(description) <= 600:
            # Keep the model-free part that names the sub-tools: it is the Reasoner's hint.
            internal = body.description.partition(". Internally")[2]
            update["description"] = description + (f" Internally{internal}" if internal else "")
        return body.model_copy(update=update)


class LLMQueryWriter:
    """Writes the hard query with a model; rewrites (up to `rewrites` times) when the mechanical
    check finds a lifted value missing or an intermediate value shown."""

    def __init__(self, backend: Backend, rewrites: int = 2, noise: bool = True) -> None:
        self.backend = backend
        self.rewrites = rewrites
        self.noise = noise
        self.name = f"llm:{backend.model}"

    async def write(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                    tools: Mapping[str, ToolSpec], rng: random.Random,
                    references: Collection[str] = ()) -> HardQuery:
        fields = answer_fields(steps, tool.goal_steps, arguments)
        goal = tool.description.partition(". Internally")[0]
        forbidden = [render_value(v) for v in intermediate_values(steps, arguments)]
        problems: list[str] = []
        text = ""
        schema = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
        for _ in range(self.rewrites + 1):
            prompt = _template("query_writer.j2").render(
                goal=goal, values={humanize(k): render_value(v) for k, v in arguments.items() if k not in references},
                references=[humanize(k) for k in references], forbidden=forbidden,
                fields=[humanize(k) for k, _ in fields], noise=self.noise and rng.random() < 0.5, problems=problems)
            answer = await _ask_json(self.backend, prompt, schema, rng.randrange(2**31), "query_writer")
            text = str(answer.get("query", "")).strip() if answer else ""
            problems = (check_query(text, arguments, steps, references) if text
                        else ["the answer was not JSON with a query"])
            if not problems:
                break
        if not text:
            # Garbage every time: the model-free writer's query, so the unit is still checked, not lost.
            return ModelFreeQueryWriter(noise=self.noise).compose(tool, arguments, steps, tools, rng, references)
        return HardQuery(text=text, lifted_values=dict(arguments), answer_fields=[k for k, _ in fields],
                         answer_values=[v for _, v in fields])


class LLMReasoner:
    """A model solving the query through the agent loop, with the hint and critic feedback in its
    system prompt."""

    def __init__(self, backend: Backend, max_steps: int = 16, temperature: float | None = None) -> None:
        self.backend = backend
        self.max_steps = max_steps
        self.temperature = temperature
        self.name = f"llm:{backend.model}"

    async def solve(self, task: ReasonerTask, environment: Any, hints: Sequence[CriticHint]) -> ReasonerAttempt:
        history = list(task.history)
        system = history[0].content if history and history[0].role == "system" else ""
        prompt = _template("reasoner_system.j2").render(system_prompt=system, hint=task.hint, hints=[h.text for h in hints])
        messages = [Message.system(prompt), *history[1:]] if history else [Message.system(prompt), Message.user(task.query)]
        run = await run_agent(self.backend, messages, task.tools, environment, max_steps=self.max_steps,
                              temperature=self.temperature, metadata={"role": "reasoner", "turn": task.turn})
        steps = [s.model_copy(update={"turn": task.turn}) for s in run.steps]
        rejected = [r.model_copy(update={"turn": task.turn}) for r in run.rejected]
        return ReasonerAttempt(messages=run.messages, steps=steps, answer=run.final_answer, error=run.error,
                               rejected=rejected,
                               prompt_tokens=run.usage.prompt_tokens, completion_tokens=run.usage.completion_tokens)


class LLMCritic:
    """A model writing the hint; any hint that reveals a gold value is replaced by a generic one,
    and an unusable answer by the model-free hint."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = f"llm:{backend.model}"

    async def critique(self, gold: Any, attempt: Sequence[Step], verdict: TurnVerdict,
                       answer_fields: Sequence[str] = ()) -> CriticHint:
        fallback = model_free_hint(gold, attempt, verdict, answer_fields)
        prompt = _template("critic.j2").render(
            query=gold.query, gold_tools=[s.call.name for s in gold.steps], attempt=[s.call.name for s in attempt],
            reasons=verdict.reasons)
        schema = {"type": "object", "properties": {k: {"type": "string"} for k in ("kind", "tool", "parameter", "text")},
                  "required": ["kind", "text"]}
        answer = await _ask_json(self.backend, prompt, schema, None, "critic")
        kinds = {"missing_step", "wrong_argument", "failed_call", "wrong_tool", "extra_change", "answer_missing", "no_calls"}
        if not answer or answer.get("kind") not in kinds or not str(answer.get("text", "")).strip():
            return sanitize_hint(fallback, gold)
        # The model's `tool` and `parameter` are kept only when they name a real tool and one of its
        # parameters: free text there could carry a gold value past the text check.
        names = {st.call.name for st in gold.steps} | {st.call.name for st in attempt}
        tool = answer.get("tool") if answer.get("tool") in names else fallback.tool
        params = {p for st in gold.steps if st.call.name == tool for p in st.call.arguments}
        parameter = answer.get("parameter") if answer.get("parameter") in params else fallback.parameter
        hint = CriticHint(kind=answer["kind"], text=str(answer["text"]).strip()[:400], tool=tool, parameter=parameter,
                          producer=fallback.producer, before=fallback.before, fields=fallback.fields)
        return sanitize_hint(hint, gold)
