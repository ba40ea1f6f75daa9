"""Base model for every canonical record: strict about unknown fields, exact JSON round trip."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# JSON values as they travel through tools and samples.
JsonValue = Any


class Record(BaseModel):
    """A canonical HardGen record.

    Unknown fields are rejected so that a typo in a hand-written sample or config fails loudly,
    and `model_dump_json` / `model_validate_json` round-trip exactly.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_attribute_docstrings=True)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Any:
        return cls.model_validate_json(text)
