"""Phrasing as data: how a user asks for what each built-in tool does.

Every built-in domain ships `hardgen/world/domains/phrasing/<domain>.yaml` beside its module: per
tool, a few imperative requests in the user's voice ("cancel one of my orders"). Values are never
written there; the query writer weaves them in. Files are validated on load (`DomainPhrasing`).
Tools from elsewhere get their phrasing from the realiser (`realise_tool`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hardgen.schema import ToolSpec

_SLOT = re.compile(r"\{(\w+)\}")


class ToolPhrasing(BaseModel):
    """How a user asks for one tool."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    ask: list[str] = Field(min_length=1)
    """Imperative requests in the user's voice, lower case, no final stop ("cancel one of my orders").
    A `{parameter}` slot puts that parameter's value at this place of the sentence."""

    @field_validator("ask")
    @classmethod
    def _plain_requests(cls, asks: list[str]) -> list[str]:
        for ask in asks:
            if not ask.strip() or ask != ask.strip() or ask[-1] in ".!?":
                raise ValueError(f"a request is a bare verb phrase without a final stop: {ask!r}")
            if ":" in ask or any(ch.isdigit() for ch in ask):
                raise ValueError(f"a request holds no colon or digit (they read as values): {ask!r}")
        return asks

    def slots(self) -> set[str]:
        return {m for ask in self.ask for m in _SLOT.findall(ask)}


class DomainPhrasing(BaseModel):
    """The phrasing file of one domain."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    tools: dict[str, ToolPhrasing]
    """Tool name -> its phrasing."""


def phrasing_files() -> dict[str, DomainPhrasing]:
    """Domain name -> its validated phrasing file."""
    folder = resources.files("hardgen.world.domains").joinpath("phrasing")
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found[entry.name[: -len(".yaml")]] = DomainPhrasing.model_validate(yaml.safe_load(entry.read_text("utf-8")))
    return found


@cache
def builtin_phrasing() -> dict[tuple[str, str], ToolPhrasing]:
    """(environment, tool name) -> phrasing of every built-in tool."""
    return {(domain, name): p for domain, data in phrasing_files().items() for name, p in data.tools.items()}


def tool_phrasing(spec: ToolSpec) -> ToolPhrasing:
    """The built-in phrasing of a tool of the built-in world, else one realised from its name and description."""
    from hardgen.synth._realiser import realise_tool

    found = builtin_phrasing().get((spec.environment or "", spec.name))
    return found if found is not None else realise_tool(spec)
