"""`hardgen train` on a tiny random-weight model: the loss falls, only assistant tokens carry loss,
checkpoints and LoRA adapters load back, and bad input stops before training."""

from __future__ import annotations

import json
import re
import shutil
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hardgen.cli._app import app
from hardgen.export import ExportOptions, trl_rows
from hardgen.schema import Sample

_MISSING = [m for m in ("torch", "transformers", "trl", "datasets", "accelerate", "peft") if find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"needs {', '.join(_MISSING)}: pip install torch==2.13.0 "
                                                       "&& pip install -e '.[train]'")

FAST = {"sft.max_steps": 4, "sft.gradient_accumulation_steps": 1, "sft.learning_rate": 3e-3,
        "sft.warmup_steps": 0, "sft.disable_tqdm": True}


def _config(**extra: Any) -> Any:
    from hardgen.train import load_train_config

    return load_train_config(overrides={**FAST, **extra})


def test_hardgen_train_loss_falls_and_checkpoint_loads(small_run: Path, tiny_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "ckpt"
    sets = [f"--set={k}={v}" for k, v in FAST.items()]
    result = CliRunner().invoke(app, ["train", str(small_run), "--model", str(tiny_model), "--out", str(out),
                                      "--json", *sets])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    losses = report["losses"]
    assert report["steps"] == 4 and len(losses) == 4
    assert losses[-1] < losses[0], losses
    record = json.loads((out / "hardgen_train.json").read_text())
    assert record["data"]["run_ids"] == [small_run.name] and record["config"]["rows"] == "conversation"
    assert record["sft_config"]["assistant_only_loss"] is True and record["sft_config"]["packing"] is False

    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(out)
    tokenizer = AutoTokenizer.from_pretrained(out)
    assert tokenizer.chat_template and model.config.num_hidden_layers == 2
    ids = tokenizer("<|im_start|>user\nhi<|im_end|>", return_tensors="pt")
    assert model.generate(**ids, max_new_tokens=3, do_sample=False).shape[1] > ids["input_ids"].shape[1]


def test_only_assistant_tokens_carry_loss(small_run: Path, small_samples: list[Sample], tiny_model: Path,
                                          tmp_path: Path) -> None:
    from transformers import AutoTokenizer, TrainerCallback

    from hardgen.train import train_sft

    seen: list[dict[str, Any]] = []

    class Batches(TrainerCallback):  # type: ignore[misc]
        def on_train_begin(self, args: Any, state: Any, control: Any, train_dataloader: Any = None,
                           **kwargs: Any) -> None:
            seen.extend(list(train_dataloader))

    train_sft(small_run, tiny_model, tmp_path / "masks", _config(**{"sft.max_steps": 1}), callbacks=[Batches()])
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    rows = {len(tokenizer.apply_chat_template(r["messages"], tools=r["tools"], tokenize=False)): r
            for r in trl_rows(small_samples, ExportOptions())}
    assert seen
    checked = 0
    for batch in seen:
        for ids, labels in zip(batch["input_ids"], batch["labels"], strict=True):
            text = tokenizer.decode(ids[ids != tokenizer.pad_token_id])
            trained = tokenizer.decode(ids[labels != -100])
            # What the loss is on: exactly the assistant messages as the chat template renders them.
            expected = "".join(re.findall(r"<\|im_start\|>assistant\n(.*?<\|im_end\|>)", text, flags=re.DOTALL))
            assert trained == expected
            assert "<tool_call>" in trained and "<tool_response>" not in trained and "# Tools" not in trained
            row = rows[len(text)]
            assert not any(m["content"] and m["content"] in trained for m in row["messages"] if m["role"] != "assistant")
            checked += 1
    assert checked == len(small_samples)


def test_per_turn_rows_carry_loss_on_their_turn_only(small_run: Path, tiny_model: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer, TrainerCallback

    from hardgen.train import train_sft

    seen: list[dict[str, Any]] = []

    class Batches(TrainerCallback):  # type: ignore[misc]
        def on_train_begin(self, args: Any, state: Any, control: Any, train_dataloader: Any = None,
                           **kwargs: Any) -> None:
            seen.extend(list(train_dataloader))

    result = train_sft(small_run, tiny_model, tmp_path / "turns", _config(rows="turns", **{"sft.max_steps": 1}),
                       callbacks=[Batches()])
    assert result.data["shape"] == "turns" and result.data["rows"] > result.data["samples"]
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    for batch in seen:
        for ids, labels in zip(batch["input_ids"], batch["labels"], strict=True):
            text = tokenizer.decode(ids[ids != tokenizer.pad_token_id])
            turns = re.findall(r"<\|im_start\|>assistant\n(.*?<\|im_end\|>)", text, flags=re.DOTALL)
            # Earlier assistant turns are context; the loss is on the row's own (last) turn.
            assert tokenizer.decode(ids[labels != -100]).rstrip("\n") == turns[-1]


def test_lora_adapter_trains_and_loads(small_run: Path, tiny_model: Path, tmp_path: Path) -> None:
    from hardgen.train import TransformersBackend, train_sft

    out = tmp_path / "lora"
    config = _config(lora=True, **{"adapter.target_modules": ["q_proj", "v_proj"], "adapter.learning_rate": 3e-3,
                                   "sft.max_steps": 3})
    result = train_sft(small_run, tiny_model, out, config)
    assert result.lora and result.steps == 3 and (out / "adapter_config.json").is_file()
    assert not (out / "model.safetensors").exists()
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    loaded = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model), out)
    assert any("lora_A" in n for n, _ in loaded.named_parameters())
    backend = TransformersBackend(out, max_new_tokens=4)  # the in-process evaluation path
    assert backend.tokenizer.chat_template


def test_bad_input_stops_before_training(small_run: Path, small_samples: list[Sample], tiny_model: Path,
                                         tmp_path: Path) -> None:
    from hardgen.train import TrainError, train_sft
    from hardgen.train._sft import check_memory

    with pytest.raises(TrainError, match="does not exist"):
        train_sft(small_run, tmp_path / "no-such-model", tmp_path / "a", _config())

    plain = tmp_path / "plain"
    shutil.copytree(tiny_model, plain)
    (plain / "chat_template.jinja").unlink(missing_ok=True)
    settings = json.loads((plain / "tokenizer_config.json").read_text())
    settings.pop("chat_template", None)
    (plain / "tokenizer_config.json").write_text(json.dumps(settings))
    with pytest.raises(TrainError, match="no chat template"):
        train_sft(small_run, plain, tmp_path / "b", _config())

    (plain / "chat_template.jinja").write_text(
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}")
    with pytest.raises(TrainError, match="no tool support"):
        train_sft(small_run, plain, tmp_path / "c", _config())

    silent = tmp_path / "silent.jsonl"
    silent.write_text("".join(s.model_copy(update={"messages": [m for m in s.messages if m.role != "assistant"]})
                              .model_dump_json() + "\n" for s in small_samples))
    with pytest.raises(TrainError, match="no assistant turns"):
        train_sft(silent, tiny_model, tmp_path / "d", _config())

    with pytest.raises(TrainError, match=r"match no module.*q_proj"):
        train_sft(small_run, tiny_model, tmp_path / "e", _config(lora=True, **{"adapter.target_modules": ["qkv"]}))

    from hardgen.train._sft import _empty_model, check_lora_targets

    skeleton = _empty_model(str(tiny_model))  # PEFT's rules: a string is a pattern over full names
    check_lora_targets(skeleton, r".*\.(q|v)_proj")
    with pytest.raises(TrainError, match="regular expression"):
        check_lora_targets(skeleton, "q_proj")

    with pytest.raises(TrainError, match=r"longer than sft\.max_length=64"):
        train_sft(small_run, tiny_model, tmp_path / "f", _config(**{"sft.max_length": 64}))

    with pytest.raises(TrainError, match="unknown sft option"):
        train_sft(small_run, tiny_model, tmp_path / "g", _config(**{"sft.lerning_rate": 1e-5}))

    import hardgen.train._sft as sft

    with pytest.MonkeyPatch.context() as patch:  # a machine with 1 KiB free: stopped before the model is loaded
        patch.setattr(sft, "_available_memory", lambda: (1024.0, "available RAM"))
        patch.setattr(sft, "_load_model", lambda model: pytest.fail("loaded a model that cannot fit"))
        with pytest.raises(TrainError, match=r"needs at least .* GiB of available RAM is left: use --lora"):
            train_sft(small_run, tiny_model, tmp_path / "h", _config())
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    assert check_memory(model, lora=False, available=lambda: (1e12, "available RAM")) > 0
    assert not any((tmp_path / d).exists() and any((tmp_path / d).iterdir()) for d in "abcdefgh")


def test_out_of_memory_keeps_a_checkpoint(small_run: Path, tiny_model: Path, tmp_path: Path) -> None:
    import torch
    from transformers import TrainerCallback

    from hardgen.train import TrainError, last_checkpoint, train_sft

    class RunsOut(TrainerCallback):  # type: ignore[misc]
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if state.global_step == 2:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    out = tmp_path / "oom"
    config = _config(**{"sft.save_strategy": "steps", "sft.save_steps": 1})
    with pytest.raises(TrainError, match="out of memory at step 2") as caught:
        train_sft(small_run, tiny_model, out, config, callbacks=[RunsOut()])
    assert "interrupted" in str(caught.value) and (out / "interrupted" / "model.safetensors").is_file()
    assert last_checkpoint(out) == out / "checkpoint-1"
    # The same command goes on from the checkpoint.
    result = train_sft(small_run, tiny_model, out, _config(**{"sft.max_steps": 2}))
    assert result.resumed_from == str(out / "checkpoint-1") and result.steps == 2
