"""The verifier reward inside TRL's GRPOTrainer: two steps with the tiny model on CPU."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest

from hardgen.schema import Sample

_MISSING = [m for m in ("torch", "transformers", "trl", "datasets", "accelerate") if find_spec(m) is None]
pytestmark = pytest.mark.skipif(bool(_MISSING), reason=f"needs {', '.join(_MISSING)}: pip install torch==2.13.0 "
                                                       "&& pip install -e '.[train]'")


def test_two_grpo_steps_with_the_verifier_reward(small_samples: list[Sample], tiny_model: Path,
                                                 tmp_path: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from hardgen.train import SAMPLE_COLUMN, TURN_COLUMN, VerifierReward, render_prompts, reward_rows

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    rows = render_prompts(reward_rows(small_samples[:2]), tokenizer)
    assert all(r["prompt"].endswith("<|im_start|>assistant\n") and "<tools>" in r["prompt"] for r in rows)
    dataset = Dataset.from_list([{k: r[k] for k in ("prompt", SAMPLE_COLUMN, TURN_COLUMN)} for r in rows])
    reward = VerifierReward()
    args = GRPOConfig(output_dir=str(tmp_path / "grpo"), max_steps=2, per_device_train_batch_size=2,
                      num_generations=2, max_completion_length=8, learning_rate=1e-4, logging_steps=1,
                      report_to="none", save_strategy="no", bf16=False, use_cpu=True, disable_tqdm=True, seed=0)
    trainer = GRPOTrainer(model=AutoModelForCausalLM.from_pretrained(tiny_model), reward_funcs=[reward], args=args,
                          train_dataset=dataset, processing_class=tokenizer)
    trainer.train()
    assert trainer.state.global_step == 2
    assert reward.calls >= 2
    # A random model writes no valid turn: every completion was scored, none passed.
    assert reward.last_scores and all(s.score == 0.0 and not s.passed for s in reward.last_scores)
    logged = [h for h in trainer.state.log_history if "rewards/hardgen_verifier/mean" in h]
    assert len(logged) == 2 and all(h["rewards/hardgen_verifier/mean"] == 0.0 for h in logged)
