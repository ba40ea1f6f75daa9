"""Exporters: canonical samples to training and evaluation formats.

`export_samples(samples, format, out_dir, **options)` writes one of EXPORT_FORMATS (`openai`,
`trl`, `llamafactory`, `bfcl`, `hf`, `verl`); the `*_rows` functions are the pure conversions behind it,
for callers who want the rows without files. `read_samples` reads a run's `samples.jsonl`.
"""

from hardgen.export._bfcl import bfcl_answers, bfcl_function_doc, bfcl_row, bfcl_rows, bfcl_schema, python_call
from hardgen.export._card import dataset_card, size_category
from hardgen.export._errors import ExportError, SampleFileError
from hardgen.export._hf import JSON_COLUMNS, hf_row, hf_rows, hf_schema, sample_from_hf_row, write_parquet
from hardgen.export._llamafactory import llamafactory_dataset_info, llamafactory_rows, sharegpt_conversation
from hardgen.export._openai import openai_rows
from hardgen.export._options import ExportOptions, ReasoningStyle
from hardgen.export._read import (
    REJECTED_FILE,
    SAMPLES_FILE,
    InvalidLine,
    SampleFile,
    count_rejected,
    read_samples,
    resolve_samples_path,
)
from hardgen.export._registry import EXPORT_FORMATS, ExportReport, export_samples, export_with_report
from hardgen.export._split import DatasetSplit, split_by_advanced_tool
from hardgen.export._transform import split_assistant_turns, strip_reasoning, training_units, with_thought
from hardgen.export._trl import load_trl_jsonl, trl_message, trl_rows, trl_tool
from hardgen.export._verl import verl_ground_truth, verl_rows

__all__ = [
    "EXPORT_FORMATS",
    "JSON_COLUMNS",
    "REJECTED_FILE",
    "SAMPLES_FILE",
    "DatasetSplit",
    "ExportError",
    "ExportOptions",
    "ExportReport",
    "InvalidLine",
    "ReasoningStyle",
    "SampleFile",
    "SampleFileError",
    "bfcl_answers",
    "bfcl_function_doc",
    "bfcl_row",
    "bfcl_rows",
    "bfcl_schema",
    "count_rejected",
    "dataset_card",
    "export_samples",
    "export_with_report",
    "hf_row",
    "hf_rows",
    "hf_schema",
    "llamafactory_dataset_info",
    "llamafactory_rows",
    "load_trl_jsonl",
    "openai_rows",
    "python_call",
    "read_samples",
    "resolve_samples_path",
    "sample_from_hf_row",
    "sharegpt_conversation",
    "size_category",
    "split_assistant_turns",
    "split_by_advanced_tool",
    "strip_reasoning",
    "training_units",
    "trl_message",
    "trl_rows",
    "trl_tool",
    "verl_ground_truth",
    "verl_rows",
    "with_thought",
    "write_parquet",
]
