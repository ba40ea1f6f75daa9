"""Scale benchmark of the API graph: build time, peak memory and traces/s at 1k, 10k and 100k tools.

The catalogue is synthetic but shaped like real APIs: services of 25 tools, each with a login and
four entity types (list / get / create / update / delete / export, plus a link between two entity
types), ids passed between them, JSON Schemas with descriptions, enums and ranges. A cheap in-memory
environment per service executes them: a call succeeds when its arguments have the right types,
the ids it names exist, and the service's login ran first for write tools. Each size runs in a
fresh subprocess so peak memory is its own.

    python bench/bench_graph.py [--sizes 1000,10000,100000] [--traces 300] [--json]

Aims: 10k tools built in < 10 s on one core; traces/s flat from 1k to 100k.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from typing import Any

from hardgen.schema import EnvironmentSpec, Observation, ToolSpec

TOOLS_PER_SERVICE = 25
NOUNS = ("invoice", "shipment", "ticket", "order", "customer", "product", "project", "task", "device", "account",
         "booking", "patient", "vehicle", "policy", "claim", "lead", "campaign", "document", "folder", "report",
         "employee", "contract", "asset", "course", "student", "event", "venue", "recipe", "playlist", "track",
         "repository", "build", "deployment", "incident", "alert", "dataset", "model", "experiment", "subscription",
         "payment", "refund", "coupon", "warehouse", "supplier", "parcel", "route", "driver", "room", "reservation",
         "listing")
STATUSES = ["active", "pending", "closed"]


def _entity_schema(noun: str) -> dict[str, Any]:
    return {"type": "object", "properties": {
        f"{noun}_id": {"type": "string", "description": f"Identifier of the {noun}."},
        "name": {"type": "string", "description": f"Display name of the {noun}."},
        "status": {"type": "string", "enum": STATUSES},
        "amount": {"type": "number", "minimum": 0},
    }}


def service_tools(index: int, rng: random.Random) -> tuple[list[ToolSpec], dict[str, Any]]:
    """25 tools of service `index` and the rules its environment enforces."""
    svc = f"svc{index}"
    nouns = rng.sample(NOUNS, 4)
    id_param = {n: {"type": "string", "description": f"The {n} id (from list_{n}s_{svc} or create_{n}_{svc})."}
                for n in nouns}
    tools: list[ToolSpec] = []
    rules: dict[str, Any] = {}

    def add(name: str, description: str, params: dict[str, Any], required: list[str], returns: dict[str, Any],
            mutates: bool, rule: dict[str, Any], hints: dict[str, Any] | None = None) -> None:
        tools.append(ToolSpec(name=name, description=description, environment=svc, mutates=mutates,
                              parameters={"type": "object", "properties": params, "required": required},
                              returns=returns, hints=hints or {}))
        rules[name] = rule

    add(f"login_{svc}", f"Log in to {svc}.",
        {"username": {"type": "string", "description": "Account username."},
         "password": {"type": "string", "description": "Account password."}},
        ["username", "password"], {"type": "object", "properties": {"session_token": {"type": "string"}}},
        True, {"op": "login"})
    for n in nouns:
        entity = _entity_schema(n)
        add(f"list_{n}s_{svc}", f"List the {n}s of {svc}.",
            {"status": {"type": "string", "enum": STATUSES, "description": "Only this status."}}, [],
            {"type": "object", "properties": {f"{n}s": {"type": "array", "items": entity}}}, False,
            {"op": "list", "noun": n})
        add(f"get_{n}_{svc}", f"Details of one {n}.", {f"{n}_id": id_param[n]}, [f"{n}_id"], entity, False,
            {"op": "get", "noun": n})
        add(f"create_{n}_{svc}", f"Create a {n}.",
            {"name": {"type": "string", "description": f"Name of the new {n}."},
             "amount": {"type": "number", "minimum": 0, "maximum": 1000, "description": "Amount."}},
            ["name"], entity, True, {"op": "create", "noun": n, "login": True}, {"requires": [f"login_{svc}"]})
        add(f"update_{n}_status_{svc}", f"Change a {n}'s status.",
            {f"{n}_id": id_param[n], "status": {"type": "string", "enum": STATUSES}}, [f"{n}_id", "status"],
            entity, True, {"op": "update", "noun": n, "login": True})
        add(f"delete_{n}_{svc}", f"Delete a {n}.", {f"{n}_id": id_param[n]}, [f"{n}_id"],
            {"type": "object", "properties": {"deleted": {"type": "boolean"}}}, True,
            {"op": "delete", "noun": n, "login": True})
    a, b = nouns[0], nouns[1]
    add(f"link_{a}_{b}_{svc}", f"Attach a {b} to a {a}.", {f"{a}_id": id_param[a], f"{b}_id": id_param[b]},
        [f"{a}_id", f"{b}_id"], {"type": "object", "properties": {"link_id": {"type": "string"}}}, True,
        {"op": "link", "nouns": [a, b], "login": True})
    add(f"export_{a}_{svc}", f"Export a {a} as a file.",
        {f"{a}_id": id_param[a], "format": {"type": "string", "enum": ["pdf", "csv"]}}, [f"{a}_id", "format"],
        {"type": "object", "properties": {"file_path": {"type": "string"}}}, False, {"op": "get", "noun": a})
    add(f"get_{svc}_usage", f"Usage statistics of {svc}.", {"days": {"type": "integer", "minimum": 1, "maximum": 90}},
        [], {"type": "object", "properties": {"calls": {"type": "integer"}}}, False, {"op": "static"})
    add(f"logout_{svc}", f"Log out of {svc}.", {}, [], {"type": "object", "properties": {"ok": {"type": "boolean"}}},
        True, {"op": "logout"})
    state = {"password": f"pw-{index}", "logged_in": False, "next": 10,
             "entities": {n: {f"{n[:2].upper()}{index}-{i}": {f"{n}_id": f"{n[:2].upper()}{index}-{i}", "name": f"{n} {i}",
                                                              "status": "active", "amount": 10.0 * i}
                              for i in range(3)} for n in nouns},
             "users": {"u": {"username": f"user{index}", "password": f"pw-{index}"}}}
    return tools, {"rules": rules, "state": state}


_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list, "object": dict}


class SyntheticService:
    """An in-memory environment for one synthetic service (the Environment protocol, no imports)."""

    def __init__(self, name: str, tools: list[ToolSpec], rules: dict[str, Any], state: dict[str, Any]) -> None:
        self.name = name
        self._tools = {t.name: t for t in tools}
        self._rules = rules
        self._initial = state
        self._state = json.loads(json.dumps(state))

    def tools(self) -> list[ToolSpec]:
        return list(self._tools.values())

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        spec = self._tools.get(name)
        if spec is None:
            return Observation.failure("UnknownToolError", name)
        props = spec.parameters["properties"]
        for p in spec.required:
            if p not in arguments:
                return Observation.failure("ArgumentError", f"missing {p}")
        for k, v in arguments.items():
            schema = props.get(k)
            if schema is None or not isinstance(v, _JSON_TYPES[schema.get("type", "string")]) or \
                    ("enum" in schema and v not in schema["enum"]):
                return Observation.failure("ArgumentError", f"bad {k}")
        rule, st = self._rules[name], self._state
        if rule.get("login") and not st["logged_in"]:
            return Observation.failure("NotLoggedInError", "log in first")
        op = rule["op"]
        if op == "login":
            if arguments["password"] != st["password"]:
                return Observation.failure("AuthenticationError", "wrong password")
            st["logged_in"] = True
            return Observation.success({"session_token": f"tok-{self.name}"})
        if op == "logout":
            st["logged_in"] = False
            return Observation.success({"ok": True})
        if op == "static":
            return Observation.success({"calls": 42})
        if op == "list":
            rows = list(st["entities"][rule["noun"]].values())
            return Observation.success({f"{rule['noun']}s": rows[:8]})
        if op == "create":
            noun = rule["noun"]
            st["next"] += 1
            eid = f"{noun[:2].upper()}{self.name}-{st['next']}"
            row = {f"{noun}_id": eid, "name": arguments["name"], "status": "pending", "amount": arguments.get("amount", 0)}
            st["entities"][noun][eid] = row
            return Observation.success(dict(row))
        nouns = rule.get("nouns") or [rule["noun"]]
        for noun in nouns:
            if arguments[f"{noun}_id"] not in st["entities"][noun]:
                return Observation.failure("NotFoundError", f"no {noun}")
        table, eid = st["entities"][nouns[0]], arguments[f"{nouns[0]}_id"]
        if op == "update":
            table[eid]["status"] = arguments["status"]
        if op == "delete":
            del table[eid]
            return Observation.success({"deleted": True})
        if op == "link":
            return Observation.success({"link_id": f"L-{eid}"})
        return Observation.success(dict(table[eid]))

    def reset(self) -> None:
        self._state = json.loads(json.dumps(self._initial))

    def snapshot(self) -> str:
        return json.dumps(self._state)

    def restore(self, snapshot: str) -> None:
        self._state = json.loads(snapshot)

    def state(self) -> dict[str, Any]:
        return self._state

    def state_hash(self) -> str:
        return hashlib.sha256(json.dumps(self._state, sort_keys=True).encode()).hexdigest()

    def specs(self) -> list[EnvironmentSpec]:
        return [EnvironmentSpec(name=self.name, target="bench_graph:SyntheticService", initial_state=self._initial)]


def catalogue(n_tools: int, seed: int = 0) -> list[SyntheticService]:
    rng = random.Random(seed)
    services = []
    for i in range(max(1, n_tools // TOOLS_PER_SERVICE)):
        tools, data = service_tools(i, rng)
        services.append(SyntheticService(f"svc{i}", tools, data["rules"], data["state"]))
    return services


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_size(n_tools: int, traces: int, seed: int) -> dict[str, Any]:
    from hardgen.graph import ApiGraph, SamplerConfig, TraceSampler
    from hardgen.tools import Session

    services = catalogue(n_tools, seed)
    specs = [t for s in services for t in s.tools()]
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    graph = ApiGraph.build(specs)
    build_s = time.perf_counter() - t0
    rss_build = _rss_mb()
    session = Session(services)
    t0 = time.perf_counter()
    graph.learn_session_state(session)
    rng = random.Random(seed)
    failures = {t: {"attempts": 10, "failures": rng.randint(1, 10)} for t in rng.sample(graph.tools, len(graph) // 10)}
    graph.update_failures(failures)
    sampler = TraceSampler(graph, session, seed=seed, config=SamplerConfig(record_state_hashes=False))
    setup_s = time.perf_counter() - t0
    sampler.sample_many(20)  # warm caches (requirement groups of the first targets)
    t0 = time.perf_counter()
    out = sampler.sample_many(traces)
    sample_s = time.perf_counter() - t0
    summary = graph.summary()
    return {
        "tools": len(graph), "edges": summary.edges,
        "data_flow": sum(summary.edges_by_kind["data_flow"].values()),
        "prerequisites": sum(summary.edges_by_kind["state_prerequisite"].values()),
        "build_s": round(build_s, 2), "build_peak_rss_mb": round(rss_build - rss0, 1),
        "peak_rss_mb": round(_rss_mb(), 1), "sampler_setup_s": round(setup_s, 2),
        "traces": len(out), "traces_per_s": round(len(out) / sample_s, 1),
        "calls_per_trace": round(sampler.stats.calls / max(1, sampler.stats.traces), 2),
        "mean_length": round(sum(len(t.steps) for t in out) / max(1, len(out)), 2),
        "with_dependency": round(sum(t.implicit_dependencies > 0 for t in out) / max(1, len(out)), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--traces", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_size(args.one, args.traces, args.seed)))
        return
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run([sys.executable, __file__, "--one", str(size), "--traces", str(args.traces),
                               "--seed", str(args.seed)], capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not args.json:
            print(f"... {size} tools done", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'tools':>7} {'edges':>8} {'build s':>8} {'build MB':>9} {'peak MB':>8} {'setup s':>8} "
          f"{'traces/s':>9} {'calls/trace':>11} {'mean len':>8} {'>=1 dep':>8}")
    for r in rows:
        print(f"{r['tools']:>7} {r['edges']:>8} {r['build_s']:>8.2f} {r['build_peak_rss_mb']:>9.1f} "
              f"{r['peak_rss_mb']:>8.1f} {r['sampler_setup_s']:>8.2f} {r['traces_per_s']:>9.1f} "
              f"{r['calls_per_trace']:>11.2f} {r['mean_length']:>8.2f} {100 * r['with_dependency']:>7.1f}%")


if __name__ == "__main__":
    main()
