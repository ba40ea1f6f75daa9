"""Sample-to-sample transforms every exporter shares: dropping reasoning, one example per
assistant turn, and writing reasoning inline as a `<think>` block."""

from __future__ import annotations

from collections.abc import Sequence

from hardgen.export._options import ExportOptions
from hardgen.schema import Message, Sample


def with_thought(reasoning: str | None, text: str | None) -> str:
    """`text` preceded by `<think>reasoning</think>` (the convention of Qwen3, DeepSeek-R1 and the
    HardGen dataset); just `text` when there is no reasoning."""
    if not reasoning:
        return text or ""
    return f"<think>\n{reasoning}\n</think>\n\n{text or ''}"


def strip_reasoning(sample: Sample) -> Sample:
    """A copy of `sample` whose messages carry no reasoning."""
    if not any(m.reasoning for m in sample.messages):
        return sample
    messages = [m.model_copy(update={"reasoning": None}) if m.reasoning else m for m in sample.messages]
    return sample.model_copy(update={"messages": messages})


def inline_reasoning(message: Message) -> Message:
    """A copy of an assistant `message` with its reasoning moved into the content as `<think>`."""
    if not message.reasoning:
        return message
    return message.model_copy(update={"content": with_thought(message.reasoning, message.content), "reasoning": None})


def split_assistant_turns(sample: Sample) -> list[Sample]:
    """One sample per assistant message: the conversation up to and including it.

    Ids become `<id>#a<k>` (k counts assistant messages from 0); `metadata.extra` records
    `split_from` and `assistant_index`. Tools, environments, gold and verification are kept whole:
    they describe the task the prefix belongs to.
    """
    out = []
    k = 0
    for i, message in enumerate(sample.messages):
        if message.role != "assistant":
            continue
        extra = {**sample.metadata.extra, "split_from": sample.id, "assistant_index": k}
        out.append(
            sample.model_copy(
                update={
                    "id": f"{sample.id}#a{k}",
                    "messages": sample.messages[: i + 1],
                    "metadata": sample.metadata.model_copy(update={"extra": extra}),
                }
            )
        )
        k += 1
    return out


def training_units(samples: Sequence[Sample], options: ExportOptions) -> list[Sample]:
    """The samples as the exporters write them: reasoning dropped when `options.reasoning` is
    `none`, one per assistant turn when `options.split_turns`."""
    units: list[Sample] = []
    for sample in samples:
        s = strip_reasoning(sample) if options.reasoning == "none" else sample
        units.extend(split_assistant_turns(s) if options.split_turns else [s])
    return units
