"""A third-party tool set (a plain class with BFCL-style JSON docs, written for this test) goes
through the whole pipeline, and the validity report finds no gold defect in what it wrote."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from hardgen.pipeline import generate as run_generate
from hardgen.pipeline import iter_jsonl, load_config
from hardgen.schema import Sample
from hardgen.stats import validity_report
from hardgen.verify import verify_sample

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def clinic_run(tmp_path_factory: pytest.TempPathFactory) -> list[Sample]:
    sys.path.insert(0, str(HERE))
    try:
        from integration_fixture_clinic import SCENARIO

        out = tmp_path_factory.mktemp("clinic") / "run"
        config = load_config(overrides={
            "out": str(out), "seed": 1,
            "sources": [{"kind": "class", "target": "integration_fixture_clinic:ClinicDesk", "name": "clinic",
                         "docs": str(HERE / "data" / "clinic_docs.json"), "initial_state": SCENARIO}],
            "synthesis.samples": 12, "probe.tasks_per_tool": 1, "sampling.traces": 150,
        })
        manifest = asyncio.run(run_generate(config))
        samples = [Sample.model_validate(r) for r in iter_jsonl(out / "samples.jsonl")]
        assert samples, manifest.rejections_by_reason
        # The manifest carries the same report.
        assert manifest.validity["samples"] == len(samples)
        assert sum(manifest.validity[k] for k in ("implicit_writes", "create_then_destroy", "ambiguous_queries")) == 0
        return samples
    finally:
        sys.path.remove(str(HERE))


def test_third_party_samples_have_no_gold_defects(clinic_run: list[Sample]) -> None:
    sys.path.insert(0, str(HERE))
    try:
        report = validity_report(clinic_run)
        assert report.samples == len(clinic_run)
        assert report.defects == 0, report.model_dump()
        assert all(verify_sample(s).passed for s in clinic_run)
    finally:
        sys.path.remove(str(HERE))


def test_third_party_writes_are_goals_and_logins_enable(clinic_run: list[Sample]) -> None:
    writes = {"book_appointment", "cancel_appointment", "add_patient_note"}
    seen_write = False
    for sample in clinic_run:
        goals = sample.metadata.extra["goal_steps"]
        for turn, goal in zip(sample.gold, goals, strict=True):
            for i, step in enumerate(turn.steps):
                if step.call.name in writes:
                    seen_write = True
                    assert i in goal, (sample.id, step.call.name)  # a change the user asks for
                if step.call.name == "staff_login":
                    assert i not in goal  # logging in only enables the rest
    assert seen_write


def test_a_conversation_is_one_user_who_logs_in_once(tmp_path: Path) -> None:
    sys.path.insert(0, str(HERE))
    try:
        from integration_fixture_clinic import SCENARIO

        config = load_config(overrides={
            "out": str(tmp_path / "run"), "seed": 1,
            "sources": [{"kind": "class", "target": "integration_fixture_clinic:ClinicDesk", "name": "clinic",
                         "docs": str(HERE / "data" / "clinic_docs.json"), "initial_state": SCENARIO}],
            "synthesis.samples": 6, "synthesis.turns": 3, "probe.tasks_per_tool": 1, "sampling.traces": 150,
        })
        manifest = asyncio.run(run_generate(config))
        samples = [Sample.model_validate(r) for r in iter_jsonl(tmp_path / "run" / "samples.jsonl")]
        multi = [s for s in samples if len(s.gold) > 1]
        assert multi, manifest.rejections_by_reason
        for sample in multi:
            logins = [st.call.arguments for turn in sample.gold for st in turn.steps if st.call.name == "staff_login"]
            assert len(logins) <= 1, sample.id  # already logged in: later turns do not log in again
        report = validity_report(samples)
        assert report.defects == 0 and report.multiple_identities == 0, report.model_dump()
        # Turns that fell short are counted with their reason, never silently.
        short = [s for s in samples if len(s.gold) < 3]
        assert report.short_conversations == len(short)
        assert all(s.metadata.extra.get("short_reason") for s in short)
        assert all(verify_sample(s).passed for s in samples)
    finally:
        sys.path.remove(str(HERE))
