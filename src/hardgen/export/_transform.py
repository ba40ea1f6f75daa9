"""Sample-to-sample transforms every exporter shares: dropping reasoning, one example per
assistant turn, and writing reasoning inline as a `<think>` block."""

from __future__ import annotations

from collections.abc import Sequence

from hardgen.export._options import ExportOptions
from hardgen.schema import Message, Sample, ToolSpec


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


def tools_of_turn(sample: Sample, turn: int) -> list[ToolSpec]:
    """The tools offered in `turn` of `sample`: all but those a later turn adds (a missing function)."""
    later = {n for g in sample.gold[turn + 1:] for n in g.tools_added}
    return [t for t in sample.tools if t.name not in later]


def split_at_added_tools(sample: Sample) -> list[Sample]:
    """A sample whose offered tools grow (a missing-function sample) as one example per stretch of
    turns with the same tools, each with the tools of its own turns: `<id>#t<k>` ends with turn k
    (the last one keeps the sample's id), so no example shows a tool offered at a turn that said it
    had none. The last example records in `metadata.extra["context_messages"]` how many of its
    messages came before the tools changed: their assistant turns are context there (the OpenAI
    format gives them weight 0). Other samples are returned as they are."""
    added = [i for i, g in enumerate(sample.gold) if g.tools_added and i > 0]
    if not added:
        return [sample]
    users = [i for i, m in enumerate(sample.messages) if m.role == "user"]
    out = []
    for at in added:
        end = users[at] if at < len(users) else len(sample.messages)
        extra = {**sample.metadata.extra, "split_from": sample.id, "until_turn": at - 1}
        out.append(sample.model_copy(update={
            "id": f"{sample.id}#t{at - 1}", "messages": sample.messages[:end], "tools": tools_of_turn(sample, at - 1),
            "metadata": sample.metadata.model_copy(update={"extra": extra})}))
    context = users[added[-1]] if added[-1] < len(users) else len(sample.messages)
    out.append(sample.model_copy(update={"metadata": sample.metadata.model_copy(
        update={"extra": {**sample.metadata.extra, "context_messages": context}})}))
    return out


def training_units(samples: Sequence[Sample], options: ExportOptions) -> list[Sample]:
    """The samples as the exporters write them: reasoning dropped when `options.reasoning` is
    `none`, one per assistant turn when `options.split_turns`, each with the tools offered at its
    last turn (`split_at_added_tools`)."""
    units: list[Sample] = []
    for sample in samples:
        s = strip_reasoning(sample) if options.reasoning == "none" else sample
        for part in split_at_added_tools(s) if not options.split_turns else [s]:
            units.extend(_with_turn_tools(split_assistant_turns(part)) if options.split_turns else [part])
    return units


def _with_turn_tools(units: list[Sample]) -> list[Sample]:
    """Per-turn examples with the tools offered at their last turn."""
    out = []
    for unit in units:
        if not any(g.tools_added for g in unit.gold):
            out.append(unit)
            continue
        turn = sum(1 for m in unit.messages if m.role == "user") - 1
        out.append(unit.model_copy(update={"tools": tools_of_turn(unit, max(turn, 0))}))
    return out
