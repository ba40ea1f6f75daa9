"""The synthesis job: what a synthesis unit runs with, here or on another machine.

`SynthesisRecipe` is everything a worker needs to build the very synthesizer the run's own process
builds (the run's config, its environments, the graph as saved, the advanced tool library, the
failure set and the run id), as plain data that pickles; `build_synthesis_worker` builds it. A
local run does not rebuild anything: `synthesis_job(..., local=...)` hands the executor the run's
own synthesizer, whose backends (with their budget and accounting) are the run's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardgen.graph import ApiGraph
from hardgen.pipeline._config import RunConfig
from hardgen.pipeline._executor import Job
from hardgen.pipeline._roles import Roles, build_roles, role_fallbacks
from hardgen.schema import EnvironmentSpec, Sample
from hardgen.synth import (
    AdvancedTool,
    FamilyOutcome,
    Rejection,
    SynthesisConfig,
    SynthesisUnit,
    Synthesizer,
    mixed_families,
)


def make_synthesizer(config: RunConfig, specs: Sequence[EnvironmentSpec], graph: ApiGraph,
                     library: Iterable[AdvancedTool], roles: Roles, failure_tools: Iterable[str],
                     run_id: str) -> Synthesizer:
    """The run's synthesizer (one definition for the run's process and for every worker)."""
    return Synthesizer(
        specs, graph.specs(), {t.name: t for t in library}, roles.query_writer, roles.reasoner, roles.critic,
        SynthesisConfig(
            max_attempts=config.synthesis.max_attempts, distractors=config.synthesis.distractors,
            timeout_s=config.tool_timeout_s, failure_tools=frozenset(failure_tools),
            provenance=roles.provenance(config.seed).model_copy(update={"run_id": run_id}),
            sampling_mode=config.sampling.mode, families=mixed_families(config.synthesis.families)),
    )


def backend_report(roles: Roles) -> dict[str, Any]:
    """What a worker's backends did, in the manifest's shape (`backends`, `role_fallbacks`)."""
    return {"backends": {role: b.stats.model_dump(mode="json") for role, b in roles.backends.items()
                         if hasattr(b, "stats")},
            "role_fallbacks": role_fallbacks(roles)}


class SynthesisWorker:
    """Runs synthesis units with one synthesizer."""

    def __init__(self, synthesizer: Synthesizer, roles: Roles) -> None:
        self.synthesizer = synthesizer
        self.roles = roles

    async def run(self, unit: SynthesisUnit) -> Sample | Rejection | FamilyOutcome:
        if self.synthesizer.config.families:  # a run mixing families: the one written is picked in unit order
            return await self.synthesizer.synthesize_families(unit, self.synthesizer.config.families)
        return await self.synthesizer.synthesize(unit)

    def report(self) -> dict[str, Any]:
        return {**backend_report(self.roles), "reasoning_sentences_scrubbed": self.synthesizer.scrubbed_sentences}

    def close(self) -> None:
        """Nothing to release: each unit opens and closes its own sessions."""


@dataclass
class SynthesisRecipe:
    """What `build_synthesis_worker` needs (module docstring)."""

    config: RunConfig
    specs: list[EnvironmentSpec]
    graph_json: str
    """The graph as the run saved it (graph.json)."""
    library: list[AdvancedTool]
    failure_tools: list[str]
    run_id: str
    cache: str | None
    """The run's response cache; a worker on another machine needs the run directory on a shared
    file system to use it (SQLite with WAL: several processes share it)."""


def build_synthesis_worker(recipe: SynthesisRecipe) -> SynthesisWorker:
    graph = ApiGraph.from_json(json.loads(recipe.graph_json))
    roles = build_roles(recipe.config, graph, Path(recipe.cache) if recipe.cache else None)
    synthesizer = make_synthesizer(recipe.config, recipe.specs, graph, recipe.library, roles, recipe.failure_tools,
                                   recipe.run_id)
    return SynthesisWorker(synthesizer, roles)


def synthesis_job(recipe: SynthesisRecipe | None, local: SynthesisWorker | None = None,
                  ) -> Job[SynthesisUnit, Sample | Rejection | FamilyOutcome]:
    """The synthesis units' job: built from `recipe` by a worker elsewhere (None: only `local` can run it)."""
    return Job("synthesis", build_synthesis_worker, recipe, local)


def merge_reports(manifest_backends: dict[str, Any], manifest_fallbacks: dict[str, dict[str, int]],
                  reports: Iterable[Mapping[str, Any]]) -> int:
    """Add what remote workers report to the run's own accounting (in place); returns the
    reasoning sentences they scrubbed. Numbers add up field by field (maxima: the largest)."""
    scrubbed = 0
    for report in reports:
        for role, stats in report.get("backends", {}).items():
            into = manifest_backends.setdefault(role, {})
            for key, value in stats.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    into[key] = max(into.get(key, 0), value) if key.endswith("_max") else into.get(key, 0) + value
                else:
                    into.setdefault(key, value)
        for role, counts in report.get("role_fallbacks", {}).items():
            into_counts = manifest_fallbacks.setdefault(role, {})
            for reason, n in counts.items():
                into_counts[reason] = into_counts.get(reason, 0) + n
        scrubbed += int(report.get("reasoning_sentences_scrubbed", 0))
    return scrubbed
