"""How the text of a run reads: query skeletons, sentence frames, copied descriptions, answer
dumps and reasoning frames (issue 12's targets), as a table.

    .venv/bin/python bench/bench_language.py runs/<name> [runs/<other> ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from hardgen.schema import Sample
from hardgen.stats import language_report

TARGETS = [
    ("distinct query skeletons / 100 samples", "skeletons_per_100_samples", ">= 80"),
    ("top-20 sentence frames share of sentences", "top20_frame_share", "<= 0.5"),
    ("query 4-grams copied from descriptions", "description_4gram_share", "<= 0.05"),
    ("exact-duplicate skeletons (samples)", "exact_duplicate_skeletons", "reported"),
    ("near-duplicate skeletons (samples)", "near_duplicate_skeletons", "reported"),
    ("answers with key-value dumps", "answers_with_dumps", "0"),
    ("answers with index paths", "answers_with_index_paths", "0"),
    ("answers with Python literals", "answers_with_python_literals", "0"),
    ("most frequent reasoning frame share", "top_reasoning_frame_share", "<= 0.05"),
]


def main(paths: list[str]) -> None:
    reports = []
    for path in paths:
        lines = (Path(path) / "samples.jsonl").read_text("utf-8").splitlines()
        reports.append(language_report([Sample.model_validate_json(line) for line in lines if line.strip()]))
    names = [Path(p).name for p in paths]
    width = max(len(label) for label, _, _ in TARGETS)
    print(f"{'figure':<{width}}  {'target':>8}  " + "  ".join(f"{n:>14}" for n in names))
    print(f"{'samples':<{width}}  {'':>8}  " + "  ".join(f"{r.samples:>14}" for r in reports))
    for label, attribute, target in TARGETS:
        print(f"{label:<{width}}  {target:>8}  " + "  ".join(f"{getattr(r, attribute):>14}" for r in reports))
    for name, report in zip(names, reports, strict=True):
        print(f"\n{name}: most frequent reasoning frame {report.top_reasoning_frame!r}; top query frames:")
        for text, count in report.top_query_frames:
            print(f"  {count:>5}  {text}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["runs/latest"])
