"""The Hugging Face dataset card (README.md) of an export: YAML front matter the Hub reads
(license, task categories, tags, size category, configs with data files) and a body with the run's
statistics, splits, columns, how to load the data and where it came from. Deterministic: no dates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import yaml  # type: ignore[import-untyped]

from hardgen.export._options import ExportOptions
from hardgen.schema import Sample
from hardgen.stats import Distribution, SampleStats

TAGS = ["tool-use", "function-calling", "agents", "synthetic", "hardgen"]

_SIZE_CATEGORIES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
]


def size_category(rows: int) -> str:
    """The Hub's `size_categories` value for a number of rows."""
    for bound, name in _SIZE_CATEGORIES:
        if rows < bound:
            return name
    return "n>1B"


def _front_matter(options: ExportOptions, split_files: Mapping[str, str], rows: int) -> str:
    meta = {
        "license": options.license,
        "pretty_name": options.name,
        "task_categories": ["text-generation"],
        "tags": TAGS,
        "size_categories": [size_category(rows)],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": path} for split, path in split_files.items()],
            }
        ],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _pct(x: float | None) -> str:
    return "unknown" if x is None else f"{100 * x:.1f}%"


def _dist(d: Distribution) -> str:
    return f"{d.mean:g} / {d.median:g} / {d.min} / {d.max}"


def _table(header: tuple[str, str], rows: Sequence[tuple[object, object]]) -> list[str]:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return lines


def _provenance(samples: Sequence[Sample]) -> list[tuple[object, object]]:
    def distinct(values: list[str | None]) -> str:
        seen = sorted({v for v in values if v})
        return ", ".join(seen) if seen else "unknown"

    prov = [s.metadata.provenance for s in samples]
    return [
        ("backends", distinct([p.backend for p in prov])),
        ("models", distinct([p.model for p in prov])),
        ("hardgen versions", distinct([p.hardgen_version for p in prov])),
        ("runs", distinct([p.run_id for p in prov])),
    ]


def _families(stats: SampleStats) -> list[str]:
    """The card's Families section, for data with samples of a family other than base."""
    if not set(stats.families) - {"base"}:
        return []
    return [
        "### Families",
        "",
        "The behaviour each sample teaches (`metadata.family`): base solves the task; parallel issues",
        "independent calls in one message; missing_parameter asks for a value only the user knows;",
        "irrelevance and missing_function say plainly what no offered tool can do; error_recovery",
        f"retries after an injected tool failure ({stats.injected_faults} injected failure responses,",
        "listed in each gold turn's `faults`); long_context finds its tools among many.",
        "",
        *_table(("family", "samples"), list(stats.families.items())),
        "",
    ]


def dataset_card(
    samples: Sequence[Sample],
    stats: SampleStats,
    split_rows: Mapping[str, int],
    split_files: Mapping[str, str],
    options: ExportOptions,
    columns: Mapping[str, str],
    split_report: Mapping[str, object] | None = None,
) -> str:
    """The README.md text of a Hugging Face export.

    `stats` are the statistics of `samples` (all splits); `split_rows` and `split_files` give each
    split's row count and parquet path; `columns` documents the columns.
    """
    total_rows = sum(split_rows.values())
    lines = [
        _front_matter(options, split_files, total_rows),
        f"# {options.name}",
        "",
        "Hard, execution-verified tool-use samples for training LLM agents, generated with HardGen. Each",
        "sample is a multi-step task written around tools an agent fails at; its tool calls were re-executed",
        "from the recorded initial state and checked (final state hash, required observations, answer values)",
        "before it was kept.",
        "",
        "## Statistics",
        "",
        *_table(
            ("figure", "value"),
            [
                ("samples", stats.samples),
                ("rejected candidates", "unknown" if stats.rejected is None else stats.rejected),
                ("yield (kept / verified candidates)", _pct(stats.yield_rate)),
                ("first-try pass rate", _pct(stats.first_try_rate)),
                ("tool calls per sample (mean / median / min / max)", _dist(stats.calls_per_sample)),
                ("gold chain length (mean / median / min / max)", _dist(stats.chain_length)),
                ("user turns (mean / median / min / max)", _dist(stats.turns)),
                ("implicit dependencies (mean / median / min / max)", _dist(stats.implicit_dependencies)),
                ("assistant messages with parallel calls", stats.parallel_call_messages),
                ("tool error observations", stats.error_observations),
                ("distinct tools offered / called", f"{stats.tools_offered} / {stats.tools_called}"),
                ("advanced tools", stats.advanced_tools),
                ("distinct tool-sequence ratio", f"{stats.distinct_tool_sequence_ratio:.3f}"),
                (
                    f"near-duplicate queries (Jaccard ≥ {stats.near_duplicates.threshold:g})",
                    _pct(stats.near_duplicates.rate),
                ),
            ],
        ),
        "",
        "### Language",
        "",
        "How template-like the text reads (values and recurring filler removed; see `hardgen.stats._language`).",
        "",
        *_table(
            ("figure", "value"),
            [
                ("distinct query skeletons per 100 samples", f"{stats.language.skeletons_per_100_samples:g}"),
                ("samples with an exact / near-duplicate skeleton",
                 f"{stats.language.exact_duplicate_skeletons} / {stats.language.near_duplicate_skeletons}"),
                ("query sentences covered by the 20 most frequent frames", _pct(stats.language.top20_frame_share)),
                ("query word 4-grams copied from tool descriptions", _pct(stats.language.description_4gram_share)),
                ("answers with key-value dumps / index paths / Python literals",
                 f"{stats.language.answers_with_dumps} / {stats.language.answers_with_index_paths} / "
                 f"{stats.language.answers_with_python_literals}"),
                ("reasoning texts opening with the most frequent frame", _pct(stats.language.top_reasoning_frame_share)),
            ],
        ),
        "",
        "### Gold chain lengths",
        "",
        *_table(("gold calls", "samples"), list(stats.chain_length.histogram.items())),
        "",
        "### Domains",
        "",
        *_table(("domain", "samples"), list(stats.domains.items())),
        "",
        *_families(stats),
        "## Splits",
        "",
        *_table(("split", "rows"), list(split_rows.items())),
        "",
    ]
    if options.split_turns:
        lines += ["Rows are one per assistant turn: the conversation before the turn is context.", ""]
    if split_report is not None:
        lines += [
            f"The test split is held out by advanced tool (seed {split_report['seed']}): no test sample uses an",
            f"advanced tool seen in training ({split_report['train_advanced_tools']} advanced tools in train, "
            f"{split_report['test_advanced_tools']} in test, {split_report['shared_advanced_tools']} shared).",
            "",
        ]
    lines += [
        "## Columns",
        "",
        *_table(("column", "content"), [(f"`{k}`", v) for k, v in columns.items()]),
        "",
        "Nested fields are JSON strings so that every column has one type. To get HardGen's canonical",
        "sample back:",
        "",
        "```python",
        "import json",
        "from datasets import load_dataset",
        "from hardgen.schema import Sample",
        "",
        f'ds = load_dataset("parquet", data_files={{"train": "{split_files.get("train", "")}"}})["train"]',
        'fields = ("messages", "tools", "environments", "gold", "verification", "metadata")',
        'sample = Sample.model_validate({"id": ds[0]["id"], **{k: json.loads(ds[0][k]) for k in fields}})',
        "```",
        "",
        "## Provenance",
        "",
        *_table(("field", "value"), _provenance(samples)),
        "",
    ]
    return "\n".join(lines)
