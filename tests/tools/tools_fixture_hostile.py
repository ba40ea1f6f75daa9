"""A tool class that misbehaves in every way a tool can, for the containment tests."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import sys
import time
from typing import Any

CALLS_SEEN: list[str] = []
"""Module-level state a tool changes (global state outside the environment)."""


class Rogue(BaseException):
    """Not an Exception: what a careless tool might raise."""


class Hostile:
    """Each method is one way of misbehaving; `count` is the state that must survive them all."""

    def __init__(self, count: int = 0) -> None:
        self.count = count

    def bump(self) -> int:
        """Adds one to the counter."""
        self.count += 1
        return self.count

    def read(self) -> int:
        """Returns the counter."""
        return self.count

    def fail(self) -> None:
        """Raises a plain error half-way."""
        self.count += 100
        raise ValueError("tool broke")

    def spin(self) -> None:
        """Loops forever in Python, burning CPU."""
        while True:
            self.count += 1

    def spin_in_c(self) -> int:
        """Loops for a very long time inside C code, where a thread cannot be interrupted."""
        return sum(range(10**13))

    def sleep(self, seconds: float) -> str:
        """Sleeps, then changes the state."""
        time.sleep(seconds)
        self.count = -1
        return "slept"

    def huge(self, megabytes: int) -> str:
        """Returns a very large result."""
        return "x" * (megabytes * 1_000_000)

    def not_json(self) -> Any:
        """Returns something JSON has no word for."""
        return object()

    def recurse(self, depth: int = 0) -> int:
        """Recurses without end."""
        return self.recurse(depth + 1)

    def allocate(self) -> int:
        """Asks for more memory than any machine has."""
        return len(bytearray(1 << 60))

    def noisy(self) -> str:
        """Prints to stdout and stderr, through Python and straight to the file descriptors."""
        print("NOISE-STDOUT")
        print("NOISE-STDERR", file=sys.stderr)
        sys.stdout.flush()
        return "quiet result"

    def noisy_fd(self) -> str:
        """Writes straight to file descriptors 1 and 2, as C code would."""
        os.write(1, b"NOISE-FD1\n")
        os.write(2, b"NOISE-FD2\n")
        return "fd result"

    def global_state(self) -> int:
        """Changes module globals and the global random generator."""
        CALLS_SEEN.append("global_state")
        random.seed(0)
        return len(CALLS_SEEN)

    def mutate(self, items: list[int]) -> int:
        """Changes the list it was given."""
        items.append(99)
        items[0] = -1
        return len(items)

    def interrupt(self) -> None:
        """Raises KeyboardInterrupt, as if Ctrl-C were pressed inside the tool."""
        raise KeyboardInterrupt("inside the tool")

    def exit(self) -> None:
        """Calls sys.exit."""
        raise SystemExit(4)

    def cancelled(self) -> None:
        """Raises asyncio's CancelledError (a BaseException)."""
        raise asyncio.CancelledError("cancelled inside the tool")

    def rogue(self) -> None:
        """Raises a BaseException subclass of its own."""
        raise Rogue("rogue")

    def hard_exit(self) -> None:
        """Ends the process at once, skipping every handler."""
        os._exit(3)


class Stuck:
    """A tool that stays inside C code for seconds with the GIL released (as numpy, hashing or a
    blocking extension call would): no exception can be raised into its thread meanwhile."""

    def __init__(self, count: int = 0) -> None:
        self.count = count

    def read(self) -> int:
        """Returns the counter."""
        return self.count

    def crunch(self, iterations: int) -> str:
        """Derives a key the slow way (about a second per million iterations)."""
        return hashlib.pbkdf2_hmac("sha256", b"secret", b"salt", iterations).hex()


class Unruly(Hostile):
    """Every misbehaviour a thread can contain (no os._exit, no loop inside C code), for whole runs."""

    hard_exit = None  # type: ignore[assignment]
    spin_in_c = None  # type: ignore[assignment]
