"""An MCP server for the failure tests, run as a script: `python tools_fixture_mcp_server.py MODE`.

Modes that never become a working server: `exit` (writes to stderr and exits 3 before answering),
`garbage` (prints lines that are not JSON-RPC on stdout and never answers), `hang` (reads stdin and
never answers). Modes that serve (the SDK's own `MCPServer`): `serve` on stdio, `http PORT` on
streamable HTTP, with a read `echo`, an unannotated `peek`, a write `put` (unannotated but named
like one), `die` (ends the process mid-call) and `sleep` (never returns).
"""

from __future__ import annotations

import json
import os
import sys
import time


def _serve(transport: str, port: int = 0) -> None:
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    server = MCPServer("fixture")
    read_only = ToolAnnotations(read_only_hint=True)

    @server.tool(annotations=read_only, structured_output=False)
    def echo(text: str) -> str:
        """Answer with the text."""
        return json.dumps({"echo": text, "pid": os.getpid()})

    @server.tool(structured_output=False)
    def peek() -> str:
        """Not annotated either way."""
        return "peeked"

    @server.tool(structured_output=False)
    def put(value: str) -> str:
        """Not annotated; a write by its name."""
        return "stored"

    @server.tool(annotations=read_only, structured_output=False)
    def die() -> str:
        """End the server in the middle of the call."""
        os._exit(1)

    @server.tool(annotations=read_only, structured_output=False)
    def sleep() -> str:
        """Never return."""
        time.sleep(3600)
        return "woke"

    if transport == "stdio":
        server.run()
    else:
        server.run("streamable-http", host="127.0.0.1", port=port)


def main() -> None:
    mode = sys.argv[1]
    if mode == "exit":
        print("fixture: cannot open the database (on purpose)", file=sys.stderr, flush=True)
        sys.exit(3)
    if mode == "garbage":
        print("fixture: about to print garbage", file=sys.stderr, flush=True)
        while True:
            print("this is not JSON-RPC {{{", flush=True)
            time.sleep(0.05)
    if mode == "hang":
        sys.stdin.read()
        time.sleep(3600)
    if mode == "serve":
        _serve("stdio")
    if mode == "http":
        _serve("http", int(sys.argv[2]))


if __name__ == "__main__":
    main()
