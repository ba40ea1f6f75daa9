"""Request and token accounting of a backend, as a record the run manifest can store."""

from __future__ import annotations

from hardgen.schema import Record


class BackendStats(Record):
    """What a backend has done so far. Read it with `backend.stats` (a snapshot)."""

    requests: int = 0
    """Calls to `complete`."""
    cache_hits: int = 0
    """Requests answered from the response cache (no model call)."""
    http_requests: int = 0
    """HTTP requests sent to the server (first tries and retries)."""
    retries: int = 0
    """HTTP requests that were retries of a failed one."""
    failures: int = 0
    """Requests that were sent and ended in a `BackendError` (`ServerUnusableError` included)."""
    refused: int = 0
    """Requests not sent at all: the budget was spent, or the backend had given up on its server."""
    parse_errors: int = 0
    """Responses that came back with at least one parse error."""
    breaker_opens: int = 0
    """Times the circuit breaker opened (paused every request)."""
    structured_output_fallbacks: int = 0
    """Times the server rejected `json_schema` output and the backend fell back to `json_object`."""
    prompt_tokens: int = 0
    """Prompt tokens of the answers the server gave (cache hits not counted)."""
    completion_tokens: int = 0
    """Completion tokens of the answers the server gave (cache hits not counted)."""
    latency_s_total: float = 0.0
    """Sum of the wall time of requests answered by the server, retries and waits included."""
    latency_s_max: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def latency_s_mean(self) -> float:
        """Mean wall time of a request answered by the server (0 when there were none)."""
        answered = self.requests - self.cache_hits - self.failures - self.refused
        return self.latency_s_total / answered if answered > 0 else 0.0
