"""HardGen's canonical data model: every phase reads and writes these records."""

from hardgen.schema._base import Record
from hardgen.schema._messages import Message, Role, ToolCall, new_call_id
from hardgen.schema._sample import (
    FAMILIES,
    FAMILY_SCHEMA_VERSION,
    SAMPLE_SCHEMA_VERSION,
    Behaviour,
    Family,
    GoldTurn,
    InjectedFault,
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
    "FAMILIES",
    "FAMILY_SCHEMA_VERSION",
    "SAMPLE_SCHEMA_VERSION",
    "ArgumentSource",
    "Behaviour",
    "EnvironmentSpec",
    "Family",
    "GoldTurn",
    "InjectedFault",
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
