"""The LLM implementations of the Phase II/III roles. Prompts are Jinja files in `prompts/`;
structured output is parsed and validated, and garbage falls back to the model-free result (for
naming, queries and hints) or becomes a recorded failure (for reasoning), never an unchecked value.

A server error is the server's, not the unit's: the role falls back to its model-free
implementation for that unit and counts it in `fallbacks` (the run's manifest shows them). Errors
that make the whole run pointless (`hardgen.llm.is_fatal`: an unusable server, a spent budget) are
not caught here; they end the run with their message.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any, get_args

import jinja2

from hardgen.agents import run_agent
from hardgen.llm import Backend, BackendError, ChatRequest, is_fatal
from hardgen.schema import Message, Step, ToolSpec, Trace
from hardgen.synth import _voice as voice
from hardgen.synth._advanced_tool import AdvancedTool
from hardgen.synth._answering import field_noun
from hardgen.synth._critic import CriticHint, HintKind, model_free_hint, sanitize_hint
from hardgen.synth._phrasing import tool_phrasing
from hardgen.synth._query_writer import HardQuery, ModelFreeQueryWriter, answer_fields, check_query
from hardgen.synth._reasoner import ReasonerAttempt, ReasonerTask
from hardgen.synth._text import first_sentence, humanize, intent_phrase, render_value
from hardgen.synth._tool_maker import PrerequisiteTest, build_advanced_tool
from hardgen.verify import TurnVerdict

_NAME = re.compile(r"^[a-z][a-z0-9_]{2,47}$")

MAX_JSON_ANSWER_CHARS = 100_000
"""Longer answers are not read as JSON (a role's answer is a few hundred characters)."""
_MAX_JSON_STARTS = 64
"""Decoding is tried from at most this many `{` positions, which keeps reading linear in practice."""

HINT_KINDS: tuple[str, ...] = get_args(HintKind)


@cache
def _template(name: str) -> jinja2.Template:
    text = resources.files("hardgen.synth").joinpath(f"prompts/{name}").read_text("utf-8")
    return jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined).from_string(text)


def prompt_version(name: str) -> str:
    """The `version:` tag written at the top of a prompt file (recorded in sample provenance)."""
    text = resources.files("hardgen.synth").joinpath(f"prompts/{name}").read_text("utf-8")
    match = re.search(r"version:\s*(\S+)", text)
    return match.group(1) if match else "unversioned"


def _after_thinking(text: str) -> str:
    """The text after the last closing think tag (reasoning models put the answer after it); an
    unclosed think block leaves nothing to read."""
    closed = text.rfind("</think>")
    if closed >= 0:
        return text[closed + len("</think>"):]
    return "" if "<think>" in text else text


def json_object(text: str | None, required: Collection[str] = ()) -> dict[str, Any] | None:
    """The JSON object a model answered with: the first object in the text (bare, fenced or after
    prose or a think block) that has every `required` key, else the first object at all.

    Objects are read with a real JSON decoder from each `{` in turn, so braces in prose before the
    answer, or a second object after it, do not spoil it (a greedy regex would)."""
    if not text or len(text) > MAX_JSON_ANSWER_CHARS:
        return None
    text = _after_thinking(text)
    decoder = json.JSONDecoder()
    first: dict[str, Any] | None = None
    start = text.find("{")
    tried = 0
    while start >= 0 and tried < _MAX_JSON_STARTS:
        tried += 1
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            if all(k in value for k in required):
                return value
            first = first if first is not None else value
        start = text.find("{", end)
    return first


def strict_schema(properties: Mapping[str, dict[str, Any]], required: Sequence[str] | None = None) -> dict[str, Any]:
    """A JSON Schema for a role's answer that servers with structured output can enforce: every
    property listed, no other properties."""
    return {"type": "object", "properties": dict(properties), "required": list(required or properties),
            "additionalProperties": False}


class _Role:
    """What every LLM role shares: the backend, its name, and the count of units it fell back on."""

    role = "role"

    def __init__(self, backend: Backend, fallbacks: Counter[str] | None = None) -> None:
        self.backend = backend
        self.name = f"llm:{backend.model}"
        self.fallbacks: Counter[str] = fallbacks if fallbacks is not None else Counter()
        """Why this role fell back to its model-free result, by reason (pass one counter to roles
        rebuilt during a run, so the count covers the whole run)."""

    def fell_back(self, reason: str) -> None:
        self.fallbacks[reason] += 1

    async def ask_json(self, prompt: str, schema: dict[str, Any], seed: int | None) -> tuple[dict[str, Any] | None, str | None]:
        """The model's JSON answer, or None and why not (a server error or an unreadable answer)."""
        request = ChatRequest(messages=[Message.user(prompt)], response_schema=schema, seed=seed,
                              metadata={"role": self.role})
        try:
            response = await self.backend.complete(request)
        except BackendError as exc:
            if is_fatal(exc):
                raise
            return None, f"server error ({exc.kind}{f' {exc.status}' if exc.status else ''})"
        answer = json_object(response.message.content, schema.get("required", ()))
        return answer, None if answer is not None else "the answer was not JSON of the asked shape"


class LLMToolMaker(_Role):
    """Names and describes the executable body the model-free maker lifted (the body is never
    taken from the model)."""

    role = "tool_maker"

    def __init__(self, backend: Backend, is_prerequisite: PrerequisiteTest | None = None,
                 fallbacks: Counter[str] | None = None) -> None:
        super().__init__(backend, fallbacks)
        self.is_prerequisite = is_prerequisite

    async def make(self, trace: Trace, tools: Mapping[str, ToolSpec], taken: set[str]) -> AdvancedTool:
        body = build_advanced_tool(trace, tools, taken, self.is_prerequisite)
        if body.problem:
            return body  # no task will be made of it: naming it would be a wasted request
        prompt = _template("tool_maker.j2").render(
            steps=[{"tool": s.tool, "description": first_sentence(tools[s.tool].description) if s.tool in tools else ""}
                   for s in body.steps],
            inputs=[humanize(p) for p in body.parameters.get("properties", {})],
            goals="; ".join(intent_phrase(tools[body.steps[i].tool]) for i in body.goal_steps if body.steps[i].tool in tools),
        )
        schema = strict_schema({"name": {"type": "string"}, "description": {"type": "string"}})
        answer, failure = await self.ask_json(prompt, schema, None)
        if answer is None:
            self.fell_back(failure or "no answer")
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
        if not update:
            self.fell_back("the name and description were unusable")
        return body.model_copy(update=update)


_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+(?:[A-Z][a-z0-9]+)+\b")


def _in_words(text: str) -> str:
    """`text` with code identifiers (`order_id`, `getStatus`) spelled as words."""
    return _IDENTIFIER.sub(lambda m: humanize(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", m.group(0)).lower()), text)


def goal_in_words(tool: AdvancedTool, tools: Mapping[str, ToolSpec]) -> str:
    """What the user wants, in the words a user would use (the phrasing data's request for each
    goal, with what the tool does) and never a tool name."""
    parts = []
    for name in dict.fromkeys(tool.steps[i].tool for i in tool.goal_steps if i < len(tool.steps)):
        spec = tools.get(name)
        if spec is None:
            parts.append(humanize(name))
            continue
        ask = re.sub(r"\{\w+\}", "it", tool_phrasing(spec).ask[0])
        what = _in_words(first_sentence(spec.description)).rstrip(".")
        what = what[:1].lower() + what[1:]
        same = re.sub(r"\W+", " ", what).strip() == re.sub(r"\W+", " ", ask.lower()).strip()
        parts.append(f"{ask} ({what})" if what and not same else ask)
    return "; then ".join(parts) + "."


def _meaning(tool: AdvancedTool, parameter: str) -> str:
    schema = tool.parameters.get("properties", {}).get(parameter, {})
    text = _in_words(first_sentence(str(schema.get("description", "")))).rstrip(".")
    return text[:140]


def _hidden_kinds(steps: Sequence[Step], lifted: Mapping[str, Any]) -> list[str]:
    """The kinds of the values the agent must find itself (the parameters fed from results), by
    their everyday names: the writer learns what not to state without being shown the values."""
    kinds = [voice.noun(src.parameter) for step in steps for src in step.sources if src.parameter not in lifted]
    return list(dict.fromkeys(kinds))


class LLMQueryWriter(_Role):
    """Writes the hard query with a model; rewrites (up to `rewrites` times) when the mechanical
    check finds a value missing, an intermediate value shown, a tool named or the steps narrated,
    showing the model its rejected draft and why."""

    role = "query_writer"

    def __init__(self, backend: Backend, rewrites: int = 2, noise: bool = True,
                 fallbacks: Counter[str] | None = None) -> None:
        super().__init__(backend, fallbacks)
        self.rewrites = rewrites
        self.noise = noise

    async def write(self, tool: AdvancedTool, arguments: Mapping[str, Any], steps: Sequence[Step],
                    tools: Mapping[str, ToolSpec], rng: random.Random,
                    references: Collection[str] = (), earlier: Sequence[str] = ()) -> HardQuery:
        fields = answer_fields(steps, tool.goal_steps, arguments)
        values = [{"label": voice.noun(k), "value": render_value(v), "meaning": _meaning(tool, k)}
                  for k, v in arguments.items() if k not in references and v not in ([], {}, "", None)]
        problems: list[str] = []
        draft = ""
        schema = strict_schema({"query": {"type": "string"}})
        noise = self.noise and rng.random() < 0.5
        failure = None
        for _ in range(self.rewrites + 1):
            prompt = _template("query_writer.j2").render(
                goal=goal_in_words(tool, tools), earlier=list(earlier), values=values,
                references=[voice.noun(k) for k in references], hidden=_hidden_kinds(steps, arguments),
                fields=[field_noun(k) for k, _ in fields], noise=noise, draft=draft, problems=problems)
            answer, failure = await self.ask_json(prompt, schema, rng.randrange(2**31))
            text = str(answer.get("query", "")).strip() if answer else ""
            if not text:
                if failure and failure.startswith("server error"):
                    break  # the server will not do better on a rewrite
                problems = ["the answer was not JSON with a query"]
                continue
            problems = check_query(text, arguments, steps, references)
            if not problems:
                return HardQuery(text=text, lifted_values=dict(arguments), answer_fields=[k for k, _ in fields],
                                 answer_values=[v for _, v in fields])
            draft = text
        # Every draft unusable: the model-free writer's query, so the unit is still checked, not lost.
        self.fell_back(failure if failure and failure.startswith("server error") else
                       f"no draft passed the check ({problems[0].split(':')[0] if problems else 'empty'})")
        return ModelFreeQueryWriter(noise=self.noise).compose(tool, arguments, steps, tools, rng, references)


class LLMReasoner(_Role):
    """A model solving the query through the agent loop, with the hint and critic feedback in its
    system prompt as private notes it is told never to mention (the saved sample carries the
    plain system prompt, so reasoning that cited them would cite something the reader never sees)."""

    role = "reasoner"

    def __init__(self, backend: Backend, max_steps: int = 16, temperature: float | None = None) -> None:
        super().__init__(backend)
        self.max_steps = max_steps
        self.temperature = temperature

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


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _gold_outline(gold: Any) -> list[dict[str, Any]]:
    """Each gold step with where each of its arguments comes from, never the value."""
    outline = []
    for step in gold.steps:
        sources = {src.parameter: src for src in step.sources}
        arguments = []
        for name in step.call.arguments:
            src = sources.get(name)
            if src is None:
                arguments.append(f"{name}=<from the request>")
            else:
                where = ".".join(str(p) for p in src.path if isinstance(p, str)) or "result"
                arguments.append(f"{name}=<{where} of step {src.step + 1}'s result>")
        outline.append({"tool": step.call.name, "arguments": arguments})
    return outline


def _attempt_outline(attempt: Sequence[Step]) -> list[dict[str, str]]:
    calls = []
    for step in attempt:
        args = ", ".join(f"{k}={_short(v, 60)}" for k, v in step.call.arguments.items())
        error = step.observation.error
        outcome = (f"error {error.type}: {error.message[:160]}" if error is not None
                   else f"ok, returned {_short(step.observation.result, 120)}")
        calls.append({"text": f"{step.call.name}({args})", "outcome": outcome})
    return calls


class LLMCritic(_Role):
    """A model writing the hint from the attempt's calls (with their arguments and errors) and the
    gold's data flow (where each argument comes from, never its value); any hint that reveals a gold
    value is replaced by a generic one, and an unusable answer by the model-free hint."""

    role = "critic"

    async def critique(self, gold: Any, attempt: Sequence[Step], verdict: TurnVerdict,
                       answer_fields: Sequence[str] = ()) -> CriticHint:
        fallback = model_free_hint(gold, attempt, verdict, answer_fields)
        prompt = _template("critic.j2").render(
            query=gold.query, gold=_gold_outline(gold), attempt=_attempt_outline(attempt),
            reasons=verdict.reasons, kinds=HINT_KINDS)
        schema = strict_schema({"kind": {"type": "string", "enum": list(HINT_KINDS)}, "tool": {"type": "string"},
                                "parameter": {"type": "string"}, "text": {"type": "string"}})
        answer, failure = await self.ask_json(prompt, schema, None)
        if not answer or answer.get("kind") not in HINT_KINDS or not str(answer.get("text", "")).strip():
            self.fell_back(failure or "the hint was unusable")
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
