"""A local checkpoint as a chat backend, in-process with transformers: for evaluating small models
(`hardgen loop --train sft`, tests) without starting a server. Bigger models belong behind an
OpenAI-compatible server (vLLM; see the README), which `hardgen eval --base-url` talks to.

The prompt is the model's own chat template with the request's tools passed as tools; decoding is
greedy (sampling when `temperature` > 0); the reply is read with HardGen's parsers, like a
server's text reply. One generation runs at a time (a lock), off the event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from hardgen.export import ExportOptions, trl_message, trl_tool
from hardgen.llm import ChatRequest, ChatResponse, Usage, parse_assistant_output


class TransformersBackend:
    """`Backend` over a transformers causal LM (a model directory or a LoRA adapter directory)."""

    name = "transformers"

    def __init__(self, model: str | Path, *, max_new_tokens: int = 256, device: str | None = None) -> None:
        from hardgen.train._sft import _load_model, check_model_path, load_tokenizer, require_training

        require_training(lora=(Path(model) / "adapter_config.json").is_file())
        check_model_path(str(model))
        self.model: str | None = str(model)
        self.tokenizer: Any = load_tokenizer(str(model))
        self._net: Any = _load_model(str(model))
        if device is not None:
            self._net.to(device)
        self._net.eval()
        self.max_new_tokens = max_new_tokens
        self._lock = threading.Lock()

    def _generate(self, request: ChatRequest) -> tuple[str, int, int]:
        import torch

        options = ExportOptions()
        messages = [trl_message(m, options) for m in request.messages]
        tools = [trl_tool(t) for t in request.tools or []] or None
        ids = self.tokenizer.apply_chat_template(messages, tools=tools, add_generation_prompt=True, tokenize=True,
                                                 return_dict=True, return_tensors="pt")
        ids = {k: v.to(self._net.device) for k, v in ids.items()}
        sample = bool(request.temperature and request.temperature > 0)
        with self._lock, torch.no_grad():
            if request.seed is not None:
                torch.manual_seed(request.seed)
            output = self._net.generate(**ids, max_new_tokens=request.max_tokens or self.max_new_tokens,
                                        do_sample=sample, temperature=request.temperature if sample else None,
                                        top_p=request.top_p if sample else None,
                                        pad_token_id=self.tokenizer.pad_token_id)
        prompt_len = ids["input_ids"].shape[1]
        new = output[0, prompt_len:]
        return self.tokenizer.decode(new, skip_special_tokens=False), prompt_len, int(new.shape[0])

    async def complete(self, request: ChatRequest) -> ChatResponse:
        clock = time.perf_counter()
        text, prompt_tokens, completion_tokens = await asyncio.to_thread(self._generate, request)
        for marker in (self.tokenizer.eos_token, self.tokenizer.pad_token):
            if marker:
                text = text.split(marker)[0]
        names = [t.name for t in request.tools or []]
        message, errors = parse_assistant_output(text, tool_names=names)
        return ChatResponse(message=message, finish_reason="tool_calls" if message.tool_calls else "stop",
                            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
                            latency_s=time.perf_counter() - clock, model=self.model, parse_errors=errors)
