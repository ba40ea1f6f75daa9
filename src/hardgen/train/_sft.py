"""`train_sft`: supervised fine-tuning on HardGen data with TRL's `SFTTrainer`.

What it does, in order:

1. reads the data (`load_training_data`) and the config (`load_train_config`);
2. checks everything that can be known before training, and stops with one clear message when
   something is wrong: the model path exists, the tokenizer has a chat template that renders
   tools (TRL's `supports_tool_calling`), the template can mark assistant tokens for the loss
   (`{% generation %}` markers, or a TRL training template for its family) with `rows:
   conversation`, the data has assistant turns, no row is longer than `sft.max_length` (rows are
   never cut silently), every LoRA target names a module of the model, the SFTConfig fields
   exist, and the weights, gradients and optimizer state fit in the memory there is;
3. trains: the model's own chat template renders each conversation with its tools passed as
   tools; the loss is on assistant tokens only (reasoning and calls: `assistant_only_loss` for
   conversations, the completion for per-turn rows); full fine-tuning or LoRA; progress is the
   Trainer's bar and log; a run whose `--out` already holds checkpoints resumes from the last one;
4. saves the model (or the LoRA adapter) and the tokenizer in `out`, and `hardgen_train.json`
   beside them: the resolved config (HardGen's and TRL's), the data (path, sha256, run ids), the
   base model and the losses.

Running out of memory in training (which cannot always be known before) saves the model as it was
in `out/interrupted/` and raises a TrainError naming it and the last regular checkpoint; the
checkpoints already written are kept, and the same command resumes.

torch, transformers, trl, datasets (and peft for LoRA) are imported here only: `pip install
'hardgen[train]'`, with torch installed for your hardware first (see the README).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field

from hardgen._version import __version__
from hardgen.errors import MissingDependencyError
from hardgen.schema import Record
from hardgen.train._config import TrainConfig, TrainError, load_train_config
from hardgen.train._data import TrainingData, load_training_data

TRAIN_RECORD = "hardgen_train.json"
"""The file beside a checkpoint that says how it was trained."""

_INSTALL = ("pip install 'hardgen[train]' (and torch first: pip install torch --index-url "
            "https://download.pytorch.org/whl/cpu for CPU, or the CUDA build for your GPU; see the README)")


def require_training(*, lora: bool = False) -> None:
    """Raise MissingDependencyError naming what to install when a training dependency is missing."""
    import importlib

    missing = []
    for module in ("torch", "transformers", "trl", "datasets", "accelerate", *(("peft",) if lora else ())):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise MissingDependencyError(f"hardgen train needs {', '.join(missing)}: {_INSTALL}")


class TrainResult(Record):
    """What a training run did (also in `hardgen_train.json`)."""

    out: str
    model: str
    """The model trained (a path or a hub name)."""
    lora: bool
    steps: int = 0
    losses: list[float] = Field(default_factory=list)
    """The training loss at each logging step."""
    resumed_from: str | None = None
    seconds: float = 0.0
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def first_loss(self) -> float | None:
        return self.losses[0] if self.losses else None

    @property
    def last_loss(self) -> float | None:
        return self.losses[-1] if self.losses else None


def _is_adapter(path: Path) -> bool:
    return (path / "adapter_config.json").is_file()


def check_model_path(model: str) -> None:
    """A local path must exist; a hub name (`org/name`) is left to the loader."""
    expanded = Path(model).expanduser()
    if expanded.exists():
        if expanded.is_dir() and not any((expanded / f).exists() for f in ("config.json", "adapter_config.json")):
            raise TrainError(f"model directory {model} has neither config.json nor adapter_config.json: "
                             "not a transformers model or a LoRA adapter")
        return
    hub_name = re.fullmatch(r"[\w.\-]+(/[\w.\-]+)?", model) is not None
    # `runs/my-model` is a path when `runs` is a local directory, whatever it looks like.
    if model.startswith((".", "/", "~")) or not hub_name or Path(model.split("/")[0]).is_dir():
        raise TrainError(f"model path {model} does not exist")


def load_tokenizer(model: str) -> Any:
    """The tokenizer of `model` (of its base model for a LoRA adapter without its own)."""
    from transformers import AutoTokenizer

    path = Path(model).expanduser()
    try:
        return AutoTokenizer.from_pretrained(str(path) if path.exists() else model)
    except (OSError, ValueError) as exc:
        if path.exists() and _is_adapter(path):
            base = json.loads((path / "adapter_config.json").read_text(encoding="utf-8")).get("base_model_name_or_path")
            if base:
                return AutoTokenizer.from_pretrained(base)
        raise TrainError(f"cannot load the tokenizer of {model}: {str(exc).splitlines()[0]}") from None


def check_tokenizer(tokenizer: Any, model: str, rows: str) -> str | None:
    """Check the chat template; return the training template TRL will swap in (None: the model's own).

    Raises TrainError for a tokenizer without a chat template, one whose template does not render
    tool calls and tool results, or (`rows == "conversation"`) one whose assistant tokens cannot be
    marked."""
    from trl.chat_template_utils import get_training_chat_template, has_generation_markers, supports_tool_calling

    if not getattr(tokenizer, "chat_template", None):
        raise TrainError(f"the tokenizer of {model} has no chat template: HardGen trains with the model's own chat "
                         "template (give a chat/instruct model, or set tokenizer.chat_template and save it)")
    if not supports_tool_calling(tokenizer):
        raise TrainError(f"the chat template of {model} does not render tool calls and tool results (no tool "
                         "support): the tool-use conversations would lose their calls; use a model whose template "
                         "takes `tools` and `tool_calls`")
    if rows == "conversation" and not has_generation_markers(tokenizer.chat_template):
        try:
            return get_training_chat_template(tokenizer)
        except ValueError:
            raise TrainError(f"the chat template of {model} has no {{% generation %}} markers and TRL has no "
                             "training template for it, so assistant tokens cannot be told apart: train with "
                             "`rows: turns` (one prompt/completion row per assistant turn, any template) or add "
                             "the markers to the template") from None
    return None


def check_lengths(tokenizer: Any, rows: Sequence[dict[str, Any]], max_length: int | None,
                  chat_template: str | None = None) -> list[int]:
    """Token counts of the rows as rendered; TrainError when one is over `max_length`."""
    lengths = []
    for row in rows:
        messages = row["messages"] if "messages" in row else [*row["prompt"], *row["completion"]]
        ids = tokenizer.apply_chat_template(messages, tools=row.get("tools") or None, tokenize=True,
                                            chat_template=chat_template, return_dict=False)
        if isinstance(ids, dict) or hasattr(ids, "keys"):
            ids = ids["input_ids"]
        lengths.append(len(ids))
    if max_length is not None:
        over = [n for n in lengths if n > max_length]
        if over:
            raise TrainError(f"{len(over)} of {len(lengths)} rows are longer than sft.max_length={max_length} tokens "
                             f"(the longest {max(over)}): raise sft.max_length, or use `rows: turns` for shorter "
                             "rows; HardGen does not cut conversations")
    return lengths


def check_lora_targets(model: Any, targets: str | list[str]) -> None:
    """Every LoRA target must match a module, by PEFT's rules: a list names modules (the full name or
    its last parts), a string is a regular expression the full name must match."""
    names = [n for n, _ in model.named_modules() if n]
    if isinstance(targets, str):
        if targets == "all-linear":
            return
        if not any(re.fullmatch(targets, n) for n in names):
            raise TrainError(f"LoRA target_modules {targets!r} is a string, which PEFT reads as a regular expression "
                             f"over full module names (such as {max(names, key=len)!r}), and it matches none: give a list "
                             f"of module names (e.g. [{targets}]) or a pattern such as '.*{targets}'")
        return
    else:
        unmatched = [t for t in targets if not any(n == t or n.endswith("." + t) for n in names)]
    if unmatched:
        import torch

        linear = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules() if isinstance(m, torch.nn.Linear)})
        raise TrainError(f"LoRA target(s) {', '.join(unmatched)} match no module of the model; its linear modules "
                         f"are: {', '.join(linear)} (or use target_modules: all-linear)")


def _available_memory() -> tuple[float, str]:
    import torch

    if torch.cuda.is_available():
        free, _ = torch.cuda.mem_get_info()
        return float(free), "free GPU memory"
    try:
        import psutil

        return float(psutil.virtual_memory().available), "available RAM"
    except ImportError:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")), "available RAM"


def check_memory(model: Any, lora: bool, trainable: int | None = None,
                 available: Callable[[], tuple[float, str]] | None = None) -> float:
    """Bytes the weights, gradients and AdamW state need (activations not counted); TrainError when
    that alone is over the memory there is."""
    params = sum(p.numel() for p in model.parameters())
    size = next(iter(model.parameters())).element_size()
    train = trainable if trainable is not None else (0 if lora else params)
    need = params * size + train * (4 + 8)  # fp32 gradients and the two AdamW moments
    have, what = (available or _available_memory)()
    if need > have:
        gib = 1 << 30
        raise TrainError(f"training needs at least {need / gib:.1f} GiB for weights, gradients and optimizer state "
                         f"({params / 1e6:.0f}M parameters), but only {have / gib:.1f} GiB of {what} is left: use "
                         "--lora, a smaller model, or more memory")
    return need


def _sft_config(config: TrainConfig, out: Path, rows_shape: str) -> Any:
    from trl import SFTConfig

    known = {f.name for f in dataclasses.fields(SFTConfig)}
    unknown = sorted(set(config.sft) - known)
    if unknown:
        raise TrainError(f"unknown sft option(s) {', '.join(unknown)}: the sft section takes trl.SFTConfig fields")
    kwargs = dict(config.sft)
    if config.lora and config.adapter.learning_rate is not None:
        kwargs["learning_rate"] = config.adapter.learning_rate
    kwargs["output_dir"] = str(out)
    if "bf16" not in kwargs and "fp16" not in kwargs:
        import torch

        # TRL turns bf16 on by default, which fails where there is no bf16 GPU: decide by the hardware.
        kwargs["bf16"] = bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if rows_shape == "conversation":
        kwargs["assistant_only_loss"] = True
    else:
        kwargs["completion_only_loss"] = True
    try:
        return SFTConfig(**kwargs)
    except (TypeError, ValueError) as exc:
        raise TrainError(f"invalid sft options: {exc}") from None


def _empty_model(model: str) -> Any:
    """The model's architecture on the meta device (no memory), to count its parameters."""
    from accelerate import init_empty_weights
    from transformers import AutoConfig, AutoModelForCausalLM

    path = Path(model).expanduser()
    try:
        config = AutoConfig.from_pretrained(str(path) if path.exists() else model)
    except (OSError, ValueError) as exc:
        raise TrainError(f"cannot load the model {model}: {str(exc).splitlines()[0]}") from None
    with init_empty_weights():
        return AutoModelForCausalLM.from_config(config, dtype=getattr(config, "dtype", None))


def _load_model(model: str) -> Any:
    from transformers import AutoModelForCausalLM

    path = Path(model).expanduser()
    source = str(path) if path.exists() else model
    try:
        if path.exists() and _is_adapter(path):
            from peft import AutoPeftModelForCausalLM

            # Going on from an adapter (a previous round of the loop): keep training it.
            return AutoPeftModelForCausalLM.from_pretrained(source, is_trainable=True)
        return AutoModelForCausalLM.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise TrainError(f"cannot load the model {model}: {str(exc).splitlines()[0]}") from None


def last_checkpoint(out: Path) -> Path | None:
    """The newest `checkpoint-N` directory in `out`, if any."""
    found = [(int(m.group(1)), p) for p in out.glob("checkpoint-*") if (m := re.fullmatch(r"checkpoint-(\d+)", p.name))]
    return max(found)[1] if found else None


def _is_oom(exc: BaseException) -> bool:
    import torch

    return isinstance(exc, torch.OutOfMemoryError) or (isinstance(exc, RuntimeError) and "out of memory" in str(exc))


def train_sft(
    data: str | Path | TrainingData,
    model: str | Path,
    out: str | Path,
    config: TrainConfig | None = None,
    *,
    resume: bool = True,
    callbacks: Sequence[Any] = (),
) -> TrainResult:
    """Fine-tune `model` on `data` into `out` (module docstring) and return what happened."""
    config = config or load_train_config()
    model = str(model)
    require_training(lora=config.lora)
    check_model_path(model)
    training = data if isinstance(data, TrainingData) else load_training_data(data, config)
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise TrainError(f"--out {out_dir} is a file")

    tokenizer = load_tokenizer(model)
    chat_template = check_tokenizer(tokenizer, model, training.shape)
    max_length = config.sft.get("max_length", 1024)
    check_lengths(tokenizer, training.rows, max_length, chat_template)
    sft_args = _sft_config(config, out_dir, training.shape)
    adapted = Path(model).expanduser().exists() and _is_adapter(Path(model).expanduser())
    if config.lora and not adapted:
        require_training(lora=True)
    peft_config = None
    if not adapted:
        # Before loading, on the architecture alone: a model too big for the memory would take the
        # process down while loading, and a LoRA target is a module name.
        skeleton = _empty_model(model)
        check_memory(skeleton, config.lora)
        if config.lora:
            check_lora_targets(skeleton, config.adapter.target_modules)
    net = _load_model(model)
    if config.lora and not adapted:
        from peft import LoraConfig

        peft_config = LoraConfig(r=config.adapter.r, lora_alpha=config.adapter.lora_alpha,
                                 lora_dropout=config.adapter.lora_dropout,
                                 target_modules=config.adapter.target_modules, task_type="CAUSAL_LM")
    check_memory(net, config.lora or adapted)  # the model as loaded (its real dtype)

    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import SFTTrainer

    losses: list[float] = []

    class _Losses(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None,
                   **kwargs: Any) -> None:
            if logs and "loss" in logs:
                losses.append(float(logs["loss"]))

    dataset = Dataset.from_list(training.rows, on_mixed_types="use_json")
    try:
        trainer = SFTTrainer(model=net, args=sft_args, train_dataset=dataset, processing_class=tokenizer,
                             peft_config=peft_config, callbacks=[_Losses(), *callbacks])
    except ValueError as exc:
        raise TrainError(f"TRL refused the training setup: {exc}") from None
    resume_from = last_checkpoint(out_dir) if resume and out_dir.is_dir() else None
    clock = time.perf_counter()
    try:
        trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    except BaseException as exc:
        if not _is_oom(exc):
            raise
        kept = _save_interrupted(trainer, out_dir)
        last = last_checkpoint(out_dir)
        raise TrainError(f"out of memory at step {trainer.state.global_step}: the model as it was is saved in {kept}"
                         + (f"; the last checkpoint is {last}, and the same command resumes from it" if last else "")
                         + "; lower sft.per_device_train_batch_size or sft.max_length, keep "
                         "sft.activation_checkpointing on (TRL's default), or use --lora") from None
    seconds = time.perf_counter() - clock
    trainer.save_model(str(out_dir))
    tokenizer.save_pretrained(str(out_dir))
    result = TrainResult(out=str(out_dir), model=model, lora=config.lora or adapted, steps=trainer.state.global_step,
                         losses=losses, resumed_from=str(resume_from) if resume_from else None,
                         seconds=round(seconds, 3), data=training.describe())
    record = {"hardgen_version": __version__, "model": model, "config": config.model_dump(mode="json"),
              "sft_config": json.loads(sft_args.to_json_string()), "data": training.describe(),
              "result": result.model_dump(mode="json")}
    (out_dir / TRAIN_RECORD).write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    return result


def _save_interrupted(trainer: Any, out: Path) -> Path:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    kept = out / "interrupted"
    trainer.save_model(str(kept))
    trainer.state.save_to_json(str(kept / "trainer_state.json"))
    return kept
