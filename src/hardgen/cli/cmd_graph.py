"""`hardgen graph`: build the API graph on the built-in world, refine it by execution, save and draw it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.errors import HardGenError, MissingDependencyError


def _render(report: dict[str, Any]) -> None:
    s = report["summary"]
    table = Table(title=f"API graph: {s['nodes']} tools, {s['edges']} edges")
    table.add_column("edges")
    for status in ("candidate", "confirmed", "pruned"):
        table.add_column(status, justify="right")
    for kind, by_status in s["edges_by_kind"].items():
        table.add_row(kind.replace("_", " "), *(str(by_status[k]) for k in ("candidate", "confirmed", "pruned")))
    console.print(table)
    console.print(f"weakly connected components: {s['weakly_connected_components']} "
                  f"(largest {s['largest_component']}, isolated tools {s['isolated_tools']}); "
                  f"parameters {s['parameters']}, value-pool keys {s['value_pool_keys']}, "
                  f"failure tools {s['failure_tools']}")
    d = report.get("discovery")
    if d:
        console.print(f"discovery: {d['tested']} tools tried from a fresh state, {d['succeeded_fresh']} succeeded; "
                      f"{len(d['prerequisites_found'])} prerequisites found, {len(d['data_flow_confirmed'])} data flows "
                      f"confirmed, {d['pruned_prerequisites']} guessed prerequisites pruned ({d['calls']} calls)")
    t = report["traces"]
    if t["traces"]:
        console.print(f"sampled traces: {t['traces']}, mean length {t['mean_length']}, "
                      f"{100 * t['at_least_3_calls']:.0f}% with >= 3 calls, "
                      f"{100 * t['with_dependency']:.0f}% with an implicit dependency")
    for name, path in report["files"].items():
        if path:
            console.print(f"  wrote {name}: {path}")
    console.print(f"  in {report['seconds']:.1f}s")


def register(app: typer.Typer) -> None:
    @app.command("graph")
    def graph_command(
        seed: int = typer.Option(0, "--seed", help="World seed (and sampling seed)."),
        domains: str | None = typer.Option(None, "--domains", help="Comma-separated built-in domains (default: all)."),
        out: Path = typer.Option(Path("graph-out"), "--out", "-o", help="Directory for graph.json and graph.png."),
        traces: int = typer.Option(200, "--traces", help="Sampled traces fed back into the graph (0: none)."),
        no_discovery: bool = typer.Option(False, "--no-discovery", help="Skip prerequisite discovery."),
        no_render: bool = typer.Option(False, "--no-render", help="Do not draw graph.png."),
        config: str | None = typer.Option(None, "--config", "-c",
                                          help="Build the graph of this run config's tool sources instead of the world."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Build the API graph (candidate edges, discovery by execution, sampled traces), save it, draw it."""
        from hardgen.graph import build_graph
        from hardgen.world import default_world

        started = time.perf_counter()
        chosen = [d.strip() for d in domains.split(",") if d.strip()] if domains else None
        try:
            if config is not None:
                from hardgen.pipeline import load_config, resolve_sources
                from hardgen.tools import Session

                run_config = load_config(config)
                session = Session.from_specs(resolve_sources(run_config), timeout=run_config.tool_timeout_s)
            else:
                session = default_world(seed, chosen)
        except HardGenError as exc:
            raise fail(str(exc)) from None
        try:
            graph, refinement = build_graph(session, seed=seed, discover=not no_discovery, traces=traces)
        finally:
            session.close()
        graph_path = graph.save(out / "graph.json")
        render_path: Path | None = None
        if not no_render:
            try:
                render_path = graph.render(out / "graph.png", seed=seed)
            except MissingDependencyError as exc:
                err_console.print(f"[yellow]not drawn:[/] {escape(str(exc))}")
        report = {
            "summary": graph.summary().model_dump(mode="json"),
            "discovery": refinement.discovery.model_dump(mode="json") if refinement.discovery else None,
            "traces": refinement.traces.model_dump(mode="json"),
            "files": {"graph": str(graph_path), "render": str(render_path) if render_path else None},
            "seconds": round(time.perf_counter() - started, 2),
        }
        emit(report, as_json, _render)
