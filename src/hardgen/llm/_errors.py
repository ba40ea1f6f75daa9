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
        """What failed last: `status`, `timeout`, `connection`, `bad_response` or `circuit_open`."""
        self.attempts = attempts
        """Attempts made (the first try plus retries)."""
