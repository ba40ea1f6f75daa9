"""`hardgen probe`: failure mining on its own (which tools do the agents fail at?)."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from rich.table import Table

from hardgen.cli._options import BASE_URL, CONFIG, MODEL, ROLES_OPTION, SETS, build_config
from hardgen.cli._output import JSON_OPTION, console, emit, err_console, fail
from hardgen.cli._progress import RichProgress
from hardgen.cli.cmd_eval import REFERENCE_AGENT, TARGET_AGENT, agent_overrides
from hardgen.errors import HardGenError
from hardgen.graph import build_graph
from hardgen.pipeline import FailureReport, RunDirectory, build_roles, mine_failures, resolve_sources, write_json_atomic
from hardgen.tools import Session


def _render(report: FailureReport) -> None:
    summary = Table(title="Failure mining", show_header=False)
    summary.add_row("probe tasks", str(report.tasks))
    summary.add_row("tools probed", str(len(report.tools)))
    summary.add_row("unprobeable tools", str(len(report.unprobeable)))
    summary.add_row("target success rate", f"{report.target_success_rate:.1%}")
    summary.add_row("reference success rate", f"{report.reference_success_rate:.1%}")
    summary.add_row(f"failure set (joint rate >= {report.threshold:g})", str(len(report.failure_set)))
    console.print(summary)
    taxonomy = Table(title="Failure taxonomy (attempts that failed)")
    taxonomy.add_column("kind")
    taxonomy.add_column("target", justify="right")
    taxonomy.add_column("reference", justify="right")
    for kind in sorted(set(report.target_taxonomy) | set(report.reference_taxonomy)):
        taxonomy.add_row(kind, str(report.target_taxonomy.get(kind, 0)), str(report.reference_taxonomy.get(kind, 0)))
    console.print(taxonomy)
    worst = sorted(report.tools.items(), key=lambda kv: (-kv[1].joint.failure_rate, kv[0]))[:15]
    tools = Table(title="Tools most failed (joint)")
    for col in ("tool", "attempts", "target fails", "reference fails", "joint rate", "top mistake"):
        tools.add_column(col)
    for name, result in worst:
        top = max(result.target.taxonomy.items(), key=lambda kv: kv[1])[0] if result.target.taxonomy else "-"
        tools.add_row(name, str(result.joint.attempts), str(result.target.failures), str(result.reference.failures),
                      f"{result.joint.failure_rate:.0%}", top)
    console.print(tools)


def register(app: typer.Typer) -> None:
    @app.command("probe")
    def probe_command(
        config: str | None = CONFIG,
        out: str | None = typer.Option(None, "--out", "-o", help="Directory for failures.json and graph.json."),
        domains: str | None = typer.Option(None, "--domains", help="Built-in domains, comma-separated."),
        tasks_per_tool: int | None = typer.Option(None, "--tasks-per-tool", "-k", help="Probe tasks per tool."),
        max_tools: int | None = typer.Option(None, "--max-tools", help="Probe at most this many tools."),
        agent: str | None = TARGET_AGENT,
        reference_agent: str | None = REFERENCE_AGENT,
        base_url: str | None = BASE_URL,
        model: str | None = MODEL,
        role: list[str] | None = ROLES_OPTION,
        set_: list[str] | None = SETS,
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Run the target and reference agents on probe tasks and report the tools both fail at."""
        overrides: dict[str, Any] = {"out": out, "probe.tasks_per_tool": tasks_per_tool, "probe.max_tools": max_tools,
                                     **agent_overrides(agent, reference_agent)}
        if domains:
            overrides["sources"] = [{"kind": "world", "domains": [d.strip() for d in domains.split(",") if d.strip()]}]
        cfg = build_config(config, overrides, set_, base_url, model, role or ["target", "reference"])
        run = RunDirectory(cfg.out).create()
        try:
            specs = resolve_sources(cfg)
            session = Session.from_specs(specs, timeout=cfg.tool_timeout_s)
            with RichProgress(err_console, enabled=not as_json) as progress:
                progress.start("graph", None)
                graph, _ = build_graph(session, seed=cfg.seed, discover=cfg.sampling.discovery, traces=0)
                progress.finish()
                roles = build_roles(cfg, graph, run.cache)
                total = min(len(graph.tools), cfg.probe.max_tools or len(graph.tools)) * cfg.probe.tasks_per_tool
                progress.start("probe", total)
                report = asyncio.run(mine_failures(
                    graph, specs, roles.target, roles.reference, tasks_per_tool=cfg.probe.tasks_per_tool,
                    threshold=cfg.probe.failure_threshold, max_tools=cfg.probe.max_tools, max_steps=cfg.probe.max_steps,
                    seed=cfg.seed, concurrency=cfg.concurrency, timeout=cfg.tool_timeout_s, progress=progress.advance))
                progress.finish()
            session.close()
        except HardGenError as exc:
            raise fail(str(exc)) from None
        write_json_atomic(run.failures, report)
        graph.save(run.graph)
        emit(report, as_json, _render)
