"""A Session composes several environments into one tool namespace.

Tool names stay as they are unless two environments offer the same name; then each clashing
tool is exposed as `<environment>_<tool>` (OpenAI function names allow no dots).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from hardgen.errors import EnvironmentLoadError
from hardgen.schema import EnvironmentSpec, Observation, ToolSpec
from hardgen.tools._environment import DEFAULT_TIMEOUT_S, Environment, _closest, build_environment
from hardgen.tools._state import state_digest


class Session:
    """Several environments behind one `call`. Implements the `Environment` protocol."""

    def __init__(self, environments: Sequence[Environment], name: str = "session") -> None:
        self.name = name
        self.environments: list[Environment] = list(environments)
        names = [e.name for e in self.environments]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise EnvironmentLoadError(f"environment names must be unique in a session: {dupes}")
        counts: dict[str, int] = {}
        for env in self.environments:
            for spec in env.tools():
                counts[spec.name] = counts.get(spec.name, 0) + 1
        self._routes: dict[str, tuple[Environment, str]] = {}
        self._specs: dict[str, ToolSpec] = {}
        for env in self.environments:
            for spec in env.tools():
                exposed = spec.name if counts[spec.name] == 1 else f"{env.name}_{spec.name}"
                if exposed in self._routes:  # e.g. env `a` tool `b_c` beside env `a_b` tool `c`
                    raise EnvironmentLoadError(
                        f"tool name {exposed!r} is offered twice in the session (by {self._routes[exposed][0].name!r} "
                        f"and {env.name!r}); rename an environment"
                    )
                if exposed == spec.name:
                    self._specs[exposed] = spec
                else:
                    try:  # validated: the namespaced name must still be a legal function name
                        self._specs[exposed] = ToolSpec.model_validate({**spec.model_dump(), "name": exposed})
                    except ValidationError as exc:
                        raise EnvironmentLoadError(
                            f"tool {spec.name!r} of {env.name!r} clashes with another environment's tool, "
                            f"and its namespaced name is invalid: {exc.errors()[0]['msg']}"
                        ) from exc
                self._routes[exposed] = (env, spec.name)

    @classmethod
    def from_specs(
        cls, specs: Sequence[EnvironmentSpec], *, timeout: float | None = DEFAULT_TIMEOUT_S
    ) -> Session:
        return cls([build_environment(s, timeout=timeout) for s in specs])

    def tools(self) -> list[ToolSpec]:
        return list(self._specs.values())

    def tool(self, name: str) -> ToolSpec:
        return self._specs[name]

    def has_tool(self, name: str) -> bool:
        return name in self._specs

    def environment_of(self, tool_name: str) -> Environment:
        return self._routes[tool_name][0]

    def call(self, name: str, arguments: dict[str, Any]) -> Observation:
        route = self._routes.get(name)
        if route is None:
            return Observation.failure("UnknownToolError", f"no tool named {name!r}{_closest(name, list(self._routes))}")
        env, inner = route
        return env.call(inner, arguments)

    def reset(self) -> None:
        for env in self.environments:
            env.reset()

    def snapshot(self) -> list[Any]:
        return [env.snapshot() for env in self.environments]

    def restore(self, snapshot: list[Any]) -> None:
        for env, snap in zip(self.environments, snapshot, strict=True):
            env.restore(snap)

    def state(self) -> dict[str, Any]:
        return {env.name: env.state() for env in self.environments}

    def state_hash(self) -> str:
        return state_digest({env.name: env.state_hash() for env in self.environments})

    def specs(self) -> list[EnvironmentSpec]:
        return [s for env in self.environments for s in env.specs()]

    def close(self) -> None:
        for env in self.environments:
            close = getattr(env, "close", None)
            if close is not None:
                close()
