"""A whole `hardgen generate` with every role on an OpenAI-compatible server that answers the way
five model families do: native `tool_calls` with `reasoning_content` (vLLM/SGLang with a tool
parser), Qwen3 (`<think>` then Hermes `<tool_call>` text), Llama-3.1 (`<|python_tag|>` JSON with
`parameters`), Llama-3.2 (a pythonic call list after some text) and Mistral (`[TOOL_CALLS]`).

The server's "model" is the model-free roles behind HTTP: the agents decide like the model-free
agent, the reasoner plans like the model-free reasoner (on its own copy of the world, rebuilt from
the calls the conversation holds), and the JSON roles answer with valid JSON wrapped the way the
family wraps it. Every sample written must verify; a second run from the same cache sends nothing.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from integration_fixture_llm import query_from_prompt

from hardgen.agents import ModelFreeAgent
from hardgen.graph import ApiGraph
from hardgen.llm import ChatRequest
from hardgen.llm.loopback import LoopbackServer
from hardgen.pipeline import generate as run_generate
from hardgen.pipeline import iter_jsonl, load_config, resolve_sources
from hardgen.schema import Message, Sample, ToolCall, ToolSpec
from hardgen.synth import ModelFreeReasoner, ReasonerTask
from hardgen.synth._graph_dependencies import GraphDependencies
from hardgen.tools import Session
from hardgen.verify import verify_sample

ROLES = ["target", "reference", "tool_maker", "query_writer", "reasoner", "critic"]
FAMILIES = ["native", "qwen3", "llama31", "llama32", "mistral"]


def _calls_text(family: str, calls: list[ToolCall]) -> str:
    if family == "qwen3":
        return "\n".join(f'<tool_call>\n{json.dumps({"name": c.name, "arguments": c.arguments})}\n</tool_call>'
                         for c in calls)
    if family == "llama31":
        return "<|python_tag|>" + "; ".join(json.dumps({"name": c.name, "parameters": c.arguments}) for c in calls)
    if family == "llama32":
        def py(value: Any) -> str:
            return repr(value)
        inner = ", ".join(f"{c.name}({', '.join(f'{k}={py(v)}' for k, v in c.arguments.items())})" for c in calls)
        return f"I will use the tools for this.\n[{inner}]"
    if family == "mistral":
        return "[TOOL_CALLS]" + json.dumps([{"name": c.name, "arguments": c.arguments} for c in calls])
    raise AssertionError(family)


def _shaped(family: str, message: Message) -> dict[str, Any]:
    """`message` as the family's server would send it back."""
    thought = message.reasoning or "Let me work out what is needed."
    if family == "native":
        wire = message.to_openai()
        wire["reasoning_content"] = thought
        return wire
    content = _calls_text(family, list(message.tool_calls)) if message.tool_calls else (message.content or "")
    if family == "qwen3":
        content = f"<think>\n{thought}\n</think>\n\n{content}"
    return {"role": "assistant", "content": content}


def _json_answer(family: str, answer: dict[str, Any]) -> str:
    text = json.dumps(answer)
    return {"native": text, "qwen3": f"<think>\nThe user wants JSON {{like this}}.\n</think>\n\n{text}",
            "llama31": text, "llama32": f"```json\n{text}\n```",
            "mistral": f"Here is the answer {{as asked}}:\n{text}"}[family]


class FamilyModel:
    """The server side: answers every role in one family's output format."""

    def __init__(self, family: str, run_dir: Path, config: Any) -> None:
        self.family = family
        self.run_dir = run_dir
        self.specs = resolve_sources(config)
        self.agent = ModelFreeAgent(seed=0)
        self._reasoner: ModelFreeReasoner | None = None
        self._lock = threading.Lock()

    def reasoner(self) -> ModelFreeReasoner:
        if self._reasoner is None:
            self._reasoner = ModelFreeReasoner(GraphDependencies(ApiGraph.load(self.run_dir / "graph.json")))
        return self._reasoner

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("response_format") or "Answer with JSON only" in request["messages"][-1]["content"]:
            return {"role": "assistant", "content": _json_answer(self.family, self._json_role(request))}
        chat = ChatRequest(messages=[Message.from_openai(m) for m in request["messages"]],
                           tools=[ToolSpec.from_openai(t) for t in request.get("tools") or []], seed=request.get("seed"))
        system = chat.messages[0].content or "" if chat.messages else ""
        if "About the task:" in system:
            with self._lock:
                return _shaped(self.family, self._reason(chat, system))
        return _shaped(self.family, self.agent.respond(chat).message)

    def _json_role(self, request: dict[str, Any]) -> dict[str, Any]:
        prompt = request["messages"][-1]["content"]
        if "You name and describe a composite tool" in prompt:
            return {"name": "", "description": "Does what the user asked, in one go, from what they said."}
        if "message a real person sends" in prompt:
            return {"query": query_from_prompt(prompt)}
        return {"kind": "missing_step", "tool": "", "parameter": "", "text": "A lookup step is missing."}

    def _reason(self, chat: ChatRequest, system: str) -> Message:
        """The model-free reasoner's next message for this conversation: it plans the whole turn on a
        world rebuilt from the calls made before the turn, and answers with the step it is at."""
        messages = chat.messages
        last_user = max(i for i, m in enumerate(messages) if m.role == "user")
        hint = system.split("About the task:", 1)[1].splitlines()[0].strip()
        session = Session.from_specs(self.specs)
        try:
            for m in messages[:last_user]:
                for call in m.tool_calls or []:
                    session.call(call.name, call.arguments)
            task = ReasonerTask(query=messages[last_user].content or "", tools=list(chat.tools or []), hint=hint,
                                history=[Message.system(system), *messages[1:last_user + 1]], turn=0)
            attempt = _in_thread(lambda: asyncio.run(self.reasoner().solve(task, session, [])))
        finally:
            session.close()
        planned = [m for m in attempt.messages if m.role == "assistant"]
        done = sum(1 for m in messages[last_user + 1:] if m.role == "assistant")
        if done < len(planned):
            return planned[done]
        return Message.assistant("Done.")


def _in_thread(fn: Any) -> Any:
    """`fn()` on a thread of its own (the responder runs inside the server's event loop)."""
    box: list[Any] = []
    worker = threading.Thread(target=lambda: box.append(fn()))
    worker.start()
    worker.join()
    return box[0]


def _config(out: Path, base_url: str) -> Any:
    overrides: dict[str, Any] = {
        "out": str(out), "sources": [{"kind": "world", "domains": ["banking", "messaging"]}],
        "synthesis.samples": 3, "probe.tasks_per_tool": 1, "probe.max_tools": 6, "sampling.traces": 40,
        "concurrency": 2,
    }
    for role in ROLES:
        overrides[f"roles.{role}"] = {"kind": "openai", "base_url": base_url, "model": "family", "max_retries": 1,
                                      "timeout_s": 30}
    overrides["roles.reference"] = {**overrides["roles.reference"], "model": "family-reference"}
    return load_config(overrides=overrides)


@dataclass
class TwoRuns:
    """A run with every role on a family's server, and the same run again from its cache."""

    manifest: Any
    repeated: Any
    out: Path
    again: Path
    requests: int
    """Requests the first run sent."""
    resent: int
    """Requests the second run sent (its cache should answer all)."""


def run_twice(family: str, root: Path, samples: int | None = None) -> TwoRuns:
    out = root / "run"
    model = FamilyModel(family, out, _config(out, "http://127.0.0.1:1/v1"))
    with LoopbackServer(responder=model) as server:
        config = _config(out, server.url)
        if samples is not None:
            config = config.model_copy(update={"synthesis": config.synthesis.model_copy(update={"samples": samples})})
        manifest = asyncio.run(run_generate(config))
        requests = len(server.chat_requests)
        # The same run again in a fresh directory holding only the saved config and the response
        # cache (with its WAL files); the same directory name, as the run id is part of each sample.
        again = root / "second" / "run"
        again.mkdir(parents=True)
        for path in [out / "config.yaml", *out.glob("cache.sqlite*")]:
            shutil.copy(path, again / path.name)
        server.reset_records()
        model.run_dir = again
        repeated = asyncio.run(run_generate(config.model_copy(update={"out": str(again)}), resume=True))
        resent = len(server.chat_requests)
    return TwoRuns(manifest, repeated, out, again, requests, resent)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_role_on_a_server_answering_in_a_family_format(family: str, tmp_path: Path) -> None:
    runs = run_twice(family, tmp_path)
    manifest = runs.manifest
    samples = [Sample.model_validate(r) for r in iter_jsonl(runs.out / "samples.jsonl")]
    assert samples, f"{family}: no sample (rejections: {manifest.rejections_by_reason})"
    assert all(verify_sample(s).passed for s in samples)
    for role in ROLES:
        assert manifest.backends[role]["requests"] > 0, role
    # Every assistant call in a sample was made by the model, in its own format, and parsed.
    assert all(c.name in {t.name for t in s.tools} for s in samples for m in s.messages for c in m.tool_calls or [])
    # From its cache the same run sends nothing and writes the same samples.
    assert runs.resent == 0, f"{family}: {runs.resent} of {runs.requests} requests re-sent"
    assert (runs.again / "samples.jsonl").read_bytes() == (runs.out / "samples.jsonl").read_bytes()
    assert runs.repeated.samples == manifest.samples
