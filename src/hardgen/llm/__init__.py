"""Model backends: one protocol, an OpenAI-compatible implementation, a response cache."""

from hardgen.llm._protocol import Backend, ChatRequest, ChatResponse, Usage

__all__ = ["Backend", "ChatRequest", "ChatResponse", "Usage"]
