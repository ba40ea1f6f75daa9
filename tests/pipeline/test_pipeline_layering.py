"""The layering of issue 16: `pipeline` sits below `evaluate` (the closed loop and the baselines
build on the pipeline's stages), so importing any part of `pipeline` must not load `evaluate`."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import hardgen.pipeline


def _pipeline_modules() -> list[str]:
    return ["hardgen.pipeline", *(f"hardgen.pipeline.{m.name}" for m in pkgutil.iter_modules(hardgen.pipeline.__path__))]


def test_no_pipeline_module_imports_evaluate() -> None:
    modules = _pipeline_modules()
    assert "hardgen.pipeline._probe" in modules and "hardgen.pipeline._generate" in modules
    probe = "; ".join(f"import {m}" for m in modules)
    check = ("import sys; print(sorted(m for m in sys.modules if m.startswith('hardgen.evaluate')"
             " or m.split('.')[0] == 'ray'))")
    done = subprocess.run([sys.executable, "-c", f"{probe}; {check}"], capture_output=True, text=True, check=True)
    # Nor Ray: the Ray executor imports it when a job starts on it.
    assert done.stdout.strip() == "[]", f"pipeline imports evaluate or ray: {done.stdout.strip()}"


def test_evaluate_still_offers_the_attempt_names_it_had() -> None:
    from hardgen.evaluate import AgentAttempt, ToolFailureStats, attempt, attempt_sample
    from hardgen.pipeline._attempt import attempt_sample as moved

    assert attempt_sample is moved
    assert AgentAttempt and ToolFailureStats and attempt
