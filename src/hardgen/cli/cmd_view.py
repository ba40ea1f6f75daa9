"""`hardgen view`: a run as a web page, written to a folder (opens from file://) or served locally."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from hardgen.cli._output import JSON_OPTION, console, emit, err_console
from hardgen.view import ViewSite, build_view, view_server


def _report(site: ViewSite) -> dict[str, Any]:
    first = site.first_page_files
    return {
        "out": str(site.out),
        "index": str(site.index),
        "url": site.index.resolve().as_uri(),
        "samples": site.samples,
        "rejected": site.rejected,
        "files": len(site.files),
        "bytes": site.bytes,
        "first_page_bytes": sum(p.stat().st_size for p in first),
        "largest_first_page_file": max(first, key=lambda p: p.stat().st_size).name,
        "largest_first_page_file_bytes": max(p.stat().st_size for p in first),
        "seconds": round(site.seconds, 3),
        "invalid_lines": site.invalid_lines,
    }


def _render(report: dict[str, Any]) -> None:
    for line in report["invalid_lines"]:
        err_console.print(f"skipped {line}", markup=False)
    console.print(f"{report['samples']} samples, {report['rejected']} rejected candidates: "
                  f"{report['files']} files, {report['bytes'] / 1e6:.1f} MB in {report['seconds']} s "
                  f"(first page {report['first_page_bytes'] / 1e3:.0f} kB)", markup=False, soft_wrap=True)
    console.print(f"open {report['url']}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command("view")
    def view_command(
        run: Path = typer.Argument(..., help="A run directory (holding samples.jsonl)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Folder to write the page into (default RUN/view)."),
        port: int | None = typer.Option(
            None, "--port", "-p", help="Also serve the page on http://127.0.0.1:PORT until Ctrl-C (0: any free port)."
        ),
        skip_invalid: bool = typer.Option(
            False, "--skip-invalid", help="Skip (and report) lines that are not valid samples instead of failing."
        ),
        as_json: bool = JSON_OPTION,
    ) -> None:
        """Look at a run in the browser: samples as chats beside their gold trace and data flow, filters
        and search, rejected candidates with their reasons, statistics, validity and language reports,
        and the API graph. The page works from file:// with no server and no network."""
        if port is not None and not 0 <= port <= 65535:
            raise typer.BadParameter(f"--port must be in 0..65535, got {port}")
        site = build_view(run, out, skip_invalid=skip_invalid)
        report = _report(site)
        if port is None:
            emit(report, as_json, _render)
            return
        server = view_server(site.out, port)
        report["url"] = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        emit(report, as_json, _render)
        err_console.print("serving; press Ctrl-C to stop", markup=False)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
