"""Reasoning that cites what only the Reasoner saw.

The Reasoner works with private notes (the advanced tool's description as a hint, the Critic's
feedback on a failed attempt). The saved sample carries the plain system prompt, so a reasoning
text that says "the hint says ..." or "as the feedback pointed out ..." would teach a model to cite
something its user never wrote. Such sentences are removed from the reasoning; an answer or a
call-free message that cites them makes the attempt unusable (its words cannot be dropped without
changing what the user is told).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardgen.schema import Message

_PRIVILEGED = re.compile(
    r"\bhints?\b|\bfeedback\b|\bprivate notes?\b|\bprevious (?:attempt|try)\b|\blast (?:attempt|try)\b"
    r"|\bmy (?:earlier|first) (?:attempt|try)\b|\bI was told\b|\bthe critic\b|\bas (?:suggested|instructed)\b"
    r"|\binternally\b",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def cites_privileged(text: str | None) -> bool:
    """Whether `text` refers to the Reasoner's private notes."""
    return bool(text) and _PRIVILEGED.search(text or "") is not None


def _scrubbed(text: str) -> tuple[str, int]:
    """`text` without its sentences that cite the notes, and how many those were."""
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]
    kept = [s for s in sentences if not _PRIVILEGED.search(s)]
    return " ".join(kept), len(sentences) - len(kept)


def scrub_privileged(messages: Sequence[Message]) -> tuple[list[Message], int, str | None]:
    """`messages` with every reasoning sentence that cites the private notes removed.

    Returns the messages, how many sentences were removed, and a reason when the attempt cannot be
    used at all (an assistant's visible text cites them)."""
    out: list[Message] = []
    removed = 0
    for message in messages:
        if message.role != "assistant":
            out.append(message)
            continue
        if cites_privileged(message.content):
            return list(messages), removed, "the answer refers to the reasoner's private hint or feedback"
        if message.reasoning and cites_privileged(message.reasoning):
            kept, dropped = _scrubbed(message.reasoning)
            removed += dropped
            message = message.model_copy(update={"reasoning": kept or None})
        out.append(message)
    return out, removed, None
