"""A tiny tool-calling model built locally: random weights from a config and a BPE tokenizer trained
on the data, with a Hermes/Qwen-style chat template (`<tool_call>` JSON blocks, `<tool_response>`
results, tools listed in the system prompt, `{% generation %}` around assistant messages).

For tests, demos and the offline end-to-end loop: nothing is downloaded. It learns the format of
the data in a few steps and nothing more; it is no agent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from hardgen.export import ExportOptions, trl_rows
from hardgen.schema import Sample

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>",
                  "<tool_response>", "</tool_response>", "<think>", "</think>")


def tool_chat_template() -> str:
    """The tiny model's chat template (`tiny_chat_template.j2` beside this module)."""
    return resources.files("hardgen.train").joinpath("tiny_chat_template.j2").read_text(encoding="utf-8")


def _corpus(samples: Sequence[Sample], template: str) -> list[str]:
    """The samples as the template renders them (what the tokenizer is trained on)."""
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = lambda value, **_: json.dumps(value, ensure_ascii=False)
    # The generation markers are a transformers extension of jinja: plain jinja renders without them.
    compiled = env.from_string(re.sub(r"\{%-?\s*(end)?generation\s*-?%\}", "", template))
    return [compiled.render(messages=row["messages"], tools=row["tools"], add_generation_prompt=False)
            for row in trl_rows(samples, ExportOptions())]


def build_tiny_model(out: str | Path, samples: Sequence[Sample], *, vocab_size: int = 1024, hidden_size: int = 64,
                     layers: int = 2, heads: int = 4, seed: int = 0) -> Path:
    """Write a tiny Qwen2-architecture causal LM with random weights and a tokenizer trained on
    `samples` (rendered with the tool chat template) into `out`; return `out`."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    template = tool_chat_template()
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(_corpus(samples, template), trainer=trainer)
    tokenizer: Any = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                             additional_special_tokens=list(SPECIAL_TOKENS[3:]))
    tokenizer.chat_template = template
    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=max(1, heads // 2),
                         max_position_embeddings=8192, tie_word_embeddings=True,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         bos_token_id=None)
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
