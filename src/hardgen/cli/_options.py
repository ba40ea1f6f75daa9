"""Options shared by the commands that run the pipeline (config file, overrides, model server)."""

from __future__ import annotations

from typing import Any

import typer

from hardgen.cli._output import fail
from hardgen.errors import ConfigError
from hardgen.pipeline import Executor, LocalExecutor, RayExecutor, RunConfig, load_config

ROLES = ("target", "reference", "tool_maker", "query_writer", "reasoner", "critic")

CONFIG = typer.Option(None, "--config", "-c", help="YAML run config (see README).")
SETS = typer.Option(None, "--set", help="Override any config key, e.g. --set synthesis.turns=2 (repeatable).")
BASE_URL = typer.Option(None, "--base-url", help="OpenAI-compatible server, e.g. http://localhost:8000/v1.")
MODEL = typer.Option(None, "--model", help="Model name on that server.")
ROLES_OPTION = typer.Option(
    None, "--role",
    help="Roles that use --base-url/--model (repeatable; default: all of target, reference, tool_maker, "
         "query_writer, reasoner, critic).",
)

EXECUTOR = typer.Option("local", "--executor",
                        help="Where units run: local (a pool in this process) or ray (needs hardgen\\[ray]).")
RAY_ADDRESS = typer.Option(None, "--ray-address",
                           help="Ray cluster to join (e.g. auto, ray://host:10001); default: start a local Ray.")
RAY_WORKERS = typer.Option(None, "--ray-workers", min=1, help="Ray actors (default: one per CPU of the cluster).")


def make_executor(kind: str, ray_address: str | None, ray_workers: int | None) -> Executor:
    """The executor `--executor` names (Ray's options only with `ray`); a bad choice is a CLI error."""
    if kind == "local":
        if ray_address is not None or ray_workers is not None:
            raise fail("--ray-address and --ray-workers need --executor ray")
        return LocalExecutor()
    if kind == "ray":
        from hardgen.errors import MissingDependencyError
        from hardgen.pipeline._ray import import_ray

        try:
            import_ray()  # fail before anything runs when Ray is not installed
        except MissingDependencyError as exc:
            raise fail(str(exc)) from None
        return RayExecutor(ray_address, workers=ray_workers)
    raise fail(f"unknown executor {kind!r}: use local or ray")


def build_config(config_path: str | None, overrides: dict[str, Any], sets: list[str] | None, base_url: str | None,
                 model: str | None, roles: list[str] | None) -> RunConfig:
    if (base_url is None) != (model is None):
        raise fail("--base-url and --model go together")
    if base_url and model:
        for role in roles or ROLES:
            if role not in ROLES:
                raise fail(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
            overrides[f"roles.{role}.kind"] = "openai"
            overrides[f"roles.{role}.base_url"] = base_url
            overrides[f"roles.{role}.model"] = model
    try:
        return load_config(config_path, overrides=overrides, sets=sets)
    except ConfigError as exc:
        raise fail(str(exc)) from None
