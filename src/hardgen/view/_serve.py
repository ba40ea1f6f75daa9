"""Serving a built viewer on 127.0.0.1 (the standard library's http.server, nothing else)."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from hardgen.view._errors import ViewError


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site's folder without a log line per request (a page loads dozens of chunks)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


def view_server(site: str | Path, port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server for the built site in `site`, bound to 127.0.0.1 only (the data is the
    user's, not the network's); port 0 picks a free one. Call `serve_forever()` on it."""
    root = Path(site)
    if not (root / "index.html").is_file():
        raise ViewError(f"{root} holds no built viewer (no index.html): run hardgen view first")
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        return ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise ViewError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
