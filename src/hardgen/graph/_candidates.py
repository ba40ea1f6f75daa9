"""Candidate edges from the schemas alone, before anything is executed.

Data flow: every output field and every parameter is indexed by (type class, compact key); a
parameter's candidates are the fields under its keys, first in its own environment, then across
environments when the key is rare enough to mean something (a key shared by hundreds of tools,
like `name`, links nothing across environments). The best `top_k` sources per parameter are kept.
Cost is linear in the number of fields and parameters times the (capped) bucket sizes.

State prerequisites: `hints={"requires": [...]}` on a tool, and tools whose names say they open
something (`login`, `authenticate`, `connect`, `cd`, `start_engine`, `open_session`) for the tools
of their environment they plausibly enable. These are guesses; execution confirms or prunes them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from hardgen.graph._fields import InputParameter, OutputField, compact, compatible, type_class
from hardgen.graph._naming import STOPWORDS, name_tokens, overlap, text_tokens
from hardgen.schema import ToolSpec

# Openers whose effect covers their whole environment (a login), and those that open one thing.
_SESSION_OPENERS = frozenset({"login", "signin", "authenticate", "auth", "connect", "cd", "chdir"})
_THING_OPENERS = frozenset({"start", "open", "unlock", "activate", "init", "initialize", "enable"})
_SESSION_NOUNS = frozenset({"user", "account", "session", "system", "service", "api", "server", "client"})
_GENERIC_NON_IDS = 0.7
_ECHO_PENALTY = 0.6
# A result field with a name that says only "the outcome" (`{"result": 12.5}` from a calculator,
# `{"value": ...}`): no parameter shares its key, yet its number is what a next step of the same
# app computes with ("the mean, rounded to two places"). It feeds any number parameter of its own
# environment that no named field feeds, at the lowest score kept — when it is the one number
# the tool needs: which operand of `subtract(a, b)` or `power(base, exponent)` a bare result is,
# no request could say, so a chain into one reads as a riddle.
COMPUTED_RESULT_NAMES = frozenset({"result", "results", "value", "output", "answer", "outcome"})


@dataclass(frozen=True)
class DataFlowCandidate:
    source: str
    target: str
    parameter: str
    path: tuple[str, ...]
    score: float


def data_flow_candidates(
    specs: dict[str, ToolSpec],
    fields: dict[str, list[OutputField]],
    params: dict[str, list[InputParameter]],
    *,
    top_k: int = 8,
    min_score: float = 0.5,
    cross_environment_cap: int = 32,
) -> list[DataFlowCandidate]:
    """The best `top_k` upstream fields per parameter, by key match, type and description overlap."""
    by_env: dict[tuple[str, str, str], list[tuple[OutputField, float]]] = defaultdict(list)
    everywhere: dict[tuple[str, str], list[tuple[OutputField, float]]] = defaultdict(list)
    for tool, tool_fields in fields.items():
        env = specs[tool].environment or ""
        for f in tool_fields:
            tc = type_class(f.type)
            if tc is None or tc == "bool":
                continue
            for key, score in f.keys:
                by_env[(env, tc, key)].append((f, score))
                everywhere[(tc, key)].append((f, score))
    generic_results: dict[str, list[OutputField]] = defaultdict(list)
    for tool, tool_fields in fields.items():
        for f in tool_fields:
            if len(f.path) == 1 and type_class(f.type) == "num" and f.name.lower() in COMPUTED_RESULT_NAMES:
                generic_results[specs[tool].environment or ""].append(f)
    required_keys: dict[str, frozenset[str]] = {
        tool: frozenset(k for p in ps if p.required for k, s in p.keys if s >= 1.0) for tool, ps in params.items()
    }
    desc_cache: dict[tuple[str, str], frozenset[str]] = {}

    def field_words(f: OutputField) -> frozenset[str]:
        key = (f.tool, f.name + "|" + f.description)
        words = desc_cache.get(key)
        if words is None:
            words = text_tokens(f.description) | frozenset(name_tokens(f.name))
            desc_cache[key] = words
        return words

    out: list[DataFlowCandidate] = []
    for tool, tool_params in params.items():
        env = specs[tool].environment or ""
        for p in tool_params:
            tc = type_class(p.type)
            if tc is None or tc == "bool":
                continue
            p_words = text_tokens(p.description) | frozenset(name_tokens(p.name))
            best: dict[str, tuple[float, tuple[str, ...]]] = {}
            for key, kscore in p.keys:
                local = by_env.get((env, tc, key), [])
                shared = everywhere.get((tc, key), [])
                pools = [local]
                if len(shared) <= cross_environment_cap and len(shared) > len(local):
                    pools.append([x for x in shared if (specs[x[0].tool].environment or "") != env])
                for pool in pools:
                    for f, fscore in pool:
                        if f.tool == tool or not compatible(p.type, f.type):
                            continue
                        score = kscore * fscore * (0.85 + 0.15 * overlap(p_words, field_words(f)))
                        if not p.identifier:
                            score *= _GENERIC_NON_IDS
                        if key in required_keys.get(f.tool, ()):
                            score *= _ECHO_PENALTY  # the source needs this very value to run
                        if (specs[f.tool].environment or "") != env:
                            score *= 0.9
                        prev = best.get(f.tool)
                        if score >= min_score and (prev is None or score > prev[0] or (score == prev[0] and f.path < prev[1])):
                            best[f.tool] = (score, f.path)
            if not best and p.description:
                # `cityA`, "The zipcode of the first city": the description's head noun names what
                # the parameter takes when its name does not (never a word of the name: "Content of
                # the comment" is no tweet's `content`); only a field of the same app with exactly
                # that name counts.
                head = _head_noun(p.description)
                if head in name_tokens(p.name):
                    head = None  # the name says as much, and its keys found nothing
                for f, _fscore in by_env.get((env, tc, head), []) if head else ():
                    if f.tool != tool and compatible(p.type, f.type) and f.tool not in best:
                        best[f.tool] = (min_score, f.path)
            keep = top_k
            if not best and tc == "num" and not p.identifier and p.required and sum(
                    q.required and type_class(q.type) == "num" for q in tool_params) == 1:
                for f in generic_results.get(env, ()):
                    if f.tool != tool and compatible(p.type, f.type):
                        best[f.tool] = (min_score, f.path)
                keep = 2 * top_k  # all alike: a cut by name would leave half a calculator out
            ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:keep]
            out.extend(DataFlowCandidate(src, tool, p.name, path, round(score, 4)) for src, (score, path) in ranked)
    return out


def _head_noun(description: str) -> str | None:
    """The first content word of a description ("The zipcode of the first city." -> `zipcode`)."""
    words = re.findall(r"[A-Za-z]+", description)
    for word in words[:4]:
        lowered = word.lower()
        if lowered not in STOPWORDS:
            return compact(name_tokens(lowered)) or None
    return None


def _opener(tokens: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """('session', ()) for a login-like tool, ('thing', noun) for start_engine-like, else None."""
    if not tokens:
        return None
    head, rest = tokens[0], tokens[1:]
    if head in ("log", "sign") and rest[:1] == ("in",):
        head, rest = "login", rest[1:]
    if head == "start" and rest[:1] == ("session",):
        return ("session", ())
    if head in _SESSION_OPENERS:
        return ("session", ()) if not rest or set(rest) <= _SESSION_NOUNS else ("thing", rest)
    if head in _THING_OPENERS and rest:
        return ("thing", rest)
    return None


@dataclass(frozen=True)
class PrerequisiteCandidate:
    source: str
    target: str
    origin: str
    """`hint` or `naming`."""


def prerequisite_candidates(specs: dict[str, ToolSpec], *, max_targets: int = 256) -> list[PrerequisiteCandidate]:
    """Guessed state prerequisites: from `hints["requires"]` and from opener names."""
    out: list[PrerequisiteCandidate] = []
    by_env: dict[str, list[str]] = defaultdict(list)
    for name, spec in specs.items():
        by_env[spec.environment or ""].append(name)
    for name, spec in specs.items():
        requires = spec.hints.get("requires", [])
        if isinstance(requires, str):
            requires = [requires]
        env = spec.environment or ""
        for raw in requires if isinstance(requires, Sequence) else []:
            for candidate in (str(raw), f"{env}_{raw}"):
                if candidate in specs and candidate != name:
                    out.append(PrerequisiteCandidate(candidate, name, "hint"))
                    break
    for _env, names in by_env.items():
        openers = {n: o for n in names if (o := _opener(name_tokens(n))) is not None}
        if not openers:
            continue
        for opener, (kind, noun) in openers.items():
            noun_words = frozenset(noun)
            added = 0
            for target in names:
                if target == opener or target in openers or added >= max_targets:
                    continue
                if kind == "thing":
                    words = frozenset(name_tokens(target)) | text_tokens(specs[target].description)
                    if not noun_words & words:
                        continue
                out.append(PrerequisiteCandidate(opener, target, "naming"))
                added += 1
    return out
