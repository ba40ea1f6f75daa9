"""The error a backend raises when a model server could not give an answer."""

from __future__ import annotations

from hardgen.errors import HardGenError


class BackendError(HardGenError):
    """A chat completion failed for good (retries exhausted, or an error retrying cannot fix).

    The caller records it against the unit of work that asked and carries on; the message names the
    server, the model, what went wrong and what to check.
    """

    def __init__(
        self,
        message: str,
        *,
        server: str,
        model: str | None = None,
        status: int | None = None,
        kind: str = "error",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.server = server
        """Base URL of the server that failed."""
        self.model = model
        self.status = status
        """HTTP status of the last failed attempt (None for connection errors and timeouts)."""
        self.kind = kind
        """What failed last: `status`, `timeout`, `connection`, `bad_response`, `circuit_open` (the breaker
        gave up on the server) or `budget` (not sent: the budget is spent)."""
        self.attempts = attempts
        """Attempts sent (the first try plus retries); 0 for a request refused without being sent."""


class ServerUnusableError(BackendError):
    """The server cannot serve this run at all: it is unreachable, keeps rejecting requests, or failed
    everything for a long time.

    Unlike a plain `BackendError` this is not about one request or one unit of work: the caller should
    stop the run (it says what to fix), and never count it as a model failure. Once a backend has
    raised it, every later request on that backend raises it too, without being sent (a request its
    response cache holds is still answered).
    """


class BudgetExhaustedError(BackendError):
    """The request or token budget shared by the run's backends is spent: the request was not sent.

    The caller should stop starting work and finish cleanly; it is not a model or server failure.
    """


def is_fatal(exc: BaseException) -> bool:
    """Whether `exc` ends the whole run rather than one unit of work: an unusable server or a spent
    budget. Roles catch every other `BackendError` and fall back or fail the unit."""
    return isinstance(exc, (ServerUnusableError, BudgetExhaustedError))
