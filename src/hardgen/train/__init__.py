"""Training on HardGen data: `hardgen train` (SFT with TRL) and the verifier as an RL reward.

- `train_sft(data, model, out, config)`: supervised fine-tuning with TRL's SFTTrainer, full or
  LoRA, loss on assistant turns only, with every check that can be made before training
  (`TrainError` otherwise). Needs `pip install 'hardgen[train]'` (torch, trl, peft, ... imported
  only when training starts).
- `VerifierReward` / `verifier_reward()`: a reward function for TRL's GRPOTrainer; `score_turn`
  scores one completion of one user turn by re-execution; `reward_rows` / `render_prompts` build
  its dataset; `compute_score` is verl's entry point for the `verl` export. No torch needed.
- `TransformersBackend`: a checkpoint as an in-process chat backend, to evaluate small models with
  `hardgen eval` / `hardgen loop` without a server.
- `SftLoopStep`: `hardgen train` as the training step of `hardgen loop --train sft`.
- `build_tiny_model`: a tiny random-weight tool-calling model with a locally trained tokenizer.
"""

from hardgen.train._backend import TransformersBackend
from hardgen.train._config import AdapterSettings, TrainConfig, TrainError, default_train_config, load_train_config
from hardgen.train._data import TrainingData, load_training_data
from hardgen.train._loop_step import SftLoopStep
from hardgen.train._reward import (
    SAMPLE_COLUMN,
    TURN_COLUMN,
    TurnScore,
    VerifierReward,
    candidate_turn,
    compute_score,
    gold_completion,
    render_prompts,
    reward_rows,
    score_turn,
    verifier_reward,
)
from hardgen.train._sft import TRAIN_RECORD, TrainResult, last_checkpoint, require_training, train_sft
from hardgen.train._tiny import build_tiny_model, tool_chat_template

__all__ = [
    "SAMPLE_COLUMN",
    "TRAIN_RECORD",
    "TURN_COLUMN",
    "AdapterSettings",
    "SftLoopStep",
    "TrainConfig",
    "TrainError",
    "TrainResult",
    "TrainingData",
    "TransformersBackend",
    "TurnScore",
    "VerifierReward",
    "build_tiny_model",
    "candidate_turn",
    "compute_score",
    "default_train_config",
    "gold_completion",
    "last_checkpoint",
    "load_train_config",
    "load_training_data",
    "render_prompts",
    "require_training",
    "reward_rows",
    "score_turn",
    "tool_chat_template",
    "train_sft",
    "verifier_reward",
]
