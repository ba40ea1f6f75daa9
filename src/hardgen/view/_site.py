"""Building the viewer: a static site for one run directory, readable from file:// with no server.

Browsers block fetch() of local files, so every piece of data is a small script that registers
itself (`HARDGEN_VIEW_DATA[name] = ...`) and is loaded on demand by a <script> tag. The first page
loads only the page shell, the filter index and the first chunk of titles; a sample's full record
comes with its chunk when it is opened, the search text when the search box is used, the graph when
its tab is shown. Samples are streamed from samples.jsonl, so a large run is never held in full.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hardgen.export import REJECTED_FILE, SAMPLES_FILE
from hardgen.schema import Sample
from hardgen.stats import compute_stats
from hardgen.view._errors import ViewError
from hardgen.view._graph_view import graph_view
from hardgen.view._records import rejected_record, sample_record, sample_search_text, sample_title, sample_tools

SAMPLES_PER_CHUNK = 25
"""Full sample records per data file: one is loaded to open a sample."""
ROWS_PER_CHUNK = 1_000
"""Titles, search texts and rejected candidates per data file."""
ASSETS = ("view.css", "view.js")
"""Files copied from the package's assets next to index.html."""
VERDICTS = ("passed", "failed")
AGENT_RESULTS = ("", "passed", "failed")
"""An evaluation's verdict per sample: not evaluated, passed, failed (index-row codes 0, 1, 2)."""

_SHOWN_ERRORS = 3


@dataclass
class ViewSite:
    """What `build_view` wrote."""

    out: Path
    """The site's folder; open `index` in a browser."""
    index: Path
    samples: int
    rejected: int
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    invalid_lines: list[str] = field(default_factory=list)
    """Lines of samples.jsonl that were skipped (only with `skip_invalid=True`)."""

    @property
    def bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)

    @property
    def first_page_files(self) -> list[Path]:
        """The files a browser loads to show the first page: the shell, its assets, the run's
        summary, the filter index and the first chunk of titles."""
        data = self.out / "data"
        names = [self.index, *(self.out / a for a in ASSETS), data / "run.js", data / "index.js"]
        if self.samples:
            names.append(data / "titles-000.js")
        return names


def script_json(value: Any) -> str:
    """JSON safe to put in a script: `<`, `>` and `&` as \\u escapes, so a sample's text can never
    end a script element or open a tag whatever it holds, and U+2028/2029 escaped for old parsers."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                     ("\u2029", "\\u2029")):
        text = text.replace(raw, esc)
    return text


def _data_file(path: Path, name: str, value: Any) -> Path:
    path.write_text(
        f"(window.HARDGEN_VIEW_DATA = window.HARDGEN_VIEW_DATA || {{}})[{json.dumps(name)}] = {script_json(value)};\n",
        encoding="utf-8",
    )
    return path


def _light(line: str) -> Sample:
    """A sample without its environments' initial states and its tools' schemas (most of its
    bytes, which neither the viewer nor the statistics read: they use the tools' names and
    descriptions), so that ten thousand fit in memory."""
    data = json.loads(line)
    if isinstance(data, dict):
        for env in data.get("environments") or []:
            if isinstance(env, dict):
                env["initial_state"] = {}
        for spec in data.get("tools") or []:
            if isinstance(spec, dict):
                spec.pop("parameters", None)
                spec.pop("returns", None)
    return Sample.model_validate(data)


def _samples(path: Path, skip_invalid: bool, invalid: list[str]) -> Iterator[Sample]:
    with path.open("r", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield _light(line)
            except (ValidationError, ValueError) as exc:
                first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                invalid.append(f"{path}:{number}: not a valid sample ({first})")
                if not skip_invalid:
                    raise ViewError(f"{path}:{number} is not a valid sample ({first}); "
                                    "skip such lines with --skip-invalid") from None


def _read_json(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ViewError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _rejected(run: Path) -> tuple[list[dict[str, Any]], int]:
    """The rejected candidates and how many lines were not JSON objects (shown, not fatal: the
    rejections are the run's own notes, not the data)."""
    path = run / REJECTED_FILE
    if not path.is_file():
        return [], 0
    out: list[dict[str, Any]] = []
    bad = 0
    with path.open("r", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                bad += 1
                continue
            if isinstance(data, dict):
                out.append(rejected_record(data))
            else:
                bad += 1
    return out, bad


def _evaluation(run: Path) -> dict[str, Any] | None:
    """The summary of `RUN/eval/eval.json` (where `hardgen eval RUN` writes), if there is one."""
    data = _read_json(run / "eval" / "eval.json")
    if not isinstance(data, dict):
        return None
    tools = sorted((data.get("tools") or {}).items(), key=lambda kv: (-kv[1].get("failures", 0), kv[0]))
    return {
        "agent": data.get("agent"),
        "model": data.get("model"),
        "samples": data.get("samples", 0),
        "scored": data.get("scored", 0),
        "passed": data.get("passed", 0),
        "accuracy": data.get("accuracy", 0.0),
        "turn_accuracy": data.get("turn_accuracy", 0.0),
        "taxonomy": data.get("taxonomy", {}),
        "by_domain": data.get("by_domain", {}),
        "by_chain_length": data.get("by_chain_length", {}),
        "by_implicit_dependencies": data.get("by_implicit_dependencies", {}),
        "tools": [{"tool": t, "attempts": s.get("attempts", 0), "failures": s.get("failures", 0)} for t, s in tools],
        "results": {str(r.get("sample_id")): bool(r.get("passed")) for r in data.get("results", [])
                    if isinstance(r, dict) and r.get("error") is None},
    }


def _check_run(run: Path) -> Path:
    if not run.exists():
        raise ViewError(f"run directory {run} does not exist")
    if not run.is_dir():
        raise ViewError(f"{run} is not a run directory (give the folder that holds {SAMPLES_FILE})")
    samples = run / SAMPLES_FILE
    if not samples.is_file():
        raise ViewError(f"{run} is not a run directory: it has no {SAMPLES_FILE}")
    return samples


_PREFIX = "(window.HARDGEN_VIEW_DATA"
_OURS = re.compile(r"(?:(?:samples|titles|text|rejected)-\d{3}|index|run|graph)\.js")
MARKER = "<!-- hardgen view -->"
"""Second line of the page, after the doctype: a folder whose index.html lacks it is not overwritten."""


def _clear(out: Path) -> None:
    """Remove what an earlier build wrote (its data chunks may outnumber this one's): only files
    with a chunk's name that start like one; nothing else in `out` is touched. Refuse a folder
    whose index.html is some other page."""
    page = out / "index.html"
    if page.is_file() and MARKER not in page.read_text(encoding="utf-8", errors="replace")[:200]:
        raise ViewError(f"{out} already holds an index.html that hardgen view did not write; choose another --out")
    data = out / "data"
    if data.is_dir():
        for p in data.iterdir():
            if p.is_file() and _OURS.fullmatch(p.name):
                with p.open("r", encoding="utf-8", errors="replace") as fh:
                    if fh.read(len(_PREFIX)) == _PREFIX:
                        p.unlink()


def _page(run: Path) -> str:
    template = resources.files("hardgen.view").joinpath("assets/index.html").read_text(encoding="utf-8")
    return template.replace("{{ title }}", escape(f"hardgen view: {run.resolve().name}"))


def build_view(
    run: str | Path,
    out: str | Path | None = None,
    *,
    skip_invalid: bool = False,
    near_duplicate_threshold: float = 0.8,
    seed: int = 0,
) -> ViewSite:
    """Write the viewer of the run directory `run` into `out` (default `run/view`) and return what
    was written. Raises ViewError when `run` is not a run directory or a file in it cannot be read
    (a sample line that is not a valid sample too, unless `skip_invalid`)."""
    started = time.perf_counter()
    run = Path(run)
    samples_path = _check_run(run)
    target = Path(out) if out is not None else run / "view"
    data = target / "data"
    _clear(target)
    data.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    evaluation = _evaluation(run)
    agent = evaluation["results"] if evaluation else {}

    domains: dict[str, int] = {}
    tools: dict[str, int] = {}
    modes: dict[str, int] = {}
    ids: list[str] = []
    rows: list[list[Any]] = []
    chunk: list[dict[str, Any]] = []
    titles: list[str] = []
    texts: list[str] = []
    kept: list[Sample] = []  # light samples, for the statistics
    invalid: list[str] = []

    def flush(kind: str, items: list[Any], per: int) -> None:
        # Called when a chunk is full or at the end: the chunk holds the last len(items) samples.
        name = f"{kind}-{(len(ids) - 1) // per:03d}"
        files.append(_data_file(data / f"{name}.js", name, items))

    for sample in _samples(samples_path, skip_invalid, invalid):
        md = sample.metadata
        row = [
            [domains.setdefault(d, len(domains)) for d in md.domains],
            [tools.setdefault(t, len(tools)) for t in sample_tools(sample)],
            md.chain_length,
            md.implicit_dependencies,
            md.turns,
            VERDICTS.index(sample.verification.verdict),
            modes.setdefault(md.sampling_mode, len(modes)),
            sample.verification.attempts,
            0 if sample.id not in agent else (1 if agent[sample.id] else 2),
        ]
        ids.append(sample.id)
        rows.append(row)
        chunk.append(sample_record(sample))
        titles.append(sample_title(sample))
        texts.append(sample_search_text(sample))
        kept.append(sample)
        if len(chunk) == SAMPLES_PER_CHUNK:
            flush("samples", chunk, SAMPLES_PER_CHUNK)
            chunk = []
        if len(titles) == ROWS_PER_CHUNK:
            flush("titles", titles, ROWS_PER_CHUNK)
            flush("text", texts, ROWS_PER_CHUNK)
            titles, texts = [], []
    if chunk:
        flush("samples", chunk, SAMPLES_PER_CHUNK)
    if titles:
        flush("titles", titles, ROWS_PER_CHUNK)
        flush("text", texts, ROWS_PER_CHUNK)

    rejected, bad_rejected = _rejected(run)
    for k in range(0, len(rejected), ROWS_PER_CHUNK):
        files.append(_data_file(data / f"rejected-{k // ROWS_PER_CHUNK:03d}.js",
                                f"rejected-{k // ROWS_PER_CHUNK:03d}", rejected[k:k + ROWS_PER_CHUNK]))

    files.append(_data_file(data / "index.js", "index", {
        "count": len(ids),
        "samples_per_chunk": SAMPLES_PER_CHUNK,
        "rows_per_chunk": ROWS_PER_CHUNK,
        "rejected": len(rejected),
        "domains": list(domains),
        "tools": list(tools),
        "modes": list(modes),
        "verdicts": list(VERDICTS),
        "agent_results": list(AGENT_RESULTS),
        "ids": ids,
        "rows": rows,
    }))

    graph_json = _read_json(run / "graph.json")
    has_graph = isinstance(graph_json, dict)
    if has_graph:
        files.append(_data_file(data / "graph.js", "graph", graph_view(graph_json, _read_json(run / "failures.json"),
                                                                       seed=seed)))
    manifest = _read_json(run / "manifest.json")
    manifest = manifest if isinstance(manifest, dict) else {}
    stats = compute_stats(kept, rejected=len(rejected) if (run / REJECTED_FILE).is_file() else None,
                          near_duplicate_threshold=near_duplicate_threshold)
    files.append(_data_file(data / "run.js", "run", {
        "name": run.resolve().name,
        "path": str(run.resolve()),
        "manifest": {k: manifest[k] for k in ("hardgen_version", "seed", "samples", "rejected", "units_planned",
                                                "yield_rate", "traces", "advanced_tools", "failure_set",
                                                "phase_seconds", "rejections_by_stage", "rejections_by_reason",
                                                "library_dropped") if k in manifest},
        "stats": stats.model_dump(mode="json", exclude={"language"}),
        "language": stats.language.model_dump(mode="json"),
        "validity": manifest.get("validity"),
        "evaluation": {k: v for k, v in evaluation.items() if k != "results"} if evaluation else None,
        "has_graph": has_graph,
        "invalid_lines": invalid[:_SHOWN_ERRORS],
        "invalid_count": len(invalid),
        "bad_rejected_lines": bad_rejected,
    }))

    assets = resources.files("hardgen.view").joinpath("assets")
    for name in ASSETS:
        dest = target / name
        with resources.as_file(assets.joinpath(name)) as src:
            shutil.copyfile(src, dest)
        files.append(dest)
    index = target / "index.html"
    index.write_text(_page(run), encoding="utf-8")
    files.append(index)
    return ViewSite(out=target, index=index, samples=len(ids), rejected=len(rejected), files=files,
                    seconds=time.perf_counter() - started, invalid_lines=invalid)
