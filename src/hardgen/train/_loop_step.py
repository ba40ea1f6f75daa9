"""`hardgen train` as the training step of `hardgen loop` (`--train sft`).

Round 1 fine-tunes the base model on round 1's samples; every later round goes on from the previous
round's checkpoint (a full model, or a LoRA adapter that keeps training) on its own new samples. The
checkpoint of round r is `OUT/round-r/model` (with `hardgen_train.json`). The round then evaluates
that checkpoint: in-process with transformers (`TransformersBackend`, for small models), or through
an OpenAI-compatible server the user started (`base_url`): a vLLM server started with
`--enable-lora` and `VLLM_ALLOW_RUNTIME_LORA_UPDATING=True` is told to load each round's adapter
(`POST /v1/load_lora_adapter`, name `hardgen-round-r`), which is then the model evaluated.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from hardgen.evaluate._loop import ModelTraining
from hardgen.llm import Backend
from hardgen.train._config import TrainConfig, TrainError
from hardgen.train._sft import train_sft


class SftLoopStep:
    """A `ModelTrainStep` for `run_loop(train_step=...)`."""

    def __init__(self, base_model: str | Path, config: TrainConfig, *, base_url: str | None = None,
                 max_new_tokens: int = 256) -> None:
        if base_url is not None and not config.lora:
            raise TrainError("evaluating through a server loads each round's LoRA adapter into it: use --lora (a "
                             "fully fine-tuned checkpoint needs the server restarted on it: use --train-hook)")
        self.current = str(base_model)
        self.config = config
        self.base_url = base_url
        self.max_new_tokens = max_new_tokens

    async def __call__(self, round_number: int, data: Path, run_dir: Path) -> tuple[ModelTraining, Backend]:
        out = run_dir / "model"
        start = self.current
        result = await asyncio.to_thread(train_sft, data, start, out, self.config)
        self.current = str(out)
        record = ModelTraining(model=start, checkpoint=str(out), steps=result.steps, first_loss=result.first_loss,
                               last_loss=result.last_loss, seconds=result.seconds)
        return record, await self._backend(round_number, out)

    async def _backend(self, round_number: int, checkpoint: Path) -> Backend:
        if self.base_url is None:
            from hardgen.train._backend import TransformersBackend

            return TransformersBackend(checkpoint, max_new_tokens=self.max_new_tokens)
        import httpx

        from hardgen.llm import OpenAICompatibleBackend

        name = f"hardgen-round-{round_number}"
        root = self.base_url.rstrip("/").removesuffix("/v1")
        async with httpx.AsyncClient(timeout=120) as client:
            reply = await client.post(f"{root}/v1/load_lora_adapter",
                                      json={"lora_name": name, "lora_path": str(checkpoint.resolve())})
        if reply.status_code != 200:
            raise TrainError(f"the server at {self.base_url} did not load the adapter {checkpoint} "
                             f"(HTTP {reply.status_code}: {reply.text[:300]}); start vLLM with --enable-lora and "
                             "VLLM_ALLOW_RUNTIME_LORA_UPDATING=True")
        return OpenAICompatibleBackend(base_url=self.base_url, model=name)
