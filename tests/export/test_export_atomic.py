"""Exports are atomic (issue 21): every file is written aside and renamed in only when the whole
export is complete, so a failure mid-write leaves the previous export exactly as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardgen.export import EXPORT_FORMATS, export_samples, sample_from_hf_row


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("format", EXPORT_FORMATS)
def test_a_failure_mid_export_keeps_the_previous_export_whole(
        samples, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format: str) -> None:
    if format in ("hf", "verl"):
        pytest.importorskip("pyarrow")
    out = tmp_path / "export"
    export_samples(samples, format, out, test_fraction=0.34, seed=1)
    before = _files(out)
    assert before

    import hardgen.export._registry as registry

    # The disk fills up while the last file of the new export is written: each file written before
    # it is complete, yet none may replace its previous version.
    real_write_text = registry._Staged.write_text
    real_parquet = registry.write_parquet
    real_verl = registry.write_verl_parquet
    written: list[Path] = []

    def fill_up(path: Path) -> None:
        written.append(path)
        if len(written) == 3:
            raise OSError(28, "No space left on device")

    def write_text(self: Any, path: Path, text: str) -> Path:
        fill_up(path)
        return real_write_text(self, path, text + "changed")

    def write_parquet(rows: Any, path: Path) -> Path:
        fill_up(path)
        return real_parquet(rows[1:], path)

    def write_verl_parquet(rows: Any, path: Path) -> Path:
        fill_up(path)
        return real_verl(rows[1:], path)

    monkeypatch.setattr(registry._Staged, "write_text", write_text)
    monkeypatch.setattr(registry, "write_parquet", write_parquet)
    monkeypatch.setattr(registry, "write_verl_parquet", write_verl_parquet)
    with pytest.raises(OSError, match="No space left"):
        export_samples(samples, format, out, test_fraction=0.34, seed=1, name="other")
    assert len(written) == 3
    assert _files(out) == before  # the same files, byte for byte, and no temporary one left


def test_a_parquet_file_cut_short_never_replaces_the_good_one(samples, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "export"
    export_samples(samples, "hf", out)
    good = (out / "data" / "train.parquet").read_bytes()

    def killed_mid_write(table: Any, where: Any, **kwargs: Any) -> None:
        Path(where).write_bytes(b"PAR1 half a file")
        raise KeyboardInterrupt  # what a Ctrl-C (or any stop) mid-write looks like to the writer

    monkeypatch.setattr(pq, "write_table", killed_mid_write)
    with pytest.raises(KeyboardInterrupt):
        export_samples(samples, "hf", out)
    assert (out / "data" / "train.parquet").read_bytes() == good
    assert sorted(p.name for p in (out / "data").iterdir()) == ["train.parquet"]
    monkeypatch.undo()
    table = pq.read_table(out / "data" / "train.parquet")
    assert [sample_from_hf_row(row).id for row in table.to_pylist()] == [s.id for s in samples]
