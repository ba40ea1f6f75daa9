"""`hardgen view`: a run directory as a static web page (samples as chats with their gold and data
flow, filters and search, the rejected candidates, statistics, validity and language reports as
charts, the API graph as an interactive picture). It works from file:// with no server and no
network: data is written as small script chunks loaded on demand.
"""

from hardgen.view._errors import ViewError
from hardgen.view._graph_view import graph_view
from hardgen.view._records import rejected_record, sample_record, value_at
from hardgen.view._serve import view_server
from hardgen.view._site import ViewSite, build_view, script_json

__all__ = [
    "ViewError",
    "ViewSite",
    "build_view",
    "graph_view",
    "rejected_record",
    "sample_record",
    "script_json",
    "value_at",
    "view_server",
]
