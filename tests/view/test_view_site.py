"""The files `build_view` writes: every sample exactly once, escaped text, the filters' data, the
data flow of implicit arguments, rejected candidates, statistics and the graph."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from view_fixture import HOSTILE, make_sample, read_chunk, write_run

import hardgen.view._site as site_module
from hardgen.view import ViewError, build_view, graph_view, script_json, value_at
from hardgen.view._records import MAX_OBSERVATION_CHARS, sample_record


def _chunks(data: Path, kind: str) -> list[object]:
    values: list[object] = []
    for path in sorted(data.glob(f"{kind}-*.js")):
        name, value = read_chunk(path)
        assert name == path.stem
        assert isinstance(value, list)
        values += value
    return values


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks so a test run of a few dozen samples spans several files of each kind.
    monkeypatch.setattr(site_module, "SAMPLES_PER_CHUNK", 7)
    monkeypatch.setattr(site_module, "ROWS_PER_CHUNK", 10)


def test_every_sample_is_in_exactly_one_chunk_in_order(tmp_path: Path, small_chunks: None) -> None:
    samples = [make_sample(i, domain="shop" if i % 3 else "bank") for i in range(38)]
    site = build_view(write_run(tmp_path / "run", samples))
    data = site.out / "data"
    assert site.out == tmp_path / "run" / "view" and site.index.is_file()
    records = _chunks(data, "samples")
    assert [r["id"] for r in records] == [s.id for s in samples]  # type: ignore[index]
    assert len(list(data.glob("samples-*.js"))) == 6  # 38 / 7, rounded up
    _, index = read_chunk(data / "index.js")
    assert index["ids"] == [s.id for s in samples] and index["count"] == 38
    assert len(_chunks(data, "titles")) == len(_chunks(data, "text")) == 38
    assert index["samples_per_chunk"] == 7 and index["rows_per_chunk"] == 10
    assert site.samples == 38 and set(site.files) == {p for p in site.out.rglob("*") if p.is_file()}


def test_a_rebuild_with_fewer_samples_leaves_no_stale_chunk(tmp_path: Path, small_chunks: None) -> None:
    run = write_run(tmp_path / "run", [make_sample(i) for i in range(30)])
    build_view(run)
    write_run(run, [make_sample(i) for i in range(3)])
    build_view(run)
    assert sorted(p.name for p in (run / "view" / "data").glob("samples-*.js")) == ["samples-000.js"]
    assert [r["id"] for r in _chunks(run / "view" / "data", "samples")] == ["s-00000", "s-00001", "s-00002"]  # type: ignore[index]


def test_sample_text_is_escaped_everywhere_and_kept_intact(tmp_path: Path) -> None:
    hostile = make_sample(0, query=f"Cancel {HOSTILE}")
    site = build_view(write_run(tmp_path / "run", [hostile, make_sample(1)]))
    for path in (site.out / "data").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert "<" not in text and ">" not in text, f"{path.name} holds raw markup"
    records = _chunks(site.out / "data", "samples")
    assert records[0]["messages"][1]["content"] == f"Cancel {HOSTILE}"  # type: ignore[index]
    assert HOSTILE in _chunks(site.out / "data", "titles")[0]  # type: ignore[operator]
    rejected = _chunks(site.out / "data", "rejected")
    assert HOSTILE in rejected[0]["reason"]  # type: ignore[index]


def test_script_json_cannot_close_a_script_or_break_a_line() -> None:
    value = {"q": "</script><!-- \u2028 & >", "n": 1}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_the_page_never_puts_data_in_html() -> None:
    # Sample text reaches the page only as text nodes: no API that parses a string as HTML is used.
    js = (Path(site_module.__file__).parent / "assets" / "view.js").read_text(encoding="utf-8")
    for api in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert api not in js, api


def test_the_page_title_is_escaped(tmp_path: Path) -> None:
    site = build_view(write_run(tmp_path / "<b>run", [make_sample(0)]))
    html = site.index.read_text(encoding="utf-8")
    assert "&lt;b&gt;run" in html and "<b>run" not in html and "{{" not in html


def test_the_filters_data_matches_the_samples(tmp_path: Path) -> None:
    samples = [make_sample(i, domain="shop" if i % 2 else "bank") for i in range(6)]
    site = build_view(write_run(tmp_path / "run", samples))
    _, index = read_chunk(site.out / "data" / "index.js")
    assert set(index["domains"]) == {"shop", "bank"}
    assert set(index["tools"]) == {"find_orders", "cancel_order"}
    assert set(index["modes"]) == {"legality", "uniform"}
    for sample, row in zip(samples, index["rows"], strict=True):
        domains, tools, chain, implicit, turns, verdict, mode, attempts, agent = row
        assert [index["domains"][d] for d in domains] == sample.metadata.domains
        assert [index["tools"][t] for t in tools] == ["find_orders", "cancel_order"]
        assert (chain, implicit, turns) == (sample.metadata.chain_length, 1, 1)
        assert index["verdicts"][verdict] == "passed" and index["modes"][mode] == sample.metadata.sampling_mode
        assert attempts == sample.verification.attempts and agent == 0
    texts = _chunks(site.out / "data", "text")
    assert all(t == t.lower() and s.id in t and "cancel_order" in t for t, s in zip(texts, samples, strict=True))  # type: ignore[attr-defined]


def test_an_implicit_argument_says_where_it_came_from() -> None:
    record = sample_record(make_sample(4))
    step = record["gold"][0]["steps"][1]
    assert step["sources"] == [{"parameter": "order_id", "step": 0, "path": ["orders", 0, "order_id"],
                                "value": '"O-4"', "tool": "find_orders"}]
    assert record["gold"][0]["required_observations"] == [1]
    assert record["environments"] == ["shop"] and "initial_state" not in json.dumps(record)


def test_long_observations_are_cut_with_their_length_said() -> None:
    sample = make_sample(0)
    huge = "x" * (MAX_OBSERVATION_CHARS + 500)
    sample.messages[3] = sample.messages[3].model_copy(update={"content": huge})
    content = sample_record(sample)["messages"][3]["content"]
    assert len(content) < len(huge) and f"{len(huge):,} characters" in content


def test_value_at_follows_dicts_and_lists_and_reports_a_dead_end() -> None:
    result = {"orders": [{"id": "a"}, {"id": "b"}], "n": 2}
    assert value_at(result, ["orders", 1, "id"]) == "b"
    assert value_at(result, []) == result
    missing = value_at(result, ["orders", 5, "id"])
    assert missing is value_at(result, ["nope"]) and missing not in (None, result)
    assert value_at(result, ["n", "x"]) is missing


def test_rejected_candidates_and_run_summary(tmp_path: Path) -> None:
    site = build_view(write_run(tmp_path / "run", [make_sample(i) for i in range(4)], rejected=5))
    rejected = _chunks(site.out / "data", "rejected")
    assert [r["unit_id"] for r in rejected] == [f"u-{k}" for k in range(5)]  # type: ignore[index]
    assert rejected[2]["stage"] == "reason" and rejected[2]["hints"] == ["look it up"]  # type: ignore[index]
    _, run = read_chunk(site.out / "data" / "run.js")
    assert run["bad_rejected_lines"] == 1 and site.rejected == 5
    assert run["stats"]["samples"] == 4 and run["stats"]["rejected"] == 5
    assert run["stats"]["chain_length"]["histogram"] == {"2": 4}
    assert run["validity"]["implicit_writes"] == 1 and run["language"]["samples"] == 4
    assert run["manifest"]["rejections_by_stage"] == {"query": 2, "reason": 1}
    assert run["has_graph"] is True and run["evaluation"] is None


def test_an_evaluation_marks_the_samples_it_scored(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(i) for i in range(3)])
    (run / "eval").mkdir()
    (run / "eval" / "eval.json").write_text(json.dumps({
        "agent": "model-free", "samples": 3, "scored": 2, "passed": 1, "accuracy": 0.5,
        "tools": {"cancel_order": {"attempts": 2, "failures": 1}},
        "results": [{"sample_id": "s-00000", "passed": True}, {"sample_id": "s-00001", "passed": False},
                    {"sample_id": "s-00002", "passed": False, "error": "backend down"}],
    }), encoding="utf-8")
    site = build_view(run)
    _, index = read_chunk(site.out / "data" / "index.js")
    assert [row[8] for row in index["rows"]] == [1, 2, 0]
    _, summary = read_chunk(site.out / "data" / "run.js")
    assert summary["evaluation"]["tools"] == [{"tool": "cancel_order", "attempts": 2, "failures": 1}]


def test_the_graph_keeps_live_edges_and_lays_each_domain_out_in_its_box(tmp_path: Path) -> None:
    site = build_view(write_run(tmp_path / "run", [make_sample(0)]))
    _, g = read_chunk(site.out / "data" / "graph.js")
    names = [n["id"] for n in g["nodes"]]
    pairs = {(names[e["s"]], names[e["t"]], e["status"]) for e in g["edges"]}
    assert ("find_orders", "refund_order", "pruned") not in {(a, b, "pruned") for a, b, _ in pairs}
    assert len([p for p in pairs if p[:2] == ("find_orders", "cancel_order")]) == 1  # one line per pair and kind
    assert {d["name"]: d["failure_tools"] for d in g["domains"]} == {"shop": 1, "weather": 0}
    boxes = {d["name"]: d["box"] for d in g["domains"]}
    for n in g["nodes"]:
        x, y, w, h = boxes[n["domain"]]
        assert x <= n["x"] <= x + w and y <= n["y"] <= y + h, n
    assert next(n for n in g["nodes"] if n["id"] == "cancel_order")["failures"] == 2


def test_graph_view_reads_failures_json_when_the_graph_has_none() -> None:
    doc = {"nodes": [{"id": "a", "spec": {"environment": "d"}}], "edges": []}
    g = graph_view(doc, {"tools": {"a": {"joint": {"attempts": 3, "failures": 2}}}})
    assert (g["nodes"][0]["attempts"], g["nodes"][0]["failures"]) == (3, 2)
    with pytest.raises(ViewError, match="not an API graph"):
        graph_view({"nodes": []})


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_text("x"), "not a run directory"),
    (lambda p: p.mkdir(), "no samples.jsonl"),
    (lambda p: (p.mkdir(), (p / "samples.jsonl").write_text('{"id": "x"}\n')), "samples.jsonl:1 is not a valid sample"),
    (lambda p: (p.mkdir(), (p / "samples.jsonl").write_text("garbage\n")), "samples.jsonl:1 is not a valid sample"),
])
def test_what_is_not_a_run_is_refused_with_a_reason(tmp_path: Path, setup: object, message: str) -> None:
    path = tmp_path / "run"
    setup(path)  # type: ignore[operator]
    with pytest.raises(ViewError, match=re.escape(message)):
        build_view(path)


def test_skip_invalid_shows_the_rest(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(0), make_sample(1)])
    with (run / "samples.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("not json\n")
    site = build_view(run, tmp_path / "out", skip_invalid=True)
    assert site.samples == 2 and len(site.invalid_lines) == 1 and ":3:" in site.invalid_lines[0]
    assert site.out == tmp_path / "out" and not (run / "view").exists()


def test_the_first_page_is_small_next_to_the_data(tmp_path: Path, small_chunks: None) -> None:
    site = build_view(write_run(tmp_path / "run", [make_sample(i) for i in range(60)]))
    first = site.first_page_files
    assert all(p.is_file() for p in first)
    assert not any(p.name.startswith(("samples-", "text-", "rejected-", "graph")) for p in first)
    assert sum(p.stat().st_size for p in first) < site.bytes


def test_a_folder_holding_another_page_is_not_overwritten(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(0)])
    out = tmp_path / "site"
    (out / "data").mkdir(parents=True)
    (out / "index.html").write_text("<html>my own page</html>")
    with pytest.raises(ViewError, match="did not write"):
        build_view(run, out)
    assert (out / "index.html").read_text() == "<html>my own page</html>"


def test_a_rebuild_removes_only_its_own_chunks(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(0)])
    site = build_view(run)
    keep = [site.out / "data" / "samples-009.js", site.out / "data" / "notes.js", site.out / "notes.txt"]
    keep[0].write_text("my own script")  # a chunk's name, not a chunk's content
    keep[1].write_text("(window.HARDGEN_VIEW_DATA = 1")
    keep[2].write_text("notes")
    stale = site.out / "data" / "samples-007.js"
    stale.write_text('(window.HARDGEN_VIEW_DATA = window.HARDGEN_VIEW_DATA || {})["samples-007"] = [];\n')
    build_view(run)
    assert all(p.exists() for p in keep) and not stale.exists()
