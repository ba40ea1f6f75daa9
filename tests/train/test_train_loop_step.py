"""`hardgen train` as the loop's training step: each round trains on from the last checkpoint and
hands back the checkpoint to evaluate (in-process, or loaded into a vLLM-style server)."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from hardgen.schema import Sample

_MISSING = [m for m in ("torch", "transformers", "trl", "datasets", "accelerate", "peft") if find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"needs {', '.join(_MISSING)}: pip install torch==2.13.0 "
                                                       "&& pip install -e '.[train]'")

FAST = {"sft.max_steps": 2, "sft.gradient_accumulation_steps": 1, "sft.learning_rate": 3e-3, "sft.warmup_steps": 0,
        "sft.disable_tqdm": True, "sft.save_strategy": "no", "adapter.learning_rate": 3e-3}


def test_rounds_train_on_from_the_last_adapter_and_evaluate_it(small_run: Path, small_samples: list[Sample],
                                                                tiny_model: Path, tmp_path: Path) -> None:
    from hardgen.evaluate import evaluate_samples
    from hardgen.train import SftLoopStep, TransformersBackend, load_train_config

    step = SftLoopStep(tiny_model, load_train_config(overrides={"lora": True, **FAST}), max_new_tokens=8)
    data = small_run / "samples.jsonl"
    first, backend = asyncio.run(step(1, data, tmp_path / "round-1"))
    assert first.model == str(tiny_model) and first.steps == 2
    assert (tmp_path / "round-1" / "model" / "adapter_config.json").is_file()
    assert isinstance(backend, TransformersBackend) and backend.model == first.checkpoint
    second, _ = asyncio.run(step(2, data, tmp_path / "round-2"))
    assert second.model == first.checkpoint  # round 2 goes on training round 1's adapter
    record = json.loads((tmp_path / "round-2" / "model" / "hardgen_train.json").read_text())
    assert record["model"] == first.checkpoint and record["config"]["lora"] is True
    # The checkpoint is a working agent backend (a random model: it answers, it does not pass).
    evaluation = asyncio.run(evaluate_samples(backend, small_samples[:1], concurrency=1, seed=0))
    assert evaluation.errors == 0 and len(evaluation.results) == 1 and evaluation.accuracy == 0.0


class _Server(BaseHTTPRequestHandler):
    loaded: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ok = self.path == "/v1/load_lora_adapter" and Path(body["lora_path"]).is_dir()
        type(self).loaded.append(body)
        self.send_response(200 if ok else 400)
        self.end_headers()
        self.wfile.write(b"ok" if ok else b"no such adapter")

    def log_message(self, *args: Any) -> None:
        pass


def test_server_evaluation_loads_each_rounds_adapter(tmp_path: Path) -> None:
    from hardgen.train import SftLoopStep, TrainError, load_train_config

    server = HTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        with pytest.raises(TrainError, match="use --lora"):
            SftLoopStep("m", load_train_config(), base_url=url)
        step = SftLoopStep("m", load_train_config(overrides={"lora": True}), base_url=url)
        adapter = tmp_path / "model"
        adapter.mkdir()
        backend = asyncio.run(step._backend(3, adapter))
        assert backend.model == "hardgen-round-3"
        assert _Server.loaded[-1] == {"lora_name": "hardgen-round-3", "lora_path": str(adapter.resolve())}
        with pytest.raises(TrainError, match="did not load the adapter"):
            asyncio.run(step._backend(4, tmp_path / "missing"))
    finally:
        server.shutdown()
