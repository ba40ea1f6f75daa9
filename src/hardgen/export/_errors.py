"""Errors of the export package."""

from __future__ import annotations

from hardgen.errors import HardGenError


class ExportError(HardGenError):
    """Samples cannot be written in the asked format (unknown format or option, or a sample whose
    shape the format cannot represent); the message names the sample and the problem."""


class SampleFileError(HardGenError):
    """A samples file is missing or holds lines that are not valid samples."""
