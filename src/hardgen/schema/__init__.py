"""HardGen's canonical data model: every phase reads and writes these records."""

from hardgen.schema._base import Record
from hardgen.schema._messages import Message, Role, ToolCall, new_call_id
from hardgen.schema._sample import (
    SAMPLE_SCHEMA_VERSION,
    GoldTurn,
    Provenance,
    Sample,
    SampleMetadata,
    VerificationRecord,
)
from hardgen.schema._tool_spec import ToolSpec
from hardgen.schema._trace import (
    ArgumentSource,
    EnvironmentSpec,
    McpServer,
    Observation,
    RejectedCall,
    Step,
    ToolError,
    Trace,
)

__all__ = [
    "SAMPLE_SCHEMA_VERSION",
    "ArgumentSource",
    "EnvironmentSpec",
    "GoldTurn",
    "McpServer",
    "Message",
    "Observation",
    "Provenance",
    "Record",
    "RejectedCall",
    "Role",
    "Sample",
    "SampleMetadata",
    "Step",
    "ToolCall",
    "ToolError",
    "ToolSpec",
    "Trace",
    "VerificationRecord",
    "new_call_id",
]
