"""The agent loop: ask a backend, execute its tool calls, feed the observations back, repeat.

Every role that acts in an environment (target and reference agents during failure mining, any agent
under evaluation, an LLM reasoner) runs through `run_agent`, with an LLM backend or the model-free
one. The loop never raises because of what the model did: unknown tools, arguments that do not
validate, tool calls the backend could not parse and backend failures all end up either as a tool
observation the model sees or as a recorded stop reason. What never ran (malformed output, calls to
tools that were not offered) is recorded as such in `AgentRun.rejected`, never as a step, so nothing
downstream replays it or puts it in a training sample as a real call.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import Field

from hardgen.llm import Backend, ChatRequest, ChatResponse, Usage, is_fatal
from hardgen.schema import Message, Observation, Record, RejectedCall, Step, ToolCall, ToolSpec

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
    """The new messages of the episode, in order: each assistant message as the model wrote it (only
    the calls it made; call markup that could not be read stays in its content) and the tool message
    answering each of its calls. The input messages are not repeated, and neither are the loop's
    answers to malformed output (see `rejected`), since no call of the model asked for them."""
    steps: list[Step] = Field(default_factory=list)
    """Calls to offered tools that ran on the environment, each with its observation (failures
    included). Calls that never ran are in `rejected` instead."""
    rejected: list[RejectedCall] = Field(default_factory=list)
    """What the model tried that never ran: malformed output, calls to tools that were not offered,
    calls skipped when the episode stopped. A verifier fails a turn with any of them."""
    final_answer: str | None = None
    """Content of the final assistant message, when the episode ended with `answered`."""
    stop_reason: StopReason
    error: str | None = None
    """What went wrong, for every stop reason but `answered`."""
    parse_errors: list[str] = Field(default_factory=list)
    """Problems the backend met reading the model's output, as it reported them. Each one about a tool
    call (bad JSON arguments, malformed call text) is also a `malformed` entry of `rejected`."""
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
_CALL_ERROR_RE = re.compile(r"tool[ _-]call|\bcall\b|\barguments\b", re.IGNORECASE)


def is_call_error(error: str) -> bool:
    """Whether a backend parse error describes a tool call that could not be read."""
    return bool(_CALL_ERROR_RE.search(error))


def _derived_id(*parts: object) -> str:
    text = json.dumps([str(p) for p in parts], ensure_ascii=False)
    return "call_" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _stand_in_call(error: str, model_turn: int, index: int) -> ToolCall:
    """The call the loop answers in the conversation with the model when its output could not be read
    (OpenAI transcripts need one tool message per call id). It goes only into the requests, never into
    the recorded transcript; its id is derived, so a repeated episode sends the same requests."""
    match = _CALL_NAME_RE.search(error)
    return ToolCall(id=_derived_id("malformed", model_turn, index, error),
                    name=match.group(1) if match else UNPARSEABLE_CALL_NAME, arguments={})


def _unique_ids(calls: list[ToolCall], used: set[str], model_turn: int) -> list[ToolCall]:
    """Calls with ids unique in the episode: a text-format call repeated at a later step (same name,
    arguments and position, hence the same content-derived id) or a server that numbers its calls
    from 0 again gets an id derived from the step and position, the same each time the episode runs."""
    out = []
    for index, call in enumerate(calls):
        call_id = call.id
        while not call_id or call_id in used:
            call_id = _derived_id(call_id, model_turn, index)
        used.add(call_id)
        out.append(call if call_id == call.id else call.model_copy(update={"id": call_id}))
    return out


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
    send_reasoning: bool = False,
    send_tool_names: bool = False,
    metadata: dict[str, Any] | None = None,
) -> AgentRun:
    """Run one agent episode and return its transcript, executed steps and stop reason.

    A *step* is one round: one model response and the execution of all its tool calls. Calls of one
    assistant message are executed in the order given, one at a time, which keeps seeded
    environments exactly reproducible. Only the offered `tools` may be called: a call to any other
    name is answered with an `UnknownToolError` observation without reaching the environment, and
    recorded in `AgentRun.rejected`, not as a step. Output the backend could not read as a call is
    answered with a `MalformedCallError` observation (to a stand-in call that only the model sees)
    and recorded in `rejected` too. The same failing call (same tool and arguments) made
    `max_repeated_failures` times ends the episode at once (`repeated_failure`); calls of that
    message after it are answered as skipped so that the transcript stays well formed.

    Request options (`temperature`, `seed`, ...) are passed unchanged on every model turn;
    `send_reasoning` sends earlier assistant reasoning back as `reasoning_content` (see
    `ChatRequest.send_reasoning`; off by default since hosted APIs reject the field), `send_tool_names`
    the non-standard `name` on tool messages (off by default). `metadata` travels in the request for
    accounting and is never sent to a model.
    """
    if max_steps < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}")
    if max_repeated_failures < 1:
        raise ValueError(f"max_repeated_failures must be at least 1, got {max_repeated_failures}")
    offered = {t.name for t in tools}
    history = list(messages)
    turn = max(sum(1 for m in history if m.role == "user") - 1, 0)
    used_ids = {c.id for m in history for c in (m.tool_calls or [])}
    run = AgentRun(
        stop_reason="max_steps", backend=getattr(backend, "name", None), model=getattr(backend, "model", None)
    )
    failures: dict[str, int] = {}

    def answer(call: ToolCall, observation: Observation, *, in_transcript: bool = True) -> None:
        message = Message.tool(call, observation.to_text())
        history.append(message)
        if in_transcript:
            run.messages.append(message)

    def reject(kind: Literal["malformed", "unoffered", "skipped"], call: ToolCall | None, reason: str) -> None:
        run.rejected.append(RejectedCall(kind=kind, turn=turn, call=call, reason=reason))

    for model_turn in range(max_steps):
        request = ChatRequest(
            messages=list(history),
            tools=list(tools) or None,
            temperature=temperature,
            top_p=top_p,
            max_tokens=max_tokens,
            seed=seed,
            tool_choice=tool_choice,
            send_reasoning=send_reasoning,
            send_tool_names=send_tool_names,
            metadata=dict(metadata or {}),
        )
        try:
            response: ChatResponse = await backend.complete(request)
        except Exception as exc:  # a backend failure ends the episode; it must not crash a run
            if is_fatal(exc):
                raise  # an unusable server or a spent budget ends the run, not only this episode
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

        calls = _unique_ids(list(response.message.tool_calls or []), used_ids, model_turn)
        reply = response.message.model_copy(update={"role": "assistant", "tool_calls": calls or None})
        run.parse_errors.extend(response.parse_errors)
        # Output the backend could not read still gets an answer the model can learn from, to a
        # stand-in call that exists only in the requests: the transcript keeps what the model wrote.
        bad_calls = [(_stand_in_call(err, model_turn, i), err)
                     for i, err in enumerate(e for e in response.parse_errors if is_call_error(e))]
        for stand_in, _ in bad_calls:
            used_ids.add(stand_in.id)
        run.messages.append(reply)
        history.append(reply.model_copy(update={"tool_calls": calls + [c for c, _ in bad_calls]})
                       if bad_calls else reply)

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
                answer(call, observation, in_transcript=False)
                reject("malformed", None, parse_error)
                key = "\x01parse\x00" + parse_error
            else:
                if call.name not in offered:
                    observation = Observation.failure(
                        "UnknownToolError",
                        f"no tool named {call.name!r} is offered; available: {', '.join(sorted(offered)) or 'none'}",
                    )
                    reject("unoffered", call, observation.error.message if observation.error else "")
                else:
                    observation = _execute(environment, call)
                    run.steps.append(Step(call=call, observation=observation, turn=turn))
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
                skipped = Observation.failure(
                    "SkippedCallError", "not executed: the episode stopped on a repeated failing call"
                )
                for later, later_error in pending[index + 1 :]:
                    answer(later, skipped, in_transcript=later_error is None)
                    if later_error is None:
                        reject("skipped", later, skipped.error.message if skipped.error else "")
                    else:
                        reject("malformed", None, later_error)
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
