"""Options shared by every exporter."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hardgen.schema import Family

ReasoningStyle = Literal["field", "inline", "none"]
"""How assistant reasoning is written:

- `field`: in the format's own reasoning field (`reasoning_content` for OpenAI and TRL, the
  canonical `reasoning` field in the Hugging Face parquet). Formats with no such field
  (LLaMA-Factory) fall back to `inline`.
- `inline`: as a `<think>...</think>` block at the start of the assistant content.
- `none`: dropped.
"""


class ExportOptions(BaseModel):
    """Options of an export. Every exporter accepts all of them; one that does not apply to a
    format is either meaningless there (documented per format) or rejected with an ExportError."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reasoning: ReasoningStyle = "field"
    """Where assistant reasoning goes (see ReasoningStyle)."""
    split_turns: bool = False
    """One example per assistant turn, with the conversation before it as context, so that SFT
    learns each turn once (the earlier assistant turns are context, not targets)."""
    test_fraction: float = Field(default=0.0, ge=0.0, lt=1.0)
    """Share of samples held out as a test split, by advanced tool (see split_by_advanced_tool)."""
    seed: int = 0
    """Seed of the train/test split."""
    name: str = "hardgen"
    """Dataset name: LLaMA-Factory dataset_info.json keys, dataset card title."""
    license: str = "apache-2.0"
    bfcl_category: str = Field(default="multi_turn_hardgen", pattern=r"^multi_turn_[a-z0-9_]+$")
    """The BFCL category the `bfcl` format names its files and ids by (`BFCL_v4_<category>.json`)."""
    """License written in the dataset card's front matter (a Hugging Face license id)."""
    rejected: int | None = Field(default=None, ge=0)
    """Candidates the run rejected, when known: gives the yield in the dataset card."""
    exclude_families: tuple[Family, ...] = ()
    """Sample families left out of the export (e.g. `("error_recovery",)` to train without injected
    tool failures); every family is kept by default."""

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}", value):
            raise ValueError(f"dataset name {value!r} must be letters, digits, '_', '.' or '-' (at most 100)")
        return value
