"""Model backends: one protocol, an OpenAI-compatible implementation, a response cache.

- `Backend`, `ChatRequest`, `ChatResponse`, `Usage`: the protocol every role talks to.
- `OpenAICompatibleBackend`: any OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp, hosted APIs),
  with bounded concurrency, retries, a circuit breaker, a response cache and accounting (`BackendStats`).
- `BackendError`: a request that failed for good; `ServerUnusableError` (the server cannot serve the
  run: unreachable, rejecting every request, or failing for minutes) and `BudgetExhaustedError` (the
  shared `RequestBudget` is spent) are the ones that should stop the run (`is_fatal`).
- `RequestBudget`: a request and token budget that backends share.
- `ResponseCache`, `cache_key`: the SQLite response cache.
- `RequestSettings`, `with_settings`: a role's sampling settings sent with every request.
- `parse_assistant_output` (and `parse_assistant_output_async`, off the event loop when long): tool calls and
  reasoning from raw server output (native or the text formats of each model family), at most
  `MAX_REPLY_CHARS` long.
- `hardgen.llm.loopback`: a local OpenAI-compatible server for tests and benchmarks (imported on demand).
"""

from hardgen.llm._breaker import BreakerTicket, CircuitBreaker
from hardgen.llm._budget import RequestBudget
from hardgen.llm._cache import ResponseCache, cache_key
from hardgen.llm._errors import BackendError, BudgetExhaustedError, ServerUnusableError, is_fatal
from hardgen.llm._openai_compatible import API_KEY_ENV_VARS, OpenAICompatibleBackend
from hardgen.llm._parse import MAX_REPLY_CHARS, parse_assistant_output, parse_assistant_output_async
from hardgen.llm._protocol import Backend, ChatRequest, ChatResponse, Usage
from hardgen.llm._settings import RequestSettings, SettingsBackend, with_settings
from hardgen.llm._stats import BackendStats

__all__ = [
    "API_KEY_ENV_VARS",
    "MAX_REPLY_CHARS",
    "Backend",
    "BackendError",
    "BackendStats",
    "BreakerTicket",
    "BudgetExhaustedError",
    "ChatRequest",
    "ChatResponse",
    "CircuitBreaker",
    "OpenAICompatibleBackend",
    "RequestBudget",
    "RequestSettings",
    "ResponseCache",
    "ServerUnusableError",
    "SettingsBackend",
    "Usage",
    "cache_key",
    "is_fatal",
    "parse_assistant_output",
    "parse_assistant_output_async",
    "with_settings",
]
