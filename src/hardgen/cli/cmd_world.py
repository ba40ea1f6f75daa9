"""`hardgen world show`: the built-in tool world at a glance (domains, tool counts, dependency chains)."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from hardgen.cli._output import JSON_OPTION, console, emit, fail
from hardgen.errors import HardGenError
from hardgen.tools import build_environment
from hardgen.world import Domain, all_domains, get_domain


def world_report(seed: int = 0, names: list[str] | None = None) -> dict[str, Any]:
    """Per domain: tool counts (read / write / total), tool names, chains; plus world totals.

    Tools are derived from each domain's environment built for `seed` (the tool set does not
    depend on the seed; the state does, and building it checks that the seed makes a valid world).
    """
    domains: list[Domain] = [get_domain(n) for n in names] if names else list(all_domains())
    rows: list[dict[str, Any]] = []
    for domain in domains:
        tools = build_environment(domain.spec(seed), timeout=None).tools()
        writes = sorted(t.name for t in tools if t.mutates)
        reads = sorted(t.name for t in tools if not t.mutates)
        rows.append({
            "name": domain.name,
            "description": domain.description,
            "tools": {"read": len(reads), "write": len(writes), "total": len(tools)},
            "read_tools": reads,
            "write_tools": writes,
            "chains": [
                {
                    "name": chain.name,
                    "description": chain.description,
                    "tools": list(chain.tools),
                    "cross_domain": any("." in t for t in chain.tools),
                }
                for chain in domain.chains
            ],
        })
    chains = [c for r in rows for c in r["chains"]]
    return {
        "seed": seed,
        "domains": rows,
        "totals": {
            "domains": len(rows),
            "tools": sum(r["tools"]["total"] for r in rows),
            "read": sum(r["tools"]["read"] for r in rows),
            "write": sum(r["tools"]["write"] for r in rows),
            "chains": len(chains),
            "cross_domain_chains": sum(1 for c in chains if c["cross_domain"]),
        },
    }


def _render(report: dict[str, Any]) -> None:
    totals = report["totals"]
    overview = Table(title=f"HardGen built-in world (seed {report['seed']})")
    for column, justify in (("domain", "left"), ("read", "right"), ("write", "right"), ("total", "right"),
                            ("chains", "right"), ("description", "left")):
        overview.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in report["domains"]:
        counts = row["tools"]
        overview.add_row(row["name"], str(counts["read"]), str(counts["write"]), str(counts["total"]),
                         str(len(row["chains"])), row["description"])
    overview.add_section()
    overview.add_row("[bold]total[/]", str(totals["read"]), str(totals["write"]), str(totals["tools"]),
                     str(totals["chains"]), f"{totals['domains']} domains, {totals['cross_domain_chains']} cross-domain chains")
    console.print(overview)

    chains = Table(title="Dependency chains (each call needs a value or a state from an earlier one)")
    chains.add_column("domain")
    chains.add_column("chain")
    chains.add_column("tools")
    for row in report["domains"]:
        for chain in row["chains"]:
            chains.add_row(row["name"], chain["name"], " -> ".join(chain["tools"]))
    console.print(chains)


def register(app: typer.Typer) -> None:
    world_app = typer.Typer(help="Inspect the built-in tool world.", no_args_is_help=True)
    app.add_typer(world_app, name="world")

    @world_app.command("show")
    def show_command(
        seed: int = typer.Option(0, "--seed", help="World seed (the generated state depends on it)."),
        domain: list[str] = typer.Option(None, "--domain", "-d", help="Only this domain (repeatable)."),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Each domain with its tool counts (read / write / total) and dependency chains, plus totals."""
        if seed < 0:
            raise fail(f"--seed must be 0 or more, got {seed}")
        try:
            report = world_report(seed, domain or None)
        except HardGenError as exc:
            raise fail(str(exc)) from exc
        emit(report, as_json, _render)
