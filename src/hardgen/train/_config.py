"""The training config: `defaults.yaml` beside this file, a user's file merged over it, then overrides."""

from __future__ import annotations

import copy
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hardgen.errors import ConfigError, HardGenError
from hardgen.pipeline._config import set_dotted


class TrainError(HardGenError):
    """Training cannot start (bad input, a missing dependency, a model or tokenizer it cannot use),
    or stopped (out of memory)."""


class AdapterSettings(BaseModel):
    """LoRA settings (used with `lora: true`)."""

    model_config = ConfigDict(extra="forbid")

    r: int = Field(default=16, ge=1)
    lora_alpha: int = Field(default=32, ge=1)
    lora_dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: str | list[str] = "all-linear"
    """`all-linear`, module names, or a regular expression over full module names (PEFT's rules); a
    target that matches no module of the model is an error."""
    learning_rate: float | None = Field(default=1e-4, gt=0.0)
    """Replaces `sft.learning_rate` when LoRA is on (None: keep it)."""


class TrainConfig(BaseModel):
    """The resolved config of a `hardgen train` run (written beside the checkpoint)."""

    model_config = ConfigDict(extra="forbid")

    rows: Literal["conversation", "turns"] = "conversation"
    """`conversation`: one row per sample, loss on every assistant message (TRL's
    `assistant_only_loss`); `turns`: one prompt/completion row per assistant message."""
    reasoning: Literal["field", "inline", "none"] = "field"
    lora: bool = False
    adapter: AdapterSettings = Field(default_factory=AdapterSettings)
    sft: dict[str, Any] = Field(default_factory=dict)
    """Fields of `trl.SFTConfig` (checked against it when training starts)."""


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def default_train_config() -> dict[str, Any]:
    """The shipped defaults as a dict."""
    text = resources.files("hardgen.train").joinpath("defaults.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def _parse_value(raw: str) -> Any:
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def load_train_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None,
                      sets: list[str] | None = None) -> TrainConfig:
    """Defaults, merged with the YAML file at `path`, then `overrides` (dotted keys, e.g.
    `{"sft.max_steps": 5}`; None values are skipped) and `sets` (`key=value` strings, values
    read as YAML)."""
    data = default_train_config()
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise TrainError(f"training config {p} does not exist")
        try:
            user = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise TrainError(f"training config {p} is not valid YAML: {exc}") from None
        if not isinstance(user, dict):
            raise TrainError(f"training config {p} must be a mapping, got {type(user).__name__}")
        data = _merge(data, user)
    dotted: dict[str, Any] = {k: v for k, v in (overrides or {}).items() if v is not None}
    for item in sets or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise TrainError(f"--set takes key=value, got {item!r}")
        dotted[key.strip()] = _parse_value(raw)
    for key, value in dotted.items():
        try:
            set_dotted(data, key, value)
        except ConfigError as exc:
            raise TrainError(str(exc)) from None
    try:
        return TrainConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'config'}: {e['msg']}" for e in exc.errors())
        raise TrainError(f"invalid training config: {problems}") from None
