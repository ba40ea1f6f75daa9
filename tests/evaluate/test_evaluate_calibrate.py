"""Difficulty calibration: the pass-rate band decides which samples are kept."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from evaluate_fixture_agents import GoldReplayAgent
from pydantic import ValidationError

from hardgen.evaluate import CalibrationBand, calibrate, load_samples


def _agent(small_run: Path) -> tuple[GoldReplayAgent, list]:
    samples = load_samples(small_run)[:3]
    # Sample 0 always passes, sample 1 passes on even seeds, sample 2 never.
    plan = {samples[0].id: lambda s: True, samples[1].id: lambda s: s % 2 == 0, samples[2].id: lambda s: False}
    return GoldReplayAgent(samples, passes=lambda sample, seed: plan[sample](seed or 0)), samples


def test_default_band_keeps_samples_the_target_fails_at_least_once(small_run: Path) -> None:
    agent, samples = _agent(small_run)
    report, kept = asyncio.run(calibrate(agent, samples, attempts=4))
    assert report.distribution == {"0": 1, "2": 1, "4": 1}
    assert [r.pass_rate for r in report.results] == [1.0, 0.5, 0.0]
    assert [s.id for s in kept] == [samples[1].id, samples[2].id]
    assert report.kept == 2 and report.samples == 3


def test_a_middle_band_keeps_only_the_sometimes_solved(small_run: Path) -> None:
    agent, samples = _agent(small_run)
    _, kept = asyncio.run(calibrate(agent, samples, attempts=4, band=CalibrationBand(min_pass_rate=0.25,
                                                                                    max_pass_rate=0.75)))
    assert [s.id for s in kept] == [samples[1].id]
    _, everything = asyncio.run(calibrate(agent, samples, attempts=4, band=CalibrationBand(max_pass_rate=1.0)))
    assert len(everything) == 3


def test_band_must_be_ordered() -> None:
    with pytest.raises(ValidationError):
        CalibrationBand(min_pass_rate=0.8, max_pass_rate=0.2)
    assert CalibrationBand().keeps(0.99) and not CalibrationBand().keeps(1.0)
