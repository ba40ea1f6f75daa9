"""`hardgen view` on the command line, and serving the page on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner
from view_fixture import make_sample, write_run

from hardgen.cli._app import app
from hardgen.view import ViewError, build_view, view_server

runner = CliRunner()


def test_view_writes_the_site_and_reports_it(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(i) for i in range(5)])
    result = runner.invoke(app, ["view", str(run), "--out", str(tmp_path / "site"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["samples"] == 5 and report["rejected"] == 3
    assert Path(report["index"]) == tmp_path / "site" / "index.html" and report["url"].startswith("file://")
    assert 0 < report["largest_first_page_file_bytes"] <= report["first_page_bytes"] < report["bytes"]
    assert (tmp_path / "site" / "data" / "samples-000.js").is_file()


def test_view_defaults_to_a_folder_in_the_run(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(0)])
    result = runner.invoke(app, ["view", str(run)])
    assert result.exit_code == 0, result.output
    assert "1 samples" in result.output and (run / "view" / "index.html").is_file()


@pytest.mark.parametrize("make", ["missing", "file", "empty_dir", "garbage"])
def test_a_missing_or_garbage_run_gives_one_line(tmp_path: Path, make: str) -> None:
    path = tmp_path / "run"
    if make == "file":
        path.write_text("hello")
    elif make == "empty_dir":
        path.mkdir()
    elif make == "garbage":
        path.mkdir()
        (path / "samples.jsonl").write_bytes(b"\x00\x01 not a sample\n")
    result = runner.invoke(app, ["view", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and str(path) in lines[0], result.output


def test_a_port_out_of_range_is_refused(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", [make_sample(0)])
    result = runner.invoke(app, ["view", str(run), "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.output


def test_the_server_serves_the_site_on_loopback(tmp_path: Path) -> None:
    site = build_view(write_run(tmp_path / "run", [make_sample(0)]))
    server = view_server(site.out, 0)
    assert server.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/index.html", timeout=10) as page:
            assert b"view.js" in page.read()
        with urllib.request.urlopen(f"{base}/data/index.js", timeout=10) as data:
            assert b"s-00000" in data.read()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_the_server_wants_a_built_site(tmp_path: Path) -> None:
    with pytest.raises(ViewError, match="no built viewer"):
        view_server(tmp_path, 0)
