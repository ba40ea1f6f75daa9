"""Backends and role implementations for a run, from its config (model-free by default)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardgen.agents import ModelFreeAgent, build_agent
from hardgen.llm import Backend, OpenAICompatibleBackend, RequestBudget, RequestSettings, with_settings
from hardgen.pipeline._config import BackendConfig, RunConfig
from hardgen.schema import Provenance
from hardgen.synth import (
    Critic,
    LLMCritic,
    LLMQueryWriter,
    LLMReasoner,
    LLMToolMaker,
    ModelFreeCritic,
    ModelFreeQueryWriter,
    ModelFreeReasoner,
    ModelFreeToolMaker,
    QueryWriter,
    Reasoner,
    ToolMaker,
    prompt_version,
)
from hardgen.synth._graph_dependencies import GraphDependencies


def build_backend(config: BackendConfig, *, seed: int, cache: Path | None,
                  budget: RequestBudget | None = None) -> Backend:
    """A backend for an agent role: the model-free agent, or an OpenAI-compatible server (charging
    `budget`, which the run's backends share)."""
    if config.kind == "model-free":
        return build_agent(config.agent, seed) if config.agent else ModelFreeAgent(seed=seed)
    assert config.base_url and config.model
    api_key = os.environ.get(config.api_key_env) if config.api_key_env else None
    backend = OpenAICompatibleBackend(config.base_url, config.model, api_key, max_concurrency=config.max_concurrency,
                                      timeout_s=config.timeout_s, max_retries=config.max_retries, cache=cache,
                                      budget=budget)
    settings = RequestSettings.model_validate(config.model_dump(include=set(RequestSettings.model_fields)))
    return with_settings(backend, settings)


@dataclass
class Roles:
    target: Backend
    reference: Backend
    tool_maker: ToolMaker
    query_writer: QueryWriter
    reasoner: Reasoner
    critic: Critic
    backends: dict[str, Backend] = field(default_factory=dict)
    """Model backends by role (for token and request accounting)."""
    budget: RequestBudget | None = None
    """The request and token budget all model backends share (None: unlimited)."""
    fallbacks: dict[str, Counter[str]] = field(default_factory=dict)
    """Per LLM role, why it fell back to its model-free result for a unit, by reason."""

    def provenance(self, seed: int) -> Provenance:
        models = {r: b for r, b in self.backends.items() if not isinstance(b, ModelFreeAgent)}
        reasoner = models.get("reasoner")
        return Provenance(
            backend=reasoner.name if reasoner else "model-free",
            model=reasoner.model if reasoner else None,
            seed=seed,
            prompt_versions={f: prompt_version(f"{f}.j2") for f in ("tool_maker", "query_writer", "critic")}
            | {"reasoner": prompt_version("reasoner_system.j2")},
        )


def build_roles(config: RunConfig, graph: Any, cache: Path | None, backends: dict[str, Backend] | None = None,
                previous: Roles | None = None) -> Roles:
    """Every role of the run; the model-free implementation wherever no server is configured.

    Pass the `backends` of an earlier `Roles` (or the earlier `previous` Roles itself) to rebind
    the roles to another graph while keeping the same backends (and so their connections, caches,
    budget and request accounting) and the same fallback counts."""
    cache = cache if config.cache else None
    roles = config.roles
    backends = dict(backends or (previous.backends if previous else {}))
    shared = [getattr(b, "budget", None) for b in backends.values()]
    budget = previous.budget if previous else next((b for b in shared if isinstance(b, RequestBudget)), None)
    if budget is None and (config.budget.max_requests is not None or config.budget.max_tokens is not None):
        budget = RequestBudget(config.budget.max_requests, config.budget.max_tokens)
    fallbacks: dict[str, Counter[str]] = previous.fallbacks if previous else {}
    if "target" not in backends:
        backends["target"] = build_backend(roles.target, seed=config.seed, cache=cache, budget=budget)
    if "reference" not in backends:
        # The model-free reference agent ranks tools less greedily than the target, so the two are
        # not one and the same baseline.
        backends["reference"] = (ModelFreeAgent(seed=config.seed + 1, relevance_ratio=0.5)
                                 if roles.reference.kind == "model-free" and roles.reference.agent is None
                                 else build_backend(roles.reference, seed=config.seed + 1, cache=cache, budget=budget))

    def llm(name: str) -> Backend | None:
        cfg: BackendConfig = getattr(roles, name)
        if cfg.kind == "model-free":
            return None
        if name not in backends:
            backends[name] = build_backend(cfg, seed=config.seed, cache=cache, budget=budget)
        return backends[name]

    dependencies = GraphDependencies(graph)

    def is_prerequisite(a: str, b: str) -> bool:
        return a in dependencies.prerequisites(b)

    maker_llm, writer_llm, reasoner_llm, critic_llm = llm("tool_maker"), llm("query_writer"), llm("reasoner"), llm("critic")
    noise = config.synthesis.noise
    return Roles(
        target=backends["target"],
        reference=backends["reference"],
        tool_maker=LLMToolMaker(maker_llm, is_prerequisite, fallbacks=fallbacks.setdefault("tool_maker", Counter()))
        if maker_llm else ModelFreeToolMaker(is_prerequisite),
        query_writer=LLMQueryWriter(writer_llm, noise=noise, fallbacks=fallbacks.setdefault("query_writer", Counter()))
        if writer_llm else ModelFreeQueryWriter(noise=noise),
        reasoner=LLMReasoner(reasoner_llm) if reasoner_llm
        else ModelFreeReasoner(dependencies),
        critic=LLMCritic(critic_llm, fallbacks=fallbacks.setdefault("critic", Counter())) if critic_llm
        else ModelFreeCritic(),
        backends=backends,
        budget=budget,
        fallbacks=fallbacks,
    )


def role_warnings(config: RunConfig) -> list[str]:
    """What in the role setup makes the run measure less than it seems to."""
    target, reference = config.roles.target, config.roles.reference
    warnings = []
    if target.kind == "openai" and (target.base_url, target.model) == (reference.base_url, reference.model):
        sampled = (target.temperature or 0) > 0 and (reference.temperature or 0) > 0
        warnings.append(
            f"target and reference are the same model ({target.model} at {target.base_url}): failure mining "
            "then measures one model, so the failure set is that model's alone"
            + ("" if sampled else "; with no temperature above 0 both answer alike") +
            ". Set roles.reference to a second model for the paper's joint failures.")
    return warnings


def role_fallbacks(roles: Roles) -> dict[str, dict[str, int]]:
    """Per LLM role, why it fell back to its model-free result, by reason (for the manifest)."""
    return {name: dict(sorted(counts.items())) for name, counts in sorted(roles.fallbacks.items()) if counts}
