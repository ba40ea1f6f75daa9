"""The whole pipeline with model roles served over real HTTP by the loopback OpenAI-compatible
server: a run with LLM roles works, a server that answers garbage loses nothing and writes no
unverified sample, and an unreachable server is recorded, not fatal."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from hardgen.agents import ModelFreeAgent
from hardgen.llm import ChatRequest
from hardgen.llm.loopback import LoopbackServer
from hardgen.pipeline import generate as run_generate
from hardgen.pipeline import iter_jsonl, load_config
from hardgen.schema import Message, Sample, ToolSpec
from hardgen.synth import prompt_version
from hardgen.verify import verify_sample

_names = itertools.count()


def _query_from_prompt(prompt: str) -> str:
    goal = prompt.split("The user wants this done:", 1)[1].strip().splitlines()[0]
    required = prompt.split("MUST contain each of these values exactly as written:", 1)[1]
    required = required.split("MUST NOT")[0].split("At the end")[0]
    values = re.findall(r"^- (.+?): (.+)$", required, flags=re.M)
    details = "; ".join(f"{k}: {v}" for k, v in values)
    return f"Please {goal[:1].lower()}{goal[1:].rstrip('.')}. {details}."


def model_like_responder(request: dict[str, Any]) -> dict[str, Any]:
    """Answers each role the way a cooperative model would (JSON for structured roles; the
    model-free agent's decisions for agent requests)."""
    if request.get("response_format"):
        prompt = request["messages"][-1]["content"]
        if "You name and describe a composite tool" in prompt:
            answer = {"name": f"llm_named_tool_{next(_names)}", "description": "Does what the user asked, in one go."}
        elif "Write one request" in prompt:
            answer = {"query": _query_from_prompt(prompt)}
        else:
            answer = {"kind": "missing_step", "tool": "", "parameter": "", "text": "A lookup step is missing."}
        return {"role": "assistant", "content": json.dumps(answer)}
    chat = ChatRequest(messages=[Message.from_openai(m) for m in request["messages"]],
                       tools=[ToolSpec.from_openai(t) for t in request.get("tools") or []])
    return ModelFreeAgent(seed=0).respond(chat).message.to_openai()


def garbage_responder(request: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": "<html>I am not JSON {{{"}


def _config(out: Path, base_url: str, roles: list[str]) -> Any:
    overrides: dict[str, Any] = {
        "out": str(out), "sources": [{"kind": "world", "domains": ["messaging", "banking"]}],
        "synthesis.samples": 4, "probe.tasks_per_tool": 1, "probe.max_tools": 8, "sampling.traces": 30,
        "concurrency": 4,
    }
    for role in roles:
        overrides[f"roles.{role}"] = {"kind": "openai", "base_url": base_url, "model": "loopback",
                                      "max_retries": 1, "timeout_s": 10}
    return load_config(overrides=overrides)


def _samples(out: Path) -> list[Sample]:
    return [Sample.model_validate(r) for r in iter_jsonl(out / "samples.jsonl")]


def test_a_run_with_llm_roles_over_http_writes_only_verified_samples(tmp_path: Path) -> None:
    with LoopbackServer(responder=model_like_responder) as server:
        cfg = _config(tmp_path / "run", server.url, ["target", "tool_maker", "query_writer", "critic"])
        manifest = asyncio.run(run_generate(cfg))
        assert server.chat_requests, "the roles did not reach the server"
    samples = _samples(tmp_path / "run")
    assert samples and manifest.samples == len(samples)
    assert all(verify_sample(s).passed for s in samples)
    assert all(s.gold[0].query.startswith("Please ") for s in samples)  # the model wrote the queries
    library = list(iter_jsonl(tmp_path / "run" / "advanced_tools.jsonl"))
    assert any(t["name"].startswith("llm_named_tool_") for t in library)  # and named the tools
    assert manifest.backends["target"]["requests"] > 0
    assert manifest.backends["query_writer"]["requests"] > 0
    assert samples[0].metadata.provenance.prompt_versions["query_writer"] == prompt_version("query_writer.j2")


def test_a_server_that_answers_garbage_loses_nothing_and_writes_no_unverified_sample(tmp_path: Path) -> None:
    with LoopbackServer(responder=garbage_responder) as server:
        cfg = _config(tmp_path / "run", server.url, ["target", "reference", "tool_maker", "query_writer", "critic"])
        manifest = asyncio.run(run_generate(cfg))
    samples = _samples(tmp_path / "run")
    rejected = list(iter_jsonl(tmp_path / "run" / "rejected.jsonl"))
    assert manifest.samples == len(samples) and manifest.rejected == len(rejected)
    assert len(samples) + len(rejected) > 0
    assert all(verify_sample(s).passed for s in samples)
    # Garbage names and queries fell back to the model-free results instead of being used.
    assert not any(t["name"].startswith("<html>") for t in iter_jsonl(tmp_path / "run" / "advanced_tools.jsonl"))
    assert manifest.backends["tool_maker"]["requests"] > 0


def test_an_unreachable_target_server_is_recorded_per_task_not_fatal(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cfg = _config(tmp_path / "run", f"http://127.0.0.1:{port}/v1", ["target"])
    manifest = asyncio.run(run_generate(cfg))
    report = json.loads((tmp_path / "run" / "failures.json").read_text())
    assert report["tasks"] > 0 and report["target_success_rate"] == 0.0
    assert manifest.backends["target"]["failures"] > 0
    assert all(verify_sample(s).passed for s in _samples(tmp_path / "run"))


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
