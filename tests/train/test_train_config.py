"""The training config (shipped defaults, a user's file, overrides) and the missing-dependency message."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from hardgen.errors import MissingDependencyError
from hardgen.train import TrainError, default_train_config, load_train_config, require_training


def test_defaults_are_a_published_tool_use_recipe() -> None:
    config = load_train_config()
    assert config.rows == "conversation" and not config.lora
    assert config.sft["learning_rate"] == 1e-5 and config.sft["num_train_epochs"] == 3
    assert config.sft["packing"] is False and config.sft["warmup_steps"] == 0.1
    assert config.adapter.r == 16 and config.adapter.learning_rate == 1e-4
    assert default_train_config()["sft"] == config.sft


def test_file_then_overrides_then_sets(tmp_path: Path) -> None:
    path = tmp_path / "train.yaml"
    path.write_text("rows: turns\nsft: {learning_rate: 2.0e-5, max_length: 4096}\nadapter: {r: 8}\n")
    config = load_train_config(path, {"lora": True, "sft.max_steps": None}, ["sft.max_length=2048", "adapter.r=4"])
    assert config.rows == "turns" and config.lora
    assert config.sft["learning_rate"] == 2e-5 and config.sft["max_length"] == 2048
    assert config.sft["num_train_epochs"] == 3  # kept from the defaults
    assert "max_steps" not in config.sft and config.adapter.r == 4


def test_bad_configs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(TrainError, match="does not exist"):
        load_train_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rows: everything\n")
    with pytest.raises(TrainError, match="rows"):
        load_train_config(bad)
    with pytest.raises(TrainError, match="key=value"):
        load_train_config(sets=["sft.max_steps"])
    with pytest.raises(TrainError, match=r"adapter\.rank"):
        load_train_config(overrides={"adapter.rank": 4})


def test_missing_training_dependencies_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def no_trl(name: str, package: str | None = None) -> Any:
        if name == "trl":
            raise ImportError("No module named 'trl'")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", no_trl)
    with pytest.raises(MissingDependencyError, match=r"needs [a-z, ]*trl[a-z, ]*: pip install 'hardgen\[train\]'.*torch"):
        require_training()
