"""Statistics of a set of samples: what a person (or a dataset card) needs to judge a run's data.

Call-based figures (calls per sample, tools, tool sequences, error observations, parallel calls)
are read from the assistant and tool messages, i.e. from what a model is trained on; the chain
length is the number of gold calls; implicit dependencies come from the sample metadata.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from hardgen.schema import FAMILIES, Sample
from hardgen.stats._language import LanguageReport, language_report
from hardgen.stats._near_duplicates import near_duplicate_groups


class Distribution(BaseModel):
    """Summary of one integer quantity over the samples."""

    count: int = 0
    mean: float = 0.0
    median: float = 0.0
    min: int = 0
    max: int = 0
    p90: float = 0.0
    """90th percentile (nearest rank)."""
    histogram: dict[int, int] = Field(default_factory=dict)
    """Value -> number of samples, by increasing value."""

    @classmethod
    def of(cls, values: Iterable[int]) -> Distribution:
        data = sorted(values)
        if not data:
            return cls()
        rank = max(0, min(len(data) - 1, -(-9 * len(data) // 10) - 1))  # ceil(0.9 n) - 1
        return cls(
            count=len(data),
            mean=round(statistics.fmean(data), 4),
            median=float(statistics.median(data)),
            min=data[0],
            max=data[-1],
            p90=float(data[rank]),
            histogram=dict(sorted(Counter(data).items())),
        )


class NearDuplicateReport(BaseModel):
    """How many samples' queries have a near-duplicate among the other samples."""

    threshold: float
    """Jaccard similarity of character shingle sets at or above which two queries are near-duplicates."""
    shingle_size: int
    method: str = "lsh"
    """`lsh` (MinHash, linear time, every reported pair verified) or `exact` (prefix-filter join)."""
    samples_with_duplicate: int = 0
    rate: float = 0.0
    """samples_with_duplicate / samples."""
    groups: int = 0
    """Groups of mutually near-duplicate samples (connected components of two or more)."""
    examples: list[list[str]] = Field(default_factory=list)
    """Sample ids of up to five of the largest groups."""


class SampleStats(BaseModel):
    """Statistics of a set of samples (and, when known, of the run that made them)."""

    samples: int
    rejected: int | None = None
    """Candidates the run dropped after verification, when known."""
    yield_rate: float | None = None
    """samples / (samples + rejected), when the rejected count is known."""
    first_try_rate: float = 0.0
    """Share of samples whose reasoner passed verification at the first attempt."""
    attempts: Distribution = Field(default_factory=Distribution)
    calls_per_sample: Distribution = Field(default_factory=Distribution)
    chain_length: Distribution = Field(default_factory=Distribution)
    """Gold calls per sample, over all turns."""
    turns: Distribution = Field(default_factory=Distribution)
    """User turns per sample."""
    implicit_dependencies: Distribution = Field(default_factory=Distribution)
    parallel_call_messages: int = 0
    """Assistant messages that call two or more tools at once."""
    error_observations: int = 0
    """Tool messages that report an error to the agent."""
    tools_offered: int = 0
    """Distinct tools offered over all samples."""
    tools_called: int = 0
    """Distinct tools called over all samples."""
    tool_calls: dict[str, int] = Field(default_factory=dict)
    """Calls per tool name, most called first."""
    domains: dict[str, int] = Field(default_factory=dict)
    """Samples per domain, most frequent first."""
    families: dict[str, int] = Field(default_factory=dict)
    """Samples per family (`SampleMetadata.family`), in the order of `FAMILIES`."""
    injected_faults: int = 0
    """Tool responses that are injected failures (`GoldTurn.faults`, the `error_tool_response` of
    error-recovery samples); they are also counted in `error_observations`."""
    advanced_tools: int = 0
    """Distinct advanced tools the samples were written from."""
    distinct_tool_sequences: int = 0
    """Distinct ordered sequences of called tool names."""
    distinct_tool_sequence_ratio: float = 0.0
    """distinct_tool_sequences / samples: 1.0 means no two samples call the same tools in the same order."""
    near_duplicates: NearDuplicateReport
    language: LanguageReport = Field(default_factory=LanguageReport)
    """How template-like the text reads: query skeletons and frames, copied descriptions, answer dumps,
    reasoning frames (`stats._language`)."""


def sample_query(sample: Sample) -> str:
    """The text of a sample's user turns, the unit compared for near-duplicates."""
    return "\n".join(m.content or "" for m in sample.messages if m.role == "user")


def called_tools(sample: Sample) -> list[str]:
    """Names of the tools the assistant messages call, in order."""
    return [c.name for m in sample.messages if m.role == "assistant" for c in (m.tool_calls or [])]


def _is_error_observation(content: str | None) -> bool:
    # Observation.to_text renders a tool's error as {"error": {...}}.
    if not content or not content.lstrip().startswith("{"):
        return False
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return False
    return isinstance(data, dict) and set(data) == {"error"}


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def compute_stats(
    samples: Sequence[Sample],
    *,
    rejected: int | None = None,
    near_duplicate_threshold: float = 0.8,
    shingle_size: int = 5,
    near_duplicate_method: Literal["lsh", "exact"] = "lsh",
) -> SampleStats:
    """Statistics of `samples`; pass `rejected` (candidates dropped by the run) to get the yield."""
    n = len(samples)
    sequences = [tuple(called_tools(s)) for s in samples]
    tool_counter: Counter[str] = Counter(name for seq in sequences for name in seq)
    domain_counter: Counter[str] = Counter(d for s in samples for d in dict.fromkeys(s.metadata.domains))
    family_counter: Counter[str] = Counter(s.metadata.family for s in samples)
    offered = {t.name for s in samples for t in s.tools}
    advanced = {a for s in samples for a in s.metadata.advanced_tools}

    queries = [sample_query(s) for s in samples]
    dup = near_duplicate_groups(queries, near_duplicate_threshold, shingle_size, near_duplicate_method)
    duplicated = dup.duplicated
    largest = sorted(dup.groups, key=lambda g: (-len(g), g[0]))[:5]
    near = NearDuplicateReport(
        threshold=near_duplicate_threshold,
        shingle_size=shingle_size,
        method=dup.method,
        samples_with_duplicate=len(duplicated),
        rate=_ratio(len(duplicated), n),
        groups=len(dup.groups),
        examples=[[samples[i].id for i in g] for g in largest],
    )

    return SampleStats(
        samples=n,
        rejected=rejected,
        yield_rate=_ratio(n, n + rejected) if rejected is not None and n + rejected else None,
        first_try_rate=_ratio(sum(1 for s in samples if s.verification.attempts <= 1), n),
        attempts=Distribution.of(s.verification.attempts for s in samples),
        calls_per_sample=Distribution.of(len(seq) for seq in sequences),
        chain_length=Distribution.of(sum(len(t.steps) for t in s.gold) for s in samples),
        turns=Distribution.of(sum(1 for m in s.messages if m.role == "user") for s in samples),
        implicit_dependencies=Distribution.of(s.metadata.implicit_dependencies for s in samples),
        parallel_call_messages=sum(
            1 for s in samples for m in s.messages if m.role == "assistant" and len(m.tool_calls or []) > 1
        ),
        error_observations=sum(
            1 for s in samples for m in s.messages if m.role == "tool" and _is_error_observation(m.content)
        ),
        tools_offered=len(offered),
        tools_called=len(tool_counter),
        tool_calls=dict(sorted(tool_counter.items(), key=lambda kv: (-kv[1], kv[0]))),
        domains=dict(sorted(domain_counter.items(), key=lambda kv: (-kv[1], kv[0]))),
        families={f: family_counter[f] for f in FAMILIES if family_counter[f]},
        injected_faults=sum(len(t.faults) for s in samples for t in s.gold),
        advanced_tools=len(advanced),
        distinct_tool_sequences=len(set(sequences)),
        distinct_tool_sequence_ratio=_ratio(len(set(sequences)), n),
        near_duplicates=near,
        language=language_report(samples),
    )
