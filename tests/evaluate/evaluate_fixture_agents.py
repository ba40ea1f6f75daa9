"""Test agents for evaluation: an oracle that replays a sample's gold calls (and gives up on chosen
seeds), and a backend that raises for chosen samples."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from hardgen.llm import ChatRequest, ChatResponse
from hardgen.schema import Message, Sample, ToolCall


class GoldReplayAgent:
    """Answers each turn with the gold calls of that turn, then the requested values; gives up (no
    calls) when `passes(sample_id, seed)` is false. Knows the samples by id (the agent loop puts the
    sample id and turn into the request metadata)."""

    name = "gold-replay"
    model: str | None = "oracle"

    def __init__(self, samples: Sequence[Sample], passes: Callable[[str, int | None], bool] | None = None) -> None:
        self.samples = {s.id: s for s in samples}
        self.passes = passes or (lambda _sample, _seed: True)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        sample = self.samples[request.metadata["sample"]]
        gold = sample.gold[request.metadata["turn"]]
        if not self.passes(sample.id, request.seed):
            return ChatResponse(message=Message.assistant("I cannot help with that."))
        last_user = max(i for i, m in enumerate(request.messages) if m.role == "user")
        if not any(m.role == "tool" for m in request.messages[last_user + 1:]):
            calls = [ToolCall(name=s.call.name, arguments=dict(s.call.arguments)) for s in gold.steps]
            return ChatResponse(message=Message.assistant(None, tool_calls=calls))
        return ChatResponse(message=Message.assistant("Done: " + ", ".join(str(v) for v in gold.answer_values)))


class FailingBackend:
    """Raises for the samples in `broken` (all when None); otherwise gives a plain answer."""

    name = "failing"
    model: str | None = None

    def __init__(self, broken: set[str] | None = None) -> None:
        self.broken = broken

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if self.broken is None or request.metadata.get("sample") in self.broken:
            raise ConnectionError("server went away")
        return ChatResponse(message=Message.assistant("No idea."))
