"""A live session that returns to its initial state in time proportional to what a trace touched.

The sampler and discovery run many short episodes from the same initial state. Rebuilding or
restoring every environment each time would cost O(number of tools); this wrapper restores only
the environments the last episode called, rolls a failed call back (so a dropped call leaves no
trace in the state nor in the environment's call counter, and the kept calls replay exactly), and
keeps each environment's state hash so the session hash costs O(1) per call.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hardgen.schema import EnvironmentSpec, Observation
from hardgen.tools import state_digest


class ResettableSession:
    """Wraps a `Session` (or a single environment) for episodic use.

    The session is reset to its specs' initial state first: episodes (and the traces that record
    those specs) start from there, whatever the session was used for before.
    """

    def __init__(self, session: Any, *, track_hashes: bool = True) -> None:
        self.session = session
        session.reset()
        self.environments: list[Any] = list(getattr(session, "environments", None) or [session])
        self._by_name = {env.name: env for env in self.environments}
        self._order = {env.name: i for i, env in enumerate(self.environments)}
        self._initial = {env.name: env.snapshot() for env in self.environments}
        self.track_hashes = track_hashes
        self._initial_hashes = {env.name: env.state_hash() for env in self.environments} if track_hashes else {}
        self.hashes: dict[str, str] = dict(self._initial_hashes)
        self._dirty: dict[str, None] = {}
        owners: dict[str, list[str]] = {}  # raw tool name -> environments offering it
        for env in self.environments:
            for spec in env.tools():
                owners.setdefault(spec.name, []).append(env.name)
        # Same exposure rule as Session: a clashing name becomes `<environment>_<name>`.
        self.route: dict[str, str] = {}
        self._clash_envs: dict[str, list[str]] = {}
        for env in self.environments:
            for spec in env.tools():
                if len(owners[spec.name]) == 1:
                    self.route[spec.name] = env.name
                else:
                    exposed = f"{env.name}_{spec.name}"
                    self.route[exposed] = env.name
                    self._clash_envs[exposed] = owners[spec.name]

    def reset(self) -> None:
        """Back to the initial state (only the environments touched since the last reset)."""
        for name in self._dirty:
            self._by_name[name].restore(self._initial[name])
            if self.track_hashes:
                self.hashes[name] = self._initial_hashes[name]
        self._dirty.clear()

    def state_of(self, tool: str) -> Any:
        """The current state of the environment that offers `tool` (None for an unknown tool)."""
        env_name = self.route.get(tool)
        return self._by_name[env_name].state() if env_name is not None else None

    def environment_hash(self, tool: str) -> str | None:
        """The current state hash of the environment that offers `tool` (None for an unknown tool)."""
        env_name = self.route.get(tool)
        return self._by_name[env_name].state_hash() if env_name is not None else None

    def environment_of(self, tool: str) -> str:
        return self.route[tool]

    def call(self, tool: str, arguments: dict[str, Any], *, rollback_on_failure: bool = True) -> Observation:
        """Call a tool; on failure, optionally put its environment back as it was before the call."""
        env_name = self.route.get(tool)
        if env_name is None:
            return self.session.call(tool, arguments)  # the session's own UnknownToolError
        env = self._by_name[env_name]
        snap = env.snapshot() if rollback_on_failure else None
        obs = self.session.call(tool, arguments)
        self._dirty[env_name] = None
        if not obs.ok and snap is not None:
            env.restore(snap)
        elif self.track_hashes:
            self.hashes[env_name] = env.state_hash()
        return obs

    def environments_for(self, tools: Iterable[str]) -> list[str]:
        """Environments a replay of calls to `tools` needs: theirs, plus those whose tools share a
        name with one of them (so the replay session exposes the same prefixed names)."""
        needed: set[str] = set()
        for tool in tools:
            needed.add(self.route[tool])
            needed.update(self._clash_envs.get(tool, ()))
        return sorted(needed, key=self._order.__getitem__)  # session order, in O(k log k) not O(n)

    def specs_for(self, env_names: Iterable[str]) -> list[EnvironmentSpec]:
        return [s for name in sorted(set(env_names), key=self._order.__getitem__) for s in self._by_name[name].specs()]

    def state_hash(self, env_names: Iterable[str]) -> str:
        """Hash of the named environments' current states, as `Session.state_hash` computes it."""
        return state_digest({name: self.hashes[name] for name in env_names})

    def initial_hashes(self, env_names: Iterable[str]) -> dict[str, str]:
        """Each named environment's state hash at the initial state."""
        return {name: self._initial_hashes[name] for name in env_names}
