"""The agent loop: ask a backend, execute its tool calls, feed the observations back, repeat.

Every role that acts in an environment (target and reference agents during failure mining, any agent
under evaluation, an LLM reasoner) runs through `run_agent`, with an LLM backend or the model-free
one. The loop never raises because of what the model did: unknown tools, arguments that do not
validate, tool calls the backend could not parse and backend failures all end up either as a tool
observation the model sees or as a recorded stop reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import Field

from hardgen.llm import Backend, ChatRequest, ChatResponse, Usage
from hardgen.schema import Message, Observation, Record, Step, ToolCall, ToolSpec

StopReason = Literal["answered", "max_steps", "repeated_failure", "backend_error", "empty_response"]
"""Why an episode ended:

- `answered`: the model sent an assistant message without tool calls (its final answer);
- `max_steps`: the model was still calling tools after `max_steps` rounds;
- `repeated_failure`: the same failing call (same tool, same arguments) came back too often;
- `backend_error`: the backend raised (server error, timeout, bad response); see `AgentRun.error`;
- `empty_response`: the model sent neither content nor tool calls.
"""

DEFAULT_MAX_STEPS = 10
DEFAULT_MAX_REPEATED_FAILURES = 2

# Name given to a tool call whose name could not be read from the model's output.
UNPARSEABLE_CALL_NAME = "unparseable_tool_call"


class CallableEnvironment(Protocol):
    """What the loop needs from an environment: `call(name, arguments) -> Observation`.

    Every `hardgen.tools.Environment` (a `PythonEnvironment`, a `Session`) qualifies.
    """

    def call(self, name: str, arguments: dict[str, Any]) -> Observation: ...


class AgentRun(Record):
    """One episode of the agent loop: what the model said, what ran, and why it stopped."""

    messages: list[Message] = Field(default_factory=list)
    """The new messages of the episode (assistant turns and tool observations), in order; the input
    messages are not repeated."""
    steps: list[Step] = Field(default_factory=list)
    """Tool calls the loop answered, each with its observation (calls to unknown tools and calls
    with invalid arguments included, since the model saw those observations too)."""
    final_answer: str | None = None
    """Content of the final assistant message, when the episode ended with `answered`."""
    stop_reason: StopReason
    error: str | None = None
    """What went wrong, for every stop reason but `answered`."""
    parse_errors: list[str] = Field(default_factory=list)
    """Problems the backend met reading the model's output, as it reported them. Each one about a tool
    call (bad JSON arguments, malformed call text) was answered with a `MalformedCallError`
    observation to a stand-in call named after the tool when the error names it."""
    usage: Usage = Field(default_factory=Usage)
    """Token totals over every model turn."""
    model_turns: int = 0
    """How many times the backend was asked."""
    latency_s: float = 0.0
    """Total backend latency, as reported by the backend."""
    backend: str | None = None
    model: str | None = None

    @property
    def answered(self) -> bool:
        return self.stop_reason == "answered"

    @property
    def calls(self) -> list[ToolCall]:
        return [s.call for s in self.steps]

    @property
    def failed_steps(self) -> list[Step]:
        return [s for s in self.steps if not s.observation.ok]


def _call_key(name: str, arguments: dict[str, Any]) -> str:
    return name + "\x00" + json.dumps(arguments, sort_keys=True, ensure_ascii=False, default=str)


_CALL_NAME_RE = re.compile(r"(?:call(?: #\d+)? to|arguments of) '([A-Za-z_][A-Za-z0-9_\-]{0,63})'")
# Parse errors about a tool call (as opposed to, say, an unclosed <think> block around a fine answer).
_CALL_ERROR_RE = re.compile(r"tool[ -]call|\bcall\b|\barguments\b", re.IGNORECASE)


def is_call_error(error: str) -> bool:
    """Whether a backend parse error describes a tool call that could not be read."""
    return bool(_CALL_ERROR_RE.search(error))


def _parse_error_call(error: str) -> ToolCall:
    """A stand-in call for output the backend could not parse, so that the observation has a call
    to answer (OpenAI transcripts need one tool message per call id)."""
    match = _CALL_NAME_RE.search(error)
    return ToolCall(name=match.group(1) if match else UNPARSEABLE_CALL_NAME, arguments={})


def _execute(environment: CallableEnvironment, call: ToolCall) -> Observation:
    """Run one call. Environments report tool failures as observations already; an environment-like
    object that raises instead is treated the same way, so one bad tool cannot end a whole run."""
    try:
        return environment.call(call.name, dict(call.arguments))
    except Exception as exc:
        return Observation.failure(type(exc).__name__, str(exc) or repr(exc))


async def run_agent(
    backend: Backend,
    messages: Sequence[Message],
    tools: Sequence[ToolSpec],
    environment: CallableEnvironment,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    max_repeated_failures: int = DEFAULT_MAX_REPEATED_FAILURES,
    temperature: float | None = None,
    top_p: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    tool_choice: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> AgentRun:
    """Run one agent episode and return its transcript, executed steps and stop reason.

    A *step* is one round: one model response and the execution of all its tool calls. Calls of one
    assistant message are executed in the order given, one at a time, which keeps seeded
    environments exactly reproducible. Only the offered `tools` may be called: a call to any other
    name is answered with an `UnknownToolError` observation without reaching the environment. The
    same failing call (same tool and arguments) made `max_repeated_failures` times ends the episode
    at once (`repeated_failure`); calls of that message after it are answered as skipped so that
    the transcript stays well formed.

    Request options (`temperature`, `seed`, ...) are passed unchanged on every model turn;
    `metadata` travels in the request for accounting and is never sent to a model.
    """
    if max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    if max_repeated_failures < 1:
        raise ValueError(f"max_repeated_failures must be at least 1, got {max_repeated_failures}")
    offered = {t.name for t in tools}
    history = list(messages)
    turn = max(sum(1 for m in history if m.role == "user") - 1, 0)
    run = AgentRun(
        stop_reason="max_steps", backend=getattr(backend, "name", None), model=getattr(backend, "model", None)
    )
    failures: dict[str, int] = {}

    def answer(call: ToolCall, observation: Observation, *, executed: bool = True) -> None:
        message = Message.tool(call, observation.to_text())
        run.messages.append(message)
        history.append(message)
        if executed:
            run.steps.append(Step(call=call, observation=observation, turn=turn))

    for _ in range(max_steps):
        request = ChatRequest(
            messages=list(history),
            tools=list(tools) or None,
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            seed=seed,
            tool_choice=tool_choice,
            metadata=dict(metadata or {}),
        )
        try:
            response: ChatResponse = await backend.complete(request)
        except Exception as exc:  # a backend failure ends the episode; it must not crash a run
            run.stop_reason = "backend_error"
            run.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return run
        run.model_turns += 1
        run.usage = Usage(
            prompt_tokens=run.usage.prompt_tokens + response.usage.prompt_tokens,
            completion_tokens=run.usage.completion_tokens + response.usage.completion_tokens,
        )
        run.latency_s += response.latency_s
        if response.model and not run.model:
            run.model = response.model

        reply = response.message
        calls = list(reply.tool_calls or [])
        # Output the backend could not read still gets an answer the model can learn from.
        bad_calls = [(_parse_error_call(err), err) for err in response.parse_errors if is_call_error(err)]
        run.parse_errors.extend(response.parse_errors)
        if bad_calls:
            reply = reply.model_copy(update={"tool_calls": calls + [c for c, _ in bad_calls]})
        if reply.role != "assistant":
            reply = reply.model_copy(update={"role": "assistant"})
        run.messages.append(reply)
        history.append(reply)

        if not calls and not bad_calls:
            if reply.content is None or not reply.content.strip():
                run.stop_reason = "empty_response"
                run.error = f"the model sent neither content nor tool calls (finish_reason={response.finish_reason!r})"
            else:
                run.stop_reason = "answered"
                run.final_answer = reply.content
            return run

        pending: list[tuple[ToolCall, str | None]] = [(c, None) for c in calls] + list(bad_calls)
        for index, (call, parse_error) in enumerate(pending):
            if parse_error is not None:
                observation = Observation.failure("MalformedCallError", parse_error)
                answer(call, observation, executed=False)
                key = "\x01parse\x00" + parse_error
            else:
                if call.name not in offered:
                    observation = Observation.failure(
                        "UnknownToolError",
                        f"no tool named {call.name!r} is offered; available: {', '.join(sorted(offered)) or 'none'}",
                    )
                else:
                    observation = _execute(environment, call)
                answer(call, observation)
                key = _call_key(call.name, call.arguments)
            if observation.ok:
                continue
            failures[key] = failures.get(key, 0) + 1
            if failures[key] >= max_repeated_failures:
                run.stop_reason = "repeated_failure"
                run.error = (
                    f"the same failing call to {call.name!r} was made {failures[key]} times; "
                    f"last error: {observation.error.type if observation.error else 'unknown'}: "
                    f"{observation.error.message if observation.error else ''}"
                )
                for skipped, _ in pending[index + 1 :]:
                    answer(
                        skipped,
                        Observation.failure(
                            "SkippedCallError", "not executed: the episode stopped on a repeated failing call"
                        ),
                        executed=False,
                    )
                return run

    run.error = f"still calling tools after {max_steps} step(s)"
    return run


__all__ = [
    "DEFAULT_MAX_REPEATED_FAILURES",
    "DEFAULT_MAX_STEPS",
    "UNPARSEABLE_CALL_NAME",
    "AgentRun",
    "CallableEnvironment",
    "StopReason",
    "run_agent",
]
