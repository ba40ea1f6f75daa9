"""A request and token budget that backends share, so a run stops cleanly when it has spent what it may."""

from __future__ import annotations

import threading

from hardgen.llm._errors import BudgetExhaustedError


class RequestBudget:
    """At most `max_requests` model requests and `max_tokens` tokens (prompt + completion), across backends.

    Give the same budget to every backend of a run (or one per backend). A backend charges one request
    when it is about to send a request to its server (cache hits are free, retries of the same request
    are not charged again) and adds the tokens of each answer. Once either limit is reached, every
    further request raises `BudgetExhaustedError` without being sent. The request limit is exact, since
    a request is charged before it goes; tokens are only known from answers, so requests already in
    flight when the token limit is reached still finish and can overshoot it by their own answers.

    Thread-safe: backends on several event loops or threads may share one budget.
    """

    def __init__(self, max_requests: int | None = None, max_tokens: int | None = None) -> None:
        if max_requests is not None and max_requests < 0:
            raise ValueError(f"max_requests must not be negative, got {max_requests}")
        if max_tokens is not None and max_tokens < 0:
            raise ValueError(f"max_tokens must not be negative, got {max_tokens}")
        self.max_requests = max_requests
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._requests = 0
        self._prompt_tokens = 0
        self._completion_tokens = 0
        self._refused = 0

    def __repr__(self) -> str:
        return (
            f"RequestBudget(max_requests={self.max_requests}, max_tokens={self.max_tokens}, "
            f"requests={self._requests}, tokens={self.total_tokens})"
        )

    @property
    def requests(self) -> int:
        """Requests charged so far (sent to a server)."""
        return self._requests

    @property
    def prompt_tokens(self) -> int:
        return self._prompt_tokens

    @property
    def completion_tokens(self) -> int:
        return self._completion_tokens

    @property
    def total_tokens(self) -> int:
        return self._prompt_tokens + self._completion_tokens

    @property
    def refused(self) -> int:
        """Requests refused because the budget was spent."""
        return self._refused

    @property
    def exhausted(self) -> bool:
        """Whether the next request would be refused."""
        with self._lock:
            return self._spent() is not None

    def charge_request(self, *, server: str, model: str | None = None) -> None:
        """Charge one request about to be sent to `server`, or raise `BudgetExhaustedError` if spent."""
        with self._lock:
            spent = self._spent()
            if spent is None:
                self._requests += 1
                return
            self._refused += 1
        raise BudgetExhaustedError(
            f"the run's budget is spent ({spent}): the request to {server} was not sent. Raise the budget "
            "to go on (a resumed run answers what it already asked from its cache, free of charge).",
            server=server,
            model=model,
            kind="budget",
            attempts=0,
        )

    def add_tokens(self, prompt_tokens: int, completion_tokens: int) -> None:
        """Add the tokens of one answer."""
        with self._lock:
            self._prompt_tokens += max(0, prompt_tokens)
            self._completion_tokens += max(0, completion_tokens)

    def _spent(self) -> str | None:
        if self.max_requests is not None and self._requests >= self.max_requests:
            return f"{self._requests} of {self.max_requests} requests"
        if self.max_tokens is not None and self.total_tokens >= self.max_tokens:
            return f"{self.total_tokens} of {self.max_tokens} tokens"
        return None
