"""Options shared by the commands that run the pipeline (config file, overrides, model server)."""

from __future__ import annotations

from typing import Any

import typer

from hardgen.cli._output import fail
from hardgen.errors import ConfigError
from hardgen.pipeline import RunConfig, load_config

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
