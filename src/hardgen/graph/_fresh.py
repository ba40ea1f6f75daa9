"""Fresh values for things a call brings into being (see `fresh_values.yaml` beside this file).

A new note's title, a to-do list's name or a message's text must fit the parameter's meaning and
must not repeat something that exists, or the task reads as "create a note called X" while a note
X is already there. The catalogue is data, validated on load.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Collection
from importlib import resources

import yaml
from pydantic import BaseModel, Field, field_validator

from hardgen.graph._naming import tool_subject
from hardgen.tools import is_creating, name_words

_NAMING = frozenset({"name", "title", "label", "nickname", "subject", "filename", "path", "dirname", "folder",
                     "directory"})


class FreshKind(BaseModel):
    """One kind of new value: which parameters of which tools it fits, and the values."""

    id: str
    tool: list[str] = Field(default_factory=list)
    """Words of the tool's name, any of which must occur (empty: any tool)."""
    param: list[str]
    """Last words of the parameter's name it fits."""
    values: list[str] = Field(min_length=4)
    in_subject: bool = False
    """Match `tool` words only in what the tool is about, not its verb (`register_credit_card`
    makes no calculator register)."""

    @field_validator("values")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        if len({v.lower() for v in values}) != len(values):
            raise ValueError("values must be distinct")
        return values


class FreshCatalogue(BaseModel):
    kinds: list[FreshKind]

    def kind_for(self, tool: str, parameter: str) -> FreshKind | None:
        """The first kind fitting `parameter` of `tool`, or None."""
        pwords = name_words(parameter)
        if not pwords:
            return None
        twords = set(name_words(tool))
        subject = set(tool_subject(tool))
        for kind in self.kinds:
            words = subject if kind.in_subject else twords
            if pwords[-1] in kind.param and (not kind.tool or words & set(kind.tool)):
                return kind
        return None


@functools.cache
def fresh_catalogue() -> FreshCatalogue:
    text = resources.files("hardgen.graph").joinpath("fresh_values.yaml").read_text("utf-8")
    return FreshCatalogue.model_validate(yaml.safe_load(text))


def wants_fresh_value(tool: str, parameter: str, mutates: bool) -> bool:
    """Whether a write's parameter is new content: the name of what a creating call makes, or
    free text (a message, a memo) that the catalogue has a kind for. Reads never are: a search
    must name what exists."""
    if not mutates:
        return False
    words = name_words(parameter)
    if not words or fresh_catalogue().kind_for(tool, parameter) is None:
        return False
    return words[-1] not in _NAMING or is_creating(tool)


def fresh_kind_id(tool: str, parameter: str) -> str | None:
    """The id of the catalogue kind fitting `parameter` of `tool`, or None."""
    kind = fresh_catalogue().kind_for(tool, parameter)
    return kind.id if kind is not None else None


def fresh_value(tool: str, parameter: str, rng: random.Random, existing: Collection[str] = ()) -> str | None:
    """A value for new content that fits `parameter` of `tool` and is none of `existing`
    (compared case-insensitively), or None when the catalogue has nothing that fits."""
    kind = fresh_catalogue().kind_for(tool, parameter)
    if kind is None:
        return None
    taken = {e.lower() for e in existing}
    options = [v for v in kind.values if v.lower() not in taken]
    return rng.choice(options) if options else None


def copy_name(source: str, suffix: str) -> str:
    """The name of a copy of `source`: `report.pdf` + `backup` -> `report_backup.pdf` (the folder
    part of a path is dropped: the copy is named, not placed)."""
    base = source.rstrip("/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        stem, ext = base, ""
    return f"{stem}_{suffix}" + (f".{ext}" if ext else "")


def state_strings(obj: object, limit: int = 200_000) -> set[str]:
    """Every string in a state, values and mapping keys (a file system keys files by name)."""
    out: set[str] = set()
    stack = [obj]
    while stack and len(out) < limit:
        node = stack.pop()
        if isinstance(node, str):
            out.add(node)
            out.add(node.rsplit("/", 1)[-1])
        elif isinstance(node, dict):
            for key, value in node.items():
                if isinstance(key, str):
                    out.add(key)
                stack.append(value)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return out
