"""Phrasing as data: every built-in tool has validated phrasing that renders (issue 12)."""

from __future__ import annotations

import random
import re

import pytest

from hardgen.synth._phrasing import DomainPhrasing, ToolPhrasing, builtin_phrasing, phrasing_files
from hardgen.synth._voice import FRAMES, done_phrase, third_person
from hardgen.world import all_domains, default_world


def _world_tools() -> dict[tuple[str, str], object]:
    session = default_world()
    try:
        return {(t.environment or "", t.name): t for t in session.tools()}
    finally:
        session.close()


TOOLS = _world_tools()


def test_every_domain_has_a_phrasing_file_and_every_tool_is_covered() -> None:
    files = phrasing_files()
    assert sorted(files) == sorted(d.name for d in all_domains())
    assert set(builtin_phrasing()) == set(TOOLS)


def test_every_slot_names_a_parameter_of_its_tool() -> None:
    for key, phrasing in builtin_phrasing().items():
        params = set(TOOLS[key].parameters.get("properties", {}))  # type: ignore[attr-defined]
        assert phrasing.slots() <= params, key


def _grams(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z][a-z']*", text.lower())
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


@pytest.mark.parametrize("key", sorted(TOOLS), ids=lambda k: f"{k[0]}.{k[1]}")
def test_every_phrasing_renders_and_is_not_a_docstring_copy(key: tuple[str, str]) -> None:
    phrasing = builtin_phrasing()[key]
    spec = TOOLS[key]
    assert len(phrasing.ask) >= 2 or spec.name.startswith(("login", "logout")), "several phrasings per intent"  # type: ignore[attr-defined]
    described = _grams(spec.description or "")  # type: ignore[attr-defined]
    rng = random.Random(0)
    for ask in phrasing.ask:
        request = re.sub(r"\{\w+\}", "it", ask)
        sentence = rng.choice(FRAMES).replace("{R}", request[:1].upper() + request[1:]).replace("{r}", request)
        assert sentence[0].isupper() and sentence[-1] in ".?"
        assert third_person(request) and done_phrase(request)
        grams = _grams(request)
        assert len(grams & described) <= len(grams) / 2, f"{ask!r} copies the description"
        assert not re.search(rf"\b{re.escape(spec.name)}\b", request) or "_" not in spec.name  # type: ignore[attr-defined]


def test_the_phrasing_as_a_whole_is_not_the_descriptions() -> None:
    shared = total = 0
    for key, phrasing in builtin_phrasing().items():
        described = _grams(TOOLS[key].description or "")  # type: ignore[attr-defined]
        for ask in phrasing.ask:
            grams = _grams(ask)
            total += len(grams)
            shared += len(grams & described)
    assert shared / total < 0.1


def test_a_phrasing_file_is_validated_on_load() -> None:
    with pytest.raises(ValueError):
        ToolPhrasing(ask=["cancel order 42"])  # a digit reads as a value
    with pytest.raises(ValueError):
        ToolPhrasing(ask=["details: cancel"])
    with pytest.raises(ValueError):
        DomainPhrasing.model_validate({"tools": {"x": {"ask": ["go"], "unknown": 1}}})
