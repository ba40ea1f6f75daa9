"""What each format must guarantee to the trainer or evaluator that reads it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from hardgen.export import (
    EXPORT_FORMATS,
    ExportError,
    ExportOptions,
    bfcl_rows,
    export_samples,
    export_with_report,
    hf_schema,
    llamafactory_rows,
    openai_rows,
    sample_from_hf_row,
    split_assistant_turns,
    trl_rows,
)
from hardgen.schema import Message, Sample, ToolCall


def _calls(sample: Sample) -> list[ToolCall]:
    return [c for m in sample.messages for c in (m.tool_calls or [])]


# --- OpenAI -----------------------------------------------------------------------------------


def test_openai_arguments_are_json_strings_of_the_canonical_arguments(samples) -> None:
    for sample, row in zip(samples, openai_rows(samples), strict=True):
        wire = [c for m in row["messages"] for c in m.get("tool_calls", [])]
        assert [c["function"]["name"] for c in wire] == [c.name for c in _calls(sample)]
        for w, c in zip(wire, _calls(sample), strict=True):
            assert isinstance(w["function"]["arguments"], str)
            assert json.loads(w["function"]["arguments"]) == c.arguments
        assert row["tools"] == [t.to_openai() for t in sample.tools]
        # every tool message answers a call made before it
        seen: set[str] = set()
        for m in row["messages"]:
            seen.update(c["id"] for c in m.get("tool_calls", []))
            if m["role"] == "tool":
                assert m["tool_call_id"] in seen


def test_openai_reasoning_field_inline_or_dropped(samples) -> None:
    travel = samples[:1]
    field = openai_rows(travel)[0]["messages"]
    assert field[2]["reasoning_content"].startswith("Flights are searched by zip code")
    inline = openai_rows(travel, ExportOptions(reasoning="inline"))[0]["messages"]
    assert "reasoning_content" not in inline[2]
    assert inline[2]["content"].startswith("<think>\nFlights are searched by zip code")
    none = openai_rows(travel, ExportOptions(reasoning="none"))[0]["messages"]
    assert all("reasoning_content" not in m and "<think>" not in (m["content"] or "") for m in none)


def test_openai_split_turns_trains_only_the_last_assistant_message(samples) -> None:
    rows = openai_rows(samples, ExportOptions(split_turns=True))
    assistants = sum(1 for s in samples for m in s.messages if m.role == "assistant")
    assert len(rows) == assistants
    for row in rows:
        msgs = row["messages"]
        assert msgs[-1]["role"] == "assistant" and "weight" not in msgs[-1]
        assert all(m.get("weight") == 0 for m in msgs[:-1] if m["role"] == "assistant")


# --- TRL --------------------------------------------------------------------------------------

# A Hermes/Qwen2.5-style template: tools as JSON in the system prompt, calls in <tool_call> tags.
CHAT_TEMPLATE = """
{%- if tools %}<|im_start|>system
{% if messages[0].role == 'system' %}{{ messages[0].content }}

{% endif %}# Tools
<tools>
{%- for tool in tools %}
{{ tool | tojson }}
{%- endfor %}
</tools><|im_end|>
{% elif messages[0].role == 'system' %}<|im_start|>system
{{ messages[0].content }}<|im_end|>
{% endif %}
{%- for message in messages %}
{%- if message.role == 'user' %}<|im_start|>user
{{ message.content }}<|im_end|>
{% elif message.role == 'assistant' %}<|im_start|>assistant
{% if message.reasoning_content %}<think>
{{ message.reasoning_content }}
</think>
{% endif %}{{ message.content or '' }}
{%- for tool_call in message.tool_calls or [] %}
<tool_call>
{"name": "{{ tool_call.function.name }}", "arguments": {{ tool_call.function.arguments | tojson }}}
</tool_call>
{%- endfor %}<|im_end|>
{% elif message.role == 'tool' %}<|im_start|>user
<tool_response>
{{ message.content }}
</tool_response><|im_end|>
{% endif %}
{%- endfor %}
{%- if add_generation_prompt %}<|im_start|>assistant
{% endif %}
"""


def _offline_tokenizer() -> Any:
    """A tiny word-level tokenizer built in memory, wrapped as a transformers tokenizer with a
    tool-aware chat template: no download."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[UNK]": 0, "<|im_start|>": 1, "<|im_end|>": 2}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=core, unk_token="[UNK]", eos_token="<|im_end|>", chat_template=CHAT_TEMPLATE
    )


def test_trl_export_loads_with_datasets_and_renders_through_a_chat_template(samples, tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    pytest.importorskip("transformers")
    from hardgen.export import load_trl_jsonl

    (path,) = export_samples(samples, "trl", tmp_path)
    dataset = load_trl_jsonl(path)
    assert dataset.num_rows == len(samples)
    assert set(dataset.column_names) == {"messages", "tools"}
    tokenizer = _offline_tokenizer()
    for sample, row in zip(samples, dataset, strict=True):
        # Arrow kept each call's own argument keys (no nulls for keys of other calls).
        loaded_calls = [c for m in row["messages"] for c in (m.get("tool_calls") or [])]
        assert [c["function"]["arguments"] for c in loaded_calls] == [c.arguments for c in _calls(sample)]
        text = tokenizer.apply_chat_template(row["messages"], tools=row["tools"], tokenize=False)
        assert isinstance(text, str)
        for tool in sample.tools:
            assert f'"name": "{tool.name}"' in text  # offered in the system prompt
        for call in _calls(sample):
            rendered = json.dumps({"name": call.name, "arguments": call.arguments}, ensure_ascii=False)
            assert rendered in text, f"call {call.name} missing from the rendered conversation"
        for m in sample.messages:
            if m.role == "user":
                assert m.content in text
            if m.reasoning:
                assert m.reasoning in text


def test_trl_split_turns_is_prompt_completion(samples) -> None:
    rows = trl_rows(samples[:1], ExportOptions(split_turns=True))
    full = trl_rows(samples[:1])
    assert len(rows) == sum(1 for m in samples[0].messages if m.role == "assistant")
    for row in rows:
        assert len(row["completion"]) == 1 and row["completion"][0]["role"] == "assistant"
        n = len(row["prompt"]) + 1
        assert row["prompt"] + row["completion"] == full[0]["messages"][:n]
        assert row["tools"] == full[0]["tools"]


# --- LLaMA-Factory ----------------------------------------------------------------------------


def _check_sharegpt_row(row: dict[str, Any], info: dict[str, Any]) -> list[tuple[str, Any]]:
    """Validate a row as LLaMA-Factory's SharegptDatasetConverter and FunctionFormatter read it
    (data/README.md): tags, odd/even positions, even length, tools as a JSON string, function_call
    values as an optional <think> block plus {"name", "arguments"} JSON (a list when parallel).
    Returns the parsed (role, payload) turns."""
    tags, columns = info["tags"], info["columns"]
    turns = row[columns["messages"]]
    odd = (tags["user_tag"], tags["observation_tag"])
    even = (tags["assistant_tag"], tags["function_tag"])
    assert len(turns) % 2 == 0, "a conversation must end on an assistant turn"
    parsed = []
    for i, turn in enumerate(turns):
        role, value = turn[tags["role_tag"]], turn[tags["content_tag"]]
        assert role in (odd if i % 2 == 0 else even), f"turn {i + 1}: {role!r} in the wrong position"
        assert isinstance(value, str)
        if role == tags["function_tag"]:
            thought = re.search(r"<think>(.*)</think>", value, re.DOTALL)
            payload = json.loads(value.replace(thought.group(0), "") if thought else value)
            calls = payload if isinstance(payload, list) else [payload]
            for call in calls:
                assert set(call) == {"name", "arguments"} and isinstance(call["arguments"], dict)
            parsed.append((role, calls))
        else:
            parsed.append((role, value))
    tools = json.loads(row[columns["tools"]])
    for tool in tools:
        assert {"name", "description", "parameters"} <= set(tool) and "properties" in tool["parameters"]
    assert isinstance(row[columns["system"]], str)
    return parsed


def test_llamafactory_export_follows_the_documented_sharegpt_structure(samples, tmp_path: Path) -> None:
    paths = export_samples(samples, "llamafactory", tmp_path, name="hg")
    info = json.loads((tmp_path / "dataset_info.json").read_text(encoding="utf-8"))
    assert set(info) == {"hg_train"}
    entry = info["hg_train"]
    assert entry["formatting"] == "sharegpt"
    assert entry["columns"] == {"messages": "conversations", "system": "system", "tools": "tools"}
    assert (tmp_path / entry["file_name"]) in paths
    rows = json.loads((tmp_path / entry["file_name"]).read_text(encoding="utf-8"))
    assert isinstance(rows, list) and len(rows) == len(samples)
    for sample, row in zip(samples, rows, strict=True):
        parsed = _check_sharegpt_row(row, entry)
        assert [c for role, p in parsed if role == "function_call" for c in p] == [
            {"name": c.name, "arguments": c.arguments} for c in _calls(sample)
        ]
    # parallel calls: one function_call turn with a list, answered by one observation turn
    travel = _check_sharegpt_row(rows[0], entry)
    assert travel[1][0] == "function_call" and len(travel[1][1]) == 2
    assert json.loads(travel[2][1]) == [{"zipcode": "83214"}, {"zipcode": "74532"}]
    assert rows[0]["system"] == samples[0].messages[0].content
    # the recovered tool error reaches the model as an observation
    assert any(role == "observation" and "NotFoundError" in p for role, p in _check_sharegpt_row(rows[1], entry))


def test_llamafactory_reasoning_goes_to_think_blocks_or_is_dropped(samples) -> None:
    kept = llamafactory_rows(samples[:1])[0]["conversations"]
    assert kept[1]["value"].startswith("<think>\nFlights are searched")
    crm = llamafactory_rows(samples[2:])[0]["conversations"]
    assert "Let me find Dana's address first." in crm[1]["value"]  # text beside calls kept in the think block
    dropped = llamafactory_rows(samples, ExportOptions(reasoning="none"))
    assert not any("<think>" in t["value"] for r in dropped for t in r["conversations"])


def test_llamafactory_refuses_a_conversation_that_cannot_alternate(samples) -> None:
    broken = samples[0].model_copy(update={"messages": [Message.user("a"), Message.user("b"), Message.assistant("c")]})
    with pytest.raises(ExportError, match=r"travel-0001: turn 2 is 'human'"):
        llamafactory_rows([broken])


# --- BFCL -------------------------------------------------------------------------------------


def _parse_call(text: str) -> tuple[str, dict[str, Any]]:
    node = ast.parse(text, mode="eval").body
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args
    kwargs: dict[str, Any] = {}
    for kw in node.keywords:
        value = ast.literal_eval(kw.value)
        if kw.arg is None:
            kwargs.update(value)
        else:
            kwargs[kw.arg] = value
    return node.func.id, kwargs


def test_bfcl_ground_truth_parses_back_to_the_gold_calls(samples) -> None:
    rows = bfcl_rows(samples)
    for sample, row in zip(samples, rows, strict=True):
        assert len(row["question"]) == len(sample.gold) == len(row["ground_truth"])
        assert [turn[0]["content"] for turn in row["question"]] == [
            m.content for m in sample.messages if m.role == "user"
        ]
        for turn, calls in zip(sample.gold, row["ground_truth"], strict=True):
            parsed = [_parse_call(c) for c in calls]
            assert parsed == [(s.call.name.replace("-", "_"), s.call.arguments) for s in turn.steps]
        assert set(row["initial_config"]) == set(row["involved_classes"])
        assert len(row["path"]) == sum(len(t.steps) for t in sample.gold)
    travel = rows[0]
    assert travel["involved_classes"] == ["TravelAPI"]
    assert travel["initial_config"]["TravelAPI"] == samples[0].environments[0].initial_state
    doc = next(f for f in travel["function"] if f["name"] == "book_flight")
    assert doc["parameters"]["type"] == "dict" and doc["response"]["properties"]["price"]["type"] == "float"


def test_bfcl_has_no_per_turn_split(samples, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="bfcl"):
        export_samples(samples, "bfcl", tmp_path, split_turns=True)


# --- Hugging Face -----------------------------------------------------------------------------


def test_hf_parquet_round_trips_with_pyarrow(samples, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    export_samples(samples, "hf", tmp_path)
    table = pq.read_table(tmp_path / "data" / "train.parquet")
    assert table.schema.equals(hf_schema())
    rebuilt = [sample_from_hf_row(r) for r in table.to_pylist()]
    assert rebuilt == samples
    first = table.slice(0, 1).to_pylist()[0]
    assert first["domains"] == ["travel"] and first["calls"] == 4 and first["chain_length"] == 4


def test_hf_split_turns_rows_rebuild_prefix_samples(samples, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    export_samples(samples, "hf", tmp_path, split_turns=True)
    rebuilt = [sample_from_hf_row(r) for r in pq.read_table(tmp_path / "data" / "train.parquet").to_pylist()]
    assert rebuilt == [u for s in samples for u in split_assistant_turns(s)]


def test_hf_dataset_card_front_matter_carries_the_run(samples, tmp_path: Path) -> None:
    export_samples(samples, "hf", tmp_path, test_fraction=0.34, rejected=3, license="mit")
    text = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["license"] == "mit"
    assert meta["size_categories"] == ["n<1K"]
    assert "text-generation" in meta["task_categories"] and "tool-use" in meta["tags"]
    files = {d["split"]: d["path"] for d in meta["configs"][0]["data_files"]}
    assert set(files) == {"train", "test"} and all((tmp_path / p).is_file() for p in files.values())
    assert "| yield (kept / verified candidates) | 50.0% |" in text  # 3 kept, 3 rejected
    assert "| travel | 1 |" in text


# --- registry and options ---------------------------------------------------------------------


def test_every_format_writes_files(samples, tmp_path: Path) -> None:
    assert EXPORT_FORMATS == ("openai", "trl", "llamafactory", "bfcl", "hf", "verl")
    for fmt in EXPORT_FORMATS:
        paths = export_samples(samples, fmt, tmp_path / fmt)
        assert paths and all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_unknown_format_and_option_are_clear_errors(samples, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"unknown export format 'oppenai' \(did you mean 'openai'\?\)"):
        export_samples(samples, "oppenai", tmp_path)
    with pytest.raises(ExportError, match="reasonning"):
        export_samples(samples, "openai", tmp_path, reasonning="none")
    with pytest.raises(ExportError, match="test_fraction"):
        export_samples(samples, "openai", tmp_path, test_fraction=1.5)


def test_report_counts_rows_per_split(samples, tmp_path: Path) -> None:
    report = export_with_report(samples, "openai", tmp_path, split_turns=True, test_fraction=0.34)
    assert report.samples == {"train": 2, "test": 1}
    assert sum(report.rows.values()) == sum(1 for s in samples for m in s.messages if m.role == "assistant")
    assert report.split is not None and report.split["shared_advanced_tools"] == 0
    assert json.loads((tmp_path / "split.json").read_text())["test"] == 1
