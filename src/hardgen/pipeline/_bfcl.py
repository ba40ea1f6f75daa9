"""BFCL's executable multi-turn classes as tool sources, and its task files as gold.

BFCL (the Berkeley Function Calling Leaderboard, `pip install bfcl-eval`) ships eight stateful
classes (a file system, messaging, posting, tickets, trading, travel, a vehicle, math) with JSON
function docs and task files whose `initial_config` loads each class through `_load_scenario`. The
package is never a dependency of HardGen: it is found where the user installed it, or in a folder
they name (a checkout holding `bfcl_eval/`).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardgen.errors import ConfigError
from hardgen.schema import EnvironmentSpec, ToolCall

_MODULES = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"

BFCL_CLASSES: dict[str, tuple[str, str]] = {
    "GorillaFileSystem": ("gorilla_file_system", "gorilla_file_system.json"),
    "MathAPI": ("math_api", "math_api.json"),
    "MessageAPI": ("message_api", "message_api.json"),
    "TwitterAPI": ("posting_api", "posting_api.json"),
    "TicketAPI": ("ticket_api", "ticket_api.json"),
    "TradingBot": ("trading_bot", "trading_bot.json"),
    "TravelAPI": ("travel_booking", "travel_booking.json"),
    "VehicleControlAPI": ("vehicle_control", "vehicle_control.json"),
}
"""The classes of BFCL's multi-turn categories: module and docs file of each."""

STATELESS_CLASSES = frozenset({"MathAPI"})
"""Classes BFCL loads without their `initial_config` (it has no `_load_scenario`; keys like
`precision` are not constructor arguments)."""


def bfcl_package_dir(path: str | Path | None = None) -> Path:
    """The `bfcl_eval` package directory: under `path` (a folder holding `bfcl_eval/`, which is then
    importable) or the installed package."""
    if path is not None:
        root = Path(path).expanduser().resolve()
        package = root / "bfcl_eval" if (root / "bfcl_eval").is_dir() else root
        if not (package / "eval_checker").is_dir():
            raise ConfigError(f"{path} holds no bfcl_eval package (expected bfcl_eval/eval_checker/ in it)")
        if str(package.parent) not in sys.path:
            sys.path.insert(0, str(package.parent))
        return package
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or spec.origin is None:
        raise ConfigError("BFCL sources need the bfcl-eval package: pip install --no-deps bfcl-eval "
                          "(and mpmath for MathAPI), or give the source a `path:` to a checkout")
    return Path(spec.origin).parent


def bfcl_specs(classes: Sequence[str] | None, initial_config: Mapping[str, Any] | None = None, *,
               path: str | Path | None = None, seed: int = 0) -> list[EnvironmentSpec]:
    """Environment specs for BFCL classes (default: all eight) loaded with `initial_config` (a
    task's, keyed by class name) the way BFCL loads them."""
    package = bfcl_package_dir(path)
    names = list(classes or BFCL_CLASSES)
    unknown = [n for n in names if n not in BFCL_CLASSES]
    if unknown:
        raise ConfigError(f"unknown BFCL class(es) {unknown}; known: {', '.join(BFCL_CLASSES)}")
    specs = []
    for name in names:
        module, docs = BFCL_CLASSES[name]
        stateless = name in STATELESS_CLASSES
        state = {} if stateless else dict((initial_config or {}).get(name, {}))
        specs.append(EnvironmentSpec(
            name=name, kind="class", target=f"{_MODULES}.{module}:{name}", initial_state=state,
            loader=None if stateless else "_load_scenario",
            docs=str(package / "data" / "multi_turn_func_doc" / docs), seed=seed))
    return specs


def bfcl_source_specs(source: Any, seed: int = 0) -> list[EnvironmentSpec]:
    """The specs of a `kind: bfcl` source (`SourceConfig`): its classes loaded with the initial
    config of its `task` (or, per class, of the `multi_turn_base` task whose config for it holds
    the most entries: files and folders, users, tweets; the first of equals), and
    its `initial_state` (keyed by class name) over that."""
    classes = list(source.classes or BFCL_CLASSES)
    tasks = read_bfcl_tasks(path=source.path)
    config: dict[str, Any] = {}
    if source.task:
        chosen = next((t for t in tasks if t.id == source.task), None)
        if chosen is None:
            raise ConfigError(f"no BFCL task {source.task!r} in multi_turn_base")
        config.update(chosen.initial_config)
    else:
        for name in classes:
            # The fullest of BFCL's states for the class: a file system of one folder and two files,
            # or a message workspace without its user table, leaves little to sample but one walk.
            # (Preferring states not yet logged in found more log-in prerequisites, 7 against 3,
            # but far fewer data-flow chains: 0.40 implicit dependencies a sample against 1.55.)
            chosen = max((t for t in tasks if name in t.initial_config), default=None,
                         key=lambda t: _entries(t.initial_config[name]))
            if chosen is not None:
                config[name] = chosen.initial_config[name]
    if isinstance(source.initial_state, dict):
        config.update(source.initial_state)
    return bfcl_specs(classes, config, path=source.path, seed=seed)


def _entries(node: Any, depth: int = 0) -> int:
    """How many keys and list items a JSON value holds, all the way down."""
    if depth > 32:
        return 0
    if isinstance(node, dict):
        return sum(1 + _entries(v, depth + 1) for v in node.values())
    if isinstance(node, list):
        return sum(1 + _entries(v, depth + 1) for v in node)
    return 0


@dataclass
class BfclTask:
    """One multi-turn task: the user turns, the classes and their initial config, and (when the
    possible-answer file has it) the ground-truth calls of each turn as BFCL writes them."""

    id: str
    queries: list[str]
    initial_config: dict[str, Any]
    involved_classes: list[str]
    ground_truth: list[list[str]] = field(default_factory=list)


def read_bfcl_tasks(category: str = "multi_turn_base", *, path: str | Path | None = None,
                    questions: str | Path | None = None, answers: str | Path | None = None) -> list[BfclTask]:
    """The tasks of a BFCL category with their ground truth (`questions`/`answers` override the
    package's `BFCL_v4_<category>.json` files)."""
    package = bfcl_package_dir(path) if questions is None or answers is None else None
    q_path = Path(questions) if questions else _category_file(package, "", category)
    a_path = Path(answers) if answers else _category_file(package, "possible_answer", category)
    truth = {row["id"]: row.get("ground_truth", []) for row in _jsonl(a_path)} if a_path.exists() else {}
    tasks = []
    for row in _jsonl(q_path):
        turns = row.get("question", [])
        queries = [" ".join(m.get("content", "") for m in turn if m.get("role") == "user").strip() for turn in turns]
        tasks.append(BfclTask(id=row["id"], queries=queries, initial_config=row.get("initial_config", {}),
                              involved_classes=list(row.get("involved_classes", [])),
                              ground_truth=truth.get(row["id"], [])))
    return tasks


def _category_file(package: Path | None, sub: str, category: str) -> Path:
    assert package is not None
    folder = package / "data" / sub if sub else package / "data"
    matches = sorted(folder.glob(f"BFCL_v*_{category}.json"))
    if not matches:
        raise ConfigError(f"no BFCL file for category {category!r} in {folder}")
    return matches[-1]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not JSON ({exc.msg})") from None
    return rows


class CallSyntaxError(ValueError):
    """A recorded call is not `name(arg=value, ...)` with literal values."""


def parse_bfcl_call(text: str, parameters: Mapping[str, Sequence[str]]) -> ToolCall:
    """A ground-truth call as BFCL writes it (`mv(source='a', destination='b')`, `sort('f')`) as
    a ToolCall; positional arguments are named from `parameters` (tool -> parameter names in
    signature order)."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise CallSyntaxError(f"{text!r} is not a call ({exc.msg})") from None
    if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Name, ast.Attribute)):
        raise CallSyntaxError(f"{text!r} is not a call of a named tool")
    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
    names = list(parameters.get(name, ()))
    arguments: dict[str, Any] = {}
    try:
        for index, arg in enumerate(node.args):
            if index >= len(names):
                raise CallSyntaxError(f"{text!r}: positional argument {index + 1} has no parameter of {name}")
            arguments[names[index]] = ast.literal_eval(arg)
        for keyword in node.keywords:
            if keyword.arg is None:
                raise CallSyntaxError(f"{text!r}: **kwargs are not a recorded call")
            arguments[keyword.arg] = ast.literal_eval(keyword.value)
    except ValueError as exc:
        if isinstance(exc, CallSyntaxError):
            raise
        raise CallSyntaxError(f"{text!r}: an argument is not a literal value") from None
    return ToolCall(name=name, arguments=arguments)
