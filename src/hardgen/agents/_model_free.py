"""The model-free agent: a retrieval + slot-filling tool user that does not chain.

It is the offline default for the target and reference roles (failure mining, evaluation), and a
`Backend`, so the same `run_agent` loop drives it and an LLM alike. For the latest user request it

1. **retrieves**: scores every offered tool against the request with BM25 over the tools' names,
   descriptions, parameter names and descriptions (`ToolIndex`);
2. **fills slots**: extracts the request's literals (quoted text, numbers, amounts, dates, e-mails,
   ids, names and places, enum options, phrasing of booleans) and matches them to parameters by
   type, enum, format and name (`fill_arguments`);
3. **acts**: calls the best relevant tool whose required parameters the request fills; a request
   that asks for several independent things ("... and book ...") gets one call per part, in the
   order asked; when no tool can be filled it calls the best one with what it has (the call fails
   and says why) or gives up when no tool is relevant;
4. **answers**: after the observations, reports the key values of each result, or what failed.

It never chains: it never passes a value from an observation into a later call, and never calls a
tool to obtain a value or set a state that another tool needs. A request that names a user where the
tool needs the user's id therefore fails, which is exactly the implicit dependency HardGen's hard
samples are built around. Within that limit it is meant to be a fair baseline.

Every step's `reasoning` says why the tool was chosen and where each argument came from. Output is
a pure function of the request and the seed (which only shapes the call ids).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hardgen.agents._literals import QueryLiteral, extract_literals
from hardgen.agents._retrieval import ToolIndex, ToolMatch, request_terms
from hardgen.agents._slots import SlotFill, fill_arguments
from hardgen.agents._text import ACTION_VERBS, split_identifier
from hardgen.llm import ChatRequest, ChatResponse
from hardgen.schema import Message, ToolCall, ToolSpec

MODEL_FREE_NAME = "model-free"
MODEL_FREE_MODEL = "retrieval-slot-filling-v1"


@dataclass(frozen=True)
class PlannedCall:
    """A call the agent decided to make, with the evidence behind it."""

    match: ToolMatch
    fill: SlotFill
    request: str
    """The part of the request this call serves."""
    runner_up: ToolMatch | None = None

    @property
    def call_arguments(self) -> dict[str, Any]:
        return dict(self.fill.arguments)


@dataclass
class Plan:
    """What the agent will do for one request: calls in order, or a reason to give up."""

    request: str
    literals: list[QueryLiteral] = field(default_factory=list)
    calls: list[PlannedCall] = field(default_factory=list)
    give_up: str | None = None


def split_requests(text: str, literals: Sequence[QueryLiteral], verbs: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Spans of the independent requests in `text`: split at sentence ends, `then`/`also`, and at
    `and` or a comma followed by an imperative verb ("... and book a table"). Text inside a literal
    (a quoted message, an e-mail, a decimal) is never split. Spans that hold no words are dropped."""
    action = {v.lower() for v in ACTION_VERBS} | {v.lower() for v in verbs}
    verb_alt = "|".join(sorted((re.escape(v) for v in action), key=len, reverse=True))
    boundary = re.compile(
        rf"[.!?;]+(?=\s|$)|\n+|,?\s+(?:and\s+)?then\s+|,?\s+also\s+|(?:,|\s+and)\s+(?:please\s+)?(?=(?:{verb_alt})\b)",
        re.IGNORECASE,
    )
    protected = [(lit.start, lit.end) for lit in literals if lit.kind != "phrase"]
    cuts: list[tuple[int, int]] = []
    for m in boundary.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in protected):
            continue
        cuts.append((m.start(), m.end()))
    spans, cursor = [], 0
    for start, end in cuts:
        spans.append((cursor, start))
        cursor = end
    spans.append((cursor, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s] in " \t,":
            s += 1
        while e > s and text[e - 1] in " \t,":
            e -= 1
        if re.search(r"[A-Za-z0-9]", text[s:e]):
            out.append((s, e))
    return out or [(0, len(text))]


def _shift(literals: Sequence[QueryLiteral], start: int, end: int) -> list[QueryLiteral]:
    return [
        replace(lit, start=lit.start - start, end=lit.end - start)
        for lit in literals
        if start <= lit.start and lit.end <= end
    ]


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ModelFreeAgent:
    """A deterministic, offline tool-using agent implemented as a `Backend` (see module docstring).

    `relevance_ratio`: a tool is a candidate when its retrieval score is at least this share of the
    best score (and a non-generic word matched). `max_calls`: most calls it makes for one request.
    """

    name = MODEL_FREE_NAME

    def __init__(self, seed: int = 0, *, relevance_ratio: float = 0.7, max_calls: int = 4) -> None:
        if not 0 < relevance_ratio <= 1:
            raise ValueError(f"relevance_ratio must be in (0, 1], got {relevance_ratio}")
        if max_calls < 1:
            raise ValueError(f"max_calls must be at least 1, got {max_calls}")
        self.seed = seed
        self.model: str | None = MODEL_FREE_MODEL
        self.relevance_ratio = relevance_ratio
        self.max_calls = max_calls

    # -- Backend -------------------------------------------------------------------------------
    async def complete(self, request: ChatRequest) -> ChatResponse:
        return self.respond(request)

    def respond(self, request: ChatRequest) -> ChatResponse:
        """The next assistant message for `request` (synchronous core of `complete`)."""
        messages = request.messages
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last_user is None:
            return self._reply(Message.assistant("There is no request to act on.", reasoning="No user message."))
        tail = messages[last_user + 1 :]
        if any(m.role == "tool" for m in tail):
            return self._reply(self.answer(tail))
        query = messages[last_user].content or ""
        tools = list(request.tools or [])
        if not tools or request.tool_choice == "none":
            why = "no tools are offered" if not tools else "tool use is switched off for this turn"
            return self._reply(
                Message.assistant(f"I cannot act on this request: {why}.", reasoning=f"I would need a tool, but {why}.")
            )
        plan = self.plan(query, tools, force=request.tool_choice == "required")
        if not plan.calls:
            return self._reply(
                Message.assistant(plan.give_up or "I cannot help with this request.", reasoning=plan.give_up)
            )
        seed = request.seed if request.seed is not None else self.seed
        calls = [
            ToolCall(
                id=self._call_id(seed, len(messages), i, p.match.tool.name),
                name=p.match.tool.name,
                arguments=p.call_arguments,
            )
            for i, p in enumerate(plan.calls)
        ]
        return self._reply(
            Message.assistant(None, tool_calls=calls, reasoning=self.narrate(plan)), finish_reason="tool_calls"
        )

    def _reply(self, message: Message, finish_reason: str = "stop") -> ChatResponse:
        return ChatResponse(message=message, finish_reason=finish_reason, model=self.model)

    @staticmethod
    def _call_id(seed: int, position: int, index: int, name: str) -> str:
        digest = hashlib.sha256(f"{seed}:{position}:{index}:{name}".encode()).hexdigest()
        return "call_" + digest[:16]

    # -- deciding --------------------------------------------------------------------------------
    def plan(self, query: str, tools: Sequence[ToolSpec], *, force: bool = False) -> Plan:
        """The calls this agent makes for `query` with `tools` offered (no execution)."""
        tool_words = sorted({w for t in tools for w in split_identifier(t.name)})
        literals = extract_literals(query, common_words=tool_words)
        plan = Plan(request=query, literals=literals)
        index = ToolIndex(tools)
        verbs = [w.lower() for t in tools for w in split_identifier(t.name)[:1]]
        parts = split_requests(query, literals, verbs)

        chosen: list[PlannedCall] = []
        unfilled: list[tuple[ToolMatch, str, list[QueryLiteral]]] = []
        if len(parts) > 1:
            for start, end in parts:
                text = query[start:end]
                part_literals = _shift(literals, start, end)
                picked, best = self._choose(index, text, part_literals)
                if picked is not None:
                    chosen.append(picked)
                elif best is not None:
                    unfilled.append((best, text, part_literals))
            if chosen:
                called = {p.match.tool.name for p in chosen}
                top = max(p.match.score for p in chosen)
                for best, text, part_literals in unfilled:
                    if best.tool.name not in called and best.score >= self.relevance_ratio * top:
                        # A part nothing can fill: make the call with what it says, as a model would.
                        fill = fill_arguments(best.tool, text, part_literals, strict=False)
                        chosen.append(PlannedCall(best, fill, text))
                        called.add(best.tool.name)
                chosen.sort(key=lambda p: query.find(p.request))
        if not chosen:
            picked, best = self._choose(index, query, literals)
            if picked is not None:
                chosen.append(picked)
            elif best is not None:
                fill = fill_arguments(best.tool, query, literals, strict=False)
                chosen.append(PlannedCall(best, fill, query))
            elif force and tools:
                ranked = index.rank(request_terms(query, literals))
                fill = fill_arguments(ranked[0].tool, query, literals, strict=False)
                chosen.append(PlannedCall(ranked[0], fill, query))

        seen: set[str] = set()
        for planned in chosen:
            key = planned.match.tool.name + json.dumps(planned.call_arguments, sort_keys=True, default=str)
            if key not in seen and len(plan.calls) < self.max_calls:
                seen.add(key)
                plan.calls.append(planned)
        if not plan.calls:
            plan.give_up = "None of the offered tools matches this request, so I cannot act on it."
        return plan

    def _choose(
        self, index: ToolIndex, text: str, literals: list[QueryLiteral]
    ) -> tuple[PlannedCall | None, ToolMatch | None]:
        """(the best relevant tool the text fills, the best relevant tool at all)."""
        ranked = index.rank(request_terms(text, literals))
        relevant = [m for m in ranked if m.score > 0 and m.relevant]
        if not relevant:
            return None, None
        top = relevant[0].score
        for position, match in enumerate(relevant):
            if match.score < self.relevance_ratio * top:
                break
            fill = fill_arguments(match.tool, text, literals, strict=True)
            if fill.complete:
                others = [m for m in relevant if m is not match]
                return PlannedCall(match, fill, text, others[0] if others else None), relevant[0]
            if position >= 7:  # enough: deeper candidates are weak matches
                break
        return None, relevant[0]

    # -- narrating -------------------------------------------------------------------------------
    def narrate(self, plan: Plan) -> str:
        """The reasoning of a tool-calling step: why each tool, where each argument came from."""
        lines = []
        if len(plan.calls) > 1:
            lines.append(f"The request asks for {len(plan.calls)} things; I handle them in the order asked.")
        for planned in plan.calls:
            tool = planned.match.tool
            matched = ", ".join(planned.match.matched[:4]) or "nothing specific"
            line = f"For “{planned.request.strip()}” the best tool is {tool.name} (matched: {matched})"
            if planned.runner_up is not None and planned.runner_up.score > 0:
                line += f"; next best {planned.runner_up.tool.name}"
            line += "."
            parts = []
            for choice in planned.fill.choices:
                note = (
                    " (a guess: nothing in the request is stated for it)"
                    if choice.parameter in planned.fill.guessed
                    else ""
                )
                parts.append(f"{choice.parameter}={_short(choice.value)} from {choice.source}{note}")
            if parts:
                line += " Arguments: " + "; ".join(parts) + "."
            elif not tool.parameter_names:
                line += " It takes no arguments."
            optional_left = [
                p for p in tool.parameter_names if p not in tool.required and p not in planned.fill.arguments
            ]
            if optional_left:
                line += f" Left at their defaults: {', '.join(optional_left)}."
            if planned.fill.missing:
                line += (
                    f" The request gives no value for {', '.join(planned.fill.missing)}; I call it with what I have"
                    " and let the tool report what is missing."
                )
            lines.append(line)
        return " ".join(lines)

    # -- answering -------------------------------------------------------------------------------
    def answer(self, tail: Sequence[Message]) -> Message:
        """The final message after the observations in `tail` (messages after the latest request)."""
        calls = {c.id: c for m in tail if m.role == "assistant" for c in (m.tool_calls or [])}
        reports, failures, successes = [], [], 0
        for message in tail:
            if message.role != "tool":
                continue
            call = calls.get(message.tool_call_id or "")
            name = message.name or (call.name if call else "the tool")
            try:
                data = json.loads(message.content or "null")
            except json.JSONDecodeError:
                data = message.content
            error = data.get("error") if isinstance(data, dict) and set(data) == {"error"} else None
            if isinstance(error, dict):
                text = f"{name} failed: {error.get('type', 'Error')}: {error.get('message', '')}".rstrip(": ")
                failures.append(text)
                reports.append(text)
                continue
            successes += 1
            reports.append(f"{name} returned {describe_result(data)}")
        if not reports:
            return Message.assistant("I have no results to report.", reasoning="No tool observations were found.")
        if successes == 0:
            content = "I could not complete the request. " + " ".join(r + "." for r in failures)
            reasoning = "Every call failed; I report the errors rather than guess at results."
        else:
            content = "Here is what I found. " + " ".join(r.rstrip(".") + "." for r in reports)
            reasoning = "The calls returned; I report the key values of each result" + (
                ", and the calls that failed." if failures else "."
            )
        return Message.assistant(content, reasoning=reasoning)


def _leaves(value: Any, path: str, out: list[tuple[str, Any]], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            _leaves(sub, f"{path}.{key}" if path else str(key), out, limit)
    elif isinstance(value, list):
        if not value:
            out.append((path, "none"))
        for i, sub in enumerate(value):
            _leaves(sub, f"{path}[{i}]", out, limit)
    else:
        out.append((path, value))


def describe_result(result: Any, limit: int = 60) -> str:
    """A tool result as text that carries its values: `a: 1; b.c: x` (at most `limit` values)."""
    if result is None:
        return "nothing (done)"
    if not isinstance(result, (dict, list)):
        return str(result)
    if isinstance(result, list) and not result:
        return "no results"
    leaves: list[tuple[str, Any]] = []
    _leaves(result, "", leaves, limit + 1)
    shown = leaves[:limit]
    text = "; ".join(f"{path}: {value}" if path else str(value) for path, value in shown)
    if len(leaves) > limit:
        text += "; and more"
    return text
