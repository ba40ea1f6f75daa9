"""Per-call seeded randomness for tools that use the `random` module's functions.

Tools written against the stdlib (`random.choice(...)`) must replay exactly, so each call runs with
its own `random.Random(seed)`. Seeding the one global generator instead would race: calls run on
worker threads while the caller (or another environment's worker) uses `random` too, and a call
abandoned after a timeout would later restore the global state at an arbitrary moment.

So the module-level functions of `random` (`random.random`, `random.choice`, `random.seed`, ...)
are replaced, once, by thin dispatchers: inside `seeded(seed)` on the current thread they use that
call's generator; everywhere else they use the global generator exactly as before, so the caller's
random sequence is untouched. A tool module that did `from random import choice` *before*
`hardgen.tools` was imported holds the original function and is not seeded; import HardGen first
(tool modules that import `hardgen.tools` for `@tool` always do).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_local = threading.local()
_installed = False
_install_lock = threading.Lock()


def _dispatcher(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def dispatch(*args: Any, **kwargs: Any) -> Any:
        generator = getattr(_local, "generator", None)
        if generator is None:
            return original(*args, **kwargs)
        return getattr(generator, name)(*args, **kwargs)

    dispatch.__name__ = name
    dispatch.__qualname__ = name
    dispatch.__doc__ = original.__doc__
    dispatch.__wrapped__ = original  # type: ignore[attr-defined]
    return dispatch


def install() -> None:
    """Route `random`'s module-level functions through the per-thread seeded generator (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        global_generator = random._inst  # type: ignore[attr-defined]
        for name in dir(random):
            original = getattr(random, name)
            # Exactly the bound methods of the global generator: random.random, choice, seed, ...
            if getattr(original, "__self__", None) is global_generator and callable(original):
                setattr(random, name, _dispatcher(name, original))
        _installed = True


@contextmanager
def seeded(seed: int) -> Iterator[random.Random]:
    """Within the block, on this thread, `random.*` draws from a fresh `random.Random(seed)`."""
    install()
    previous = getattr(_local, "generator", None)
    generator = random.Random(seed)
    _local.generator = generator
    try:
        yield generator
    finally:
        _local.generator = previous
